import type { GenomeDetail, SuiteFailure } from '@ouroboros/contract';
import { formatDateTime, formatMs } from '@/lib/format';
import { TrustBadge } from '@/ui/shell/badges';

/** An input in one line, or how big it is when it is too big to show. */
export function InputText({ input, size }: { input: unknown; size: number }) {
  if (input === null || input === undefined) return <span className="text-muted">({size} characters of JSON, not shown)</span>;
  const text = JSON.stringify(input);
  return (
    <code data-testid="failing-input" className="break-all text-soft" title={text}>
      {text.length > 400 ? `${text.slice(0, 400)}…` : text}
    </code>
  );
}

function FailureLine({ failure }: { failure: SuiteFailure }) {
  return (
    <p data-testid="verification-failure" className="break-words">
      Failed on <span className="text-chaos">{failure.case}</span>: <span className="font-bold uppercase text-sick">{failure.verdict}</span>
      {failure.error ? <span className="text-sick/90"> ({failure.error})</span> : null} · input <InputText input={failure.input} size={failure.size} />
    </p>
  );
}

/** A genome's trust: verified or not, against how big a suite and how long it took, what failed and what demoted it. */
export function TrustSection({ genome }: { genome: GenomeDetail }) {
  const v = genome.verification;
  if (!v) return null;
  const counterexample = v.counterexample;
  return (
    <div data-testid="trust-section" data-state={v.state} className="mb-2 flex flex-col gap-1 border-l-2 border-edge pl-2 text-xs text-muted">
      <p className="flex flex-wrap items-center gap-2">
        <TrustBadge verified={genome.verified} />
        {v.state === 'pending' ? (
          <span>not judged by its verification suite yet</span>
        ) : v.suiteSize !== null ? (
          <span data-testid="suite-summary">
            suite of {v.suiteSize} inputs
            {v.runs === 0 ? ', remembered for this source' : v.timeMs !== null ? ` in ${formatMs(v.timeMs)}` : ''}
            {v.verifiedAt ? ` · ${formatDateTime(v.verifiedAt)}` : ''}
          </span>
        ) : null}
      </p>
      {counterexample ? (
        <p data-testid="demoted-by" className="break-words">
          Demoted by <span className="text-chaos">counterexample #{counterexample.id}</span> ({counterexample.verdict}, shrunk from{' '}
          {counterexample.originalSize} to {counterexample.shrunkSize} characters): <InputText input={counterexample.input} size={counterexample.shrunkSize} />
        </p>
      ) : v.failure ? (
        <FailureLine failure={v.failure} />
      ) : null}
    </div>
  );
}
