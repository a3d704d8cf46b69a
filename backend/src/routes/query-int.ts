import { z } from 'zod';

/** The response schemas are the contract's (@ouroboros/contract); what is left here reads requests. */

/** Query integers arrive as strings; coerce them, but refuse what is not a plain whole number. */
export const queryInt = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
