/**
 * The contract as the dashboard reads it. The backend sends one of the contract's states; a newer backend may add a
 * state before this dashboard has a colour for it, and that state is shown by its name (ui/shell/badges.tsx
 * stateStyle) rather than refused as a broken contract. Everything else is the contract unchanged.
 */
import { OrganismSummarySchema, OrganismsResponseSchema, StatusSchema as ContractStatusSchema } from '@ouroboros/contract';
import { z } from 'zod';

const AnyStateSchema = z.string().min(1);

export const StatusSchema = ContractStatusSchema.extend({ state: AnyStateSchema });
export const OrganismsReadSchema = OrganismsResponseSchema.extend({
  organisms: z.array(OrganismSummarySchema.extend({ state: AnyStateSchema })),
});

export type Status = z.infer<typeof StatusSchema>;
/** A state as the dashboard shows it: one of the contract's, or a newer backend's by its name. */
export type ShownState = Status['state'];
export type OrganismsResponse = z.infer<typeof OrganismsReadSchema>;
export type OrganismSummary = OrganismsResponse['organisms'][number];
