/**
 * The seed genome is verified before the organism starts. For now a seed that fails its suite stops the server with one
 * line naming the input (FAILING_SEED=refuse, the default); FAILING_SEED=heal starts anyway and lets the repair ladder
 * take the failing seed like any sick genome. A later repair-at-start belongs here, in this one place.
 */
import type { GenomeRow } from '../genome/store.js';
import type { Verification, Verifier } from './verifier.js';

export type FailingSeedPolicy = 'refuse' | 'heal';

export class SeedVerificationError extends Error {
  override name = 'SeedVerificationError';
}

/** One sentence on a failed verification: the case, its input (when small), the verdict and why. */
export function describeFailure(v: Verification): string {
  const f = v.failure;
  if (!f) return v.cancelled ? 'the verification was cancelled' : 'no failure';
  const input = JSON.stringify(f.case.input);
  const shown = input.length <= 200 ? ` ${input}` : ` (${input.length} characters of JSON)`;
  return `${f.case.name}${shown}: ${f.result.verdict}${f.result.error ? ` (${f.result.error})` : ''}`;
}

export async function verifySeed(
  verifier: Verifier,
  seed: GenomeRow,
  policy: FailingSeedPolicy,
  where: string,
): Promise<Verification> {
  const v = await verifier.verify(seed.source);
  if (!v.passed && !v.cancelled && policy === 'refuse') {
    throw new SeedVerificationError(
      `${where} (genome 0 of ${verifier.organism.name}) fails its verification suite on ${describeFailure(v)}. ` +
        'Fix the genome or its harness, or set FAILING_SEED=heal to start anyway and let the healer repair it.',
    );
  }
  return v;
}
