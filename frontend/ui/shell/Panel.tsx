import type { ReactNode } from 'react';

/** The frame every panel sits in: a titled, bordered terminal window. */
export function Panel({
  title,
  extra,
  children,
  className = '',
  testId,
}: {
  title: string;
  extra?: ReactNode;
  children: ReactNode;
  className?: string;
  testId?: string;
}) {
  const id = `panel-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <section
      aria-labelledby={id}
      data-testid={testId}
      className={`flex h-full min-w-0 flex-col border border-edge bg-panel/90 shadow-[0_0_18px_rgb(61_255_143/0.06)] ${className}`}
    >
      <header className="flex flex-wrap items-center justify-between gap-2 border-b border-edge px-3 py-2">
        <h2 id={id} className="text-xs font-bold tracking-[0.2em] text-phosphor uppercase glow">
          <span aria-hidden="true" className="text-muted">
            {'> '}
          </span>
          {title}
        </h2>
        {extra ? <div className="text-xs text-muted">{extra}</div> : null}
      </header>
      <div className="flex min-h-0 flex-1 flex-col p-3">{children}</div>
    </section>
  );
}

/** A one-line message for empty and error states. */
export function Note({ children, tone = 'muted' }: { children: ReactNode; tone?: 'muted' | 'error' }) {
  return tone === 'error' ? (
    <p role="alert" className="text-sm break-words text-sick">
      {children}
    </p>
  ) : (
    <p className="text-sm text-muted">{children}</p>
  );
}
