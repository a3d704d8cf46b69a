import { z } from 'zod';

/** Times travel as ISO 8601 strings; a value Date cannot read is a broken contract, not a time. */
export const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), { message: 'expected an ISO date-time string' });
export const count = z.number().int().nonnegative();
