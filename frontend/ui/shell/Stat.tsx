import type { ReactNode } from 'react';

/**
 * One figure with its label, inside a <dl>. `boxed` draws it as a tile with a smaller label (the timing figures);
 * without it, it sits in a row of headline counts.
 */
export function Stat({
  label,
  children,
  valueClassName = 'text-soft',
  testId,
  boxed = false,
}: {
  label: string;
  children: ReactNode;
  valueClassName?: string;
  testId?: string;
  boxed?: boolean;
}) {
  return (
    <div className={boxed ? 'border border-edge px-2 py-1' : undefined}>
      <dt className={`${boxed ? 'text-[11px]' : 'text-xs'} text-muted uppercase`}>{label}</dt>
      <dd data-testid={testId} className={valueClassName}>
        {children}
      </dd>
    </div>
  );
}
