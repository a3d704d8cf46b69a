'use client';

import { useLayoutEffect, useRef, useState } from 'react';
import type { LogEntry, LogLevel, LogSource } from '@ouroboros/contract';
import { formatClock } from '@/lib/format';
import { Note, Panel } from '@/ui/shell/Panel';

const SOURCE_STYLE: Record<LogSource, string> = {
  organism: 'text-cyan',
  watcher: 'text-phosphor',
  chaos: 'text-chaos',
  healer: 'text-healing',
};

const LEVEL_STYLE: Record<LogLevel, { tag: string; text: string }> = {
  debug: { tag: 'text-muted', text: 'text-muted' },
  info: { tag: 'text-soft', text: 'text-soft' },
  warn: { tag: 'text-orange font-bold', text: 'text-orange' },
  error: { tag: 'text-sick font-bold', text: 'text-sick' },
};

/** The live log stream, newest at the bottom; follows the tail unless the reader scrolled up. */
export function TerminalPanel({
  entries,
  max,
  error,
}: {
  entries: LogEntry[];
  max: number;
  error?: string | undefined;
}) {
  const box = useRef<HTMLDivElement>(null);
  const lastTop = useRef(0);
  const [follow, setFollow] = useState(true);
  const last = entries.length > 0 ? entries[entries.length - 1]!.seq : null;

  useLayoutEffect(() => {
    const el = box.current;
    if (el && follow) {
      el.scrollTop = el.scrollHeight;
      lastTop.current = el.scrollTop;
    }
  }, [last, follow]);

  // Stop following only when the reader scrolls up; resume when they come back to the bottom.
  // (Layout changes such as re-wrapping must not be mistaken for the reader leaving the tail.)
  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
    const movedUp = el.scrollTop < lastTop.current - 2;
    lastTop.current = el.scrollTop;
    if (atBottom && !follow) setFollow(true);
    else if (!atBottom && movedUp && follow) setFollow(false);
  };

  return (
    <Panel
      title="Live terminal"
      testId="terminal"
      extra={
        <span>
          {entries.length}/{max} lines{follow ? '' : ' · paused scroll'}
        </span>
      }
    >
      <div
        ref={box}
        onScroll={onScroll}
        role="log"
        aria-label="Log stream"
        tabIndex={0}
        className="h-72 overflow-y-auto overscroll-contain bg-void/80 p-2 text-xs leading-5 [overflow-anchor:none] sm:h-80"
      >
        {entries.length === 0 ? (
          <Note>No log entries yet</Note>
        ) : (
          entries.map((e) => {
            const lv = LEVEL_STYLE[e.level];
            return (
              <div key={e.seq} data-seq={e.seq} data-source={e.source} data-level={e.level} className="-indent-4 pl-4 break-words whitespace-pre-wrap">
                <span className="text-muted">{formatClock(e.time, true)}</span>{' '}
                <span className={SOURCE_STYLE[e.source]}>[{e.source}]</span>{' '}
                <span className={lv.tag}>{e.level.toUpperCase()}</span> <span className={lv.text}>{e.text}</span>
              </div>
            );
          })
        )}
        <span aria-hidden="true" className="animate-blink text-phosphor">
          _
        </span>
      </div>
      {!follow && entries.length > 0 ? (
        <button
          type="button"
          onClick={() => setFollow(true)}
          className="mt-2 self-end border border-edge px-2 py-0.5 text-xs text-soft hover:border-phosphor"
        >
          Jump to newest
        </button>
      ) : null}
      {error ? (
        <div className="mt-2">
          <Note tone="error">{error}</Note>
        </div>
      ) : null}
    </Panel>
  );
}
