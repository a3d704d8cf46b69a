import type { LlmBill as Bill } from '@ouroboros/contract';
import { Stat } from '@/ui/shell/Stat';

/** Dollars with enough digits for the fractions of a cent one call costs. */
export function formatUsd(usd: number): string {
  return `$${usd >= 1 ? usd.toFixed(2) : usd.toFixed(4)}`;
}

function formatTokens(n: number): string {
  return n >= 10_000 ? `${(n / 1000).toFixed(1)}k` : String(n);
}

/**
 * What the LLM has cost: the server's day against its cap (what stops calls), and this organism's calls. Without
 * prices the tokens are shown and the cost says it is not known, rather than $0.
 */
export function LlmBill({ bill }: { bill: Bill }) {
  const priced = bill.prices !== null;
  const { today, total } = bill.organism;
  const cost = (usd: number, unpriced: number) => (priced && unpriced === 0 ? formatUsd(usd) : priced ? `${formatUsd(usd)}+` : 'no prices');
  return (
    <div data-testid="llm-bill">
      <p className="mb-1 text-xs text-muted uppercase" title={`The model ${bill.model ?? ''}: every call healing and evolution made`}>
        LLM bill {bill.model ? <span className="normal-case">({bill.model})</span> : null}
      </p>
      <dl className="grid grid-cols-3 gap-2 text-sm">
        <Stat label="Server today" testId="llm-today" boxed valueClassName={bill.blocked ? 'text-sick' : 'text-soft'}>
          {priced ? formatUsd(bill.spentTodayUsd) : 'no prices'}
          {bill.dailyBudgetUsd !== null ? <span className="text-muted"> of {formatUsd(bill.dailyBudgetUsd)}</span> : null}
        </Stat>
        <Stat label="Organism today" testId="llm-organism-today" boxed>
          {cost(today.costUsd, today.unpriced)} <span className="text-muted">· {today.calls} calls</span>
        </Stat>
        <Stat label="Organism, all" testId="llm-organism-total" boxed>
          {cost(total.costUsd, total.unpriced)}{' '}
          <span className="text-muted" title="prompt / completion tokens">
            · {formatTokens(total.promptTokens)}/{formatTokens(total.completionTokens)} tok
          </span>
        </Stat>
      </dl>
      {bill.blocked ? (
        <p role="status" data-testid="llm-blocked" className="mt-1 text-xs text-sick">
          {bill.blocked}
        </p>
      ) : null}
    </div>
  );
}
