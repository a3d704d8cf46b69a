import { formatMs } from '@/lib/format';
import type { Fitness } from '@ouroboros/contract';

/** "123 ms · 302 tokens", "gate failed: …" or "not measured": a fitness in a few words. */
export function FitnessText({ fitness, compact = false }: { fitness: Fitness | null | undefined; compact?: boolean }) {
  if (fitness === null || fitness === undefined) {
    return (
      <span data-testid="fitness" data-gate="none" className="text-muted">
        {compact ? 'fitness pending' : 'fitness not measured yet'}
      </span>
    );
  }
  if (fitness.gate === 'failed') {
    return (
      <span data-testid="fitness" data-gate="failed" className="text-sick" title={fitness.reason}>
        gate failed{compact ? '' : `: ${fitness.reason}`}
      </span>
    );
  }
  return (
    <span data-testid="fitness" data-gate="passed" className="text-cyan" title={fitness.inputs.map((i) => `${i.name}: ${formatMs(i.medianMs)}`).join('\n')}>
      {formatMs(fitness.timeMs)} · {fitness.codeSize} tokens
    </span>
  );
}
