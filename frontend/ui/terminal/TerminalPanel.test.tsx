import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { TerminalPanel } from './TerminalPanel';
import { makeLog } from '@/test/fixtures';

describe('TerminalPanel', () => {
  it('says "No log entries yet" when empty', () => {
    render(<TerminalPanel entries={[]} max={500} />);
    expect(screen.getByText('No log entries yet')).toBeTruthy();
  });

  it('renders entries oldest first, coloured by source and level', () => {
    const entries = [
      makeLog(1, { source: 'organism', text: 'sorted 100 numbers' }),
      makeLog(2, { source: 'chaos', level: 'warn', text: 'off-by-one at line 7' }),
      makeLog(3, { source: 'healer', level: 'error', text: 'healing failed' }),
    ];
    render(<TerminalPanel entries={entries} max={500} />);
    const lines = screen.getByRole('log').querySelectorAll('[data-seq]');
    expect([...lines].map((l) => l.getAttribute('data-seq'))).toEqual(['1', '2', '3']);
    expect(lines[0]?.textContent).toContain('[organism]');
    expect(lines[0]?.querySelector('.text-cyan')).not.toBeNull();
    expect(lines[1]?.querySelector('.text-chaos')).not.toBeNull();
    expect(lines[1]?.textContent).toContain('WARN');
    expect([...(lines[2]?.querySelectorAll('.text-sick') ?? [])].map((n) => n.textContent)).toEqual(['ERROR', 'healing failed']);
    expect(screen.getByText('3/500 lines')).toBeTruthy();
  });

  it('shows a log error below the stream', () => {
    render(<TerminalPanel entries={[makeLog(1)]} max={500} error="GET /logs failed with HTTP 500." />);
    expect(screen.getByRole('alert').textContent).toContain('HTTP 500');
  });
});

describe('TerminalPanel scrolling', () => {
  it('stops following when the reader scrolls up, and offers to jump back', () => {
    const entries = Array.from({ length: 50 }, (_, i) => makeLog(i + 1));
    render(<TerminalPanel entries={entries} max={500} />);
    const log = screen.getByRole('log');
    // happy-dom has no layout: give the box a size.
    Object.defineProperty(log, 'scrollHeight', { configurable: true, value: 1000 });
    Object.defineProperty(log, 'clientHeight', { configurable: true, value: 200 });
    log.scrollTop = 800;
    fireEvent.scroll(log);
    expect(screen.queryByText('Jump to newest')).toBeNull();
    log.scrollTop = 300;
    fireEvent.scroll(log);
    expect(screen.getByText('Jump to newest')).toBeTruthy();
    expect(screen.getByText(/paused scroll/)).toBeTruthy();
    fireEvent.click(screen.getByText('Jump to newest'));
    expect(screen.queryByText('Jump to newest')).toBeNull();
  });
});
