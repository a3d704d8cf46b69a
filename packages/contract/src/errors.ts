import { z } from 'zod';

export const ApiErrorBodySchema = z
  .object({
    statusCode: z.number().int(),
    code: z.string(),
    message: z.string(),
  })
  .describe('Every error has this shape: a stable code to branch on and a message a person can act on.');
export type ApiErrorBody = z.infer<typeof ApiErrorBodySchema>;
