import { describe, expect, it } from 'vitest';
import { alertBody, signature, webhookHost } from './payload.js';

describe('alert payload', () => {
  it("signs like GitHub's X-Hub-Signature-256 (GitHub's documented example)", () => {
    expect(signature("It's a Secret to Everybody", 'Hello, World!')).toBe('sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17');
  });

  it('links the dashboard on the organism and says it all in a Slack text', () => {
    const facts = { event: 'heal-failed' as const, organism: 'bubble-sort', time: '2026-01-01T00:00:00.000Z', generation: 4, summary: 'could not heal', reminder: false };
    expect(alertBody(7, facts, 'https://dash.example.com/app?x=1')).toEqual({
      id: 7,
      ...facts,
      dashboard: 'https://dash.example.com/app?x=1&organism=bubble-sort',
      text: '[ouroboros] could not heal <https://dash.example.com/app?x=1&organism=bubble-sort|open the dashboard>',
    });
    expect(alertBody(8, { ...facts, organism: null, reminder: true }, null)).toMatchObject({ dashboard: null, text: '[ouroboros, still] could not heal' });
  });

  it('shows a webhook by its host only', () => {
    expect(webhookHost('https://hooks.slack.com/services/T0/B0/XXXXSECRET')).toBe('hooks.slack.com');
    expect(webhookHost('http://127.0.0.1:9999/x')).toBe('127.0.0.1:9999');
  });
});
