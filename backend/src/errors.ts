/**
 * The errors domain code (the fleet, evolution) fails with: a stable code and a message a person can act on, never
 * an HTTP status. The HTTP edge gives every code its status (http/errors.ts), so the domain does not know it is served.
 */
export const DOMAIN_ERROR_CODES = [
  'INVALID_ORGANISM_NAME',
  'ORGANISM_NOT_FOUND',
  'NO_FITNESS',
  'SHUTTING_DOWN',
  'EVOLUTION_RUNNING',
  'NO_EVOLUTION_RUNNING',
  'PAUSED',
  'LLM_NOT_CONFIGURED',
  'PROPOSAL_NOT_FOUND',
  'PROPOSAL_DECIDED',
  'PROPOSAL_STALE',
] as const;
export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

export class DomainError extends Error {
  override name = 'DomainError';

  constructor(
    readonly code: DomainErrorCode,
    message: string,
  ) {
    super(message);
  }
}
