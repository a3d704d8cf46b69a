/**
 * The seed genome is verified before the organism starts. A seed that fails its suite either stops the server with one
 * line naming the input (FAILING_SEED=refuse) or starts anyway and goes to the repair ladder like any sick genome
 * (FAILING_SEED=heal), which is the default whenever the ladder has a rung that needs no history (search, a configured
 * LLM): a genome that never passed can be repaired only by those.
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
