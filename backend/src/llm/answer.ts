/**
 * Turns an LLM's answer into a candidate genome, or says why it cannot be one.
 * The candidate still has to pass a trial run; this only refuses what cannot possibly be a repair.
 */
import { parse } from 'acorn';
import { applyPatch, parsePatch, type StructuredPatch } from 'diff';

export type RepairAnswer = { kind: 'file' | 'diff'; source: string } | { kind: 'invalid'; reason: string };

export interface ParseAnswerOptions {
  /** The genome's file name; a diff may only touch this file (default "genome.js"). */
  fileName?: string;
  /** Largest answer accepted, in bytes (default: the larger of 64 KiB and 4x the current source). */
  maxAnswerBytes?: number;
}

export const MAX_ANSWER_BYTES = 64 * 1024;

interface Block {
  lang: string;
  body: string;
  closed: boolean;
}

/** Fenced code blocks (``` or ~~~, CommonMark-style: a closing fence is at least as long as the opening). */
export function extractFencedBlocks(text: string): Block[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let open: { char: string; len: number; lang: string; body: string[] } | null = null;
  for (const line of lines) {
    if (!open) {
      const m = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)[^`]*$/.exec(line);
      if (m) open = { char: (m[1] as string)[0] as string, len: (m[1] as string).length, lang: (m[2] ?? '').toLowerCase(), body: [] };
      continue;
    }
    const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line);
    if (close && (close[1] as string)[0] === open.char && (close[1] as string).length >= open.len) {
      blocks.push({ lang: open.lang, body: open.body.join('\n'), closed: true });
      open = null;
    } else {
      open.body.push(line);
    }
  }
  if (open) blocks.push({ lang: open.lang, body: open.body.join('\n'), closed: false });
  return blocks;
}

const JS_LANGS = new Set(['js', 'javascript', 'mjs', 'cjs', 'node', 'jsx', 'ecmascript']);
const DIFF_LANGS = new Set(['diff', 'patch', 'udiff']);

function looksLikeDiff(body: string): boolean {
  return /^(diff --git |--- \S|@@ -\d)/m.test(body) && /^@@ -\d+(,\d+)? \+\d+(,\d+)? @@/m.test(body);
}

/** Does the source compile as a script (what Node runs genome.js as)? Returns the error text if not. */
export function compileError(source: string): string | null {
  try {
    parse(source, { ecmaVersion: 'latest', sourceType: 'script', allowHashBang: true });
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/**
 * Rewrites hunk headers whose line counts do not match their bodies (language models miscount
 * them often); the start lines are kept, since applyPatch searches around them anyway.
 */
export function recountHunkHeaders(diff: string): string {
  const lines = diff.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  let i = 0;
  const isFileHeader = (k: number): boolean =>
    /^(diff |Index: |={10,})/.test(lines[k] ?? '') || (/^--- /.test(lines[k] ?? '') && /^\+\+\+ /.test(lines[k + 1] ?? ''));
  while (i < lines.length) {
    const line = lines[i] as string;
    const h = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@(.*)$/.exec(line);
    if (!h) {
      out.push(line);
      i++;
      continue;
    }
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !/^@@ /.test(lines[j] as string) && !isFileHeader(j)) {
      body.push(lines[j] as string);
      j++;
    }
    while (body.length > 0 && body[body.length - 1] === '') body.pop(); // trailing blank lines end the diff
    let oldN = 0;
    let newN = 0;
    for (const b of body) {
      const op = b === '' ? ' ' : b[0];
      if (op === ' ' || op === '-') oldN++;
      if (op === ' ' || op === '+') newN++;
    }
    out.push(`@@ -${h[1]},${oldN} +${h[2]},${newN} @@${h[3] ?? ''}`, ...body);
    const blanks = j - (i + 1) - body.length;
    for (let k = 0; k < blanks; k++) out.push('');
    i = j;
  }
  return out.join('\n');
}

function stripPrefix(name: string | undefined): string | undefined {
  if (name === undefined || name === '') return undefined;
  return name.replace(/^[ab]\//, '');
}

function diffTarget(patch: StructuredPatch, fileName: string): string | null {
  for (const raw of [patch.oldFileName, patch.newFileName]) {
    const name = stripPrefix(raw);
    if (name === undefined) continue;
    if (name === '/dev/null') return `the diff creates or deletes a file; only ${fileName} may change`;
    if (name !== fileName && !name.endsWith(`/${fileName}`)) return `the diff touches ${name}; only ${fileName} may change`;
  }
  return null;
}

function applyDiff(body: string, current: string, fileName: string): { source: string } | { reason: string } {
  let patches: StructuredPatch[];
  try {
    patches = parsePatch(body);
  } catch {
    try {
      patches = parsePatch(recountHunkHeaders(body));
    } catch (err) {
      return { reason: `the diff does not parse: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
  patches = patches.filter((p) => p.hunks.length > 0 || p.oldFileName !== undefined || p.newFileName !== undefined);
  if (patches.length > 1) return { reason: `the diff touches ${patches.length} files; only ${fileName} may change` };
  const patch = patches[0];
  if (!patch || patch.hunks.length === 0) return { reason: 'the diff has no hunks' };
  const wrongFile = diffTarget(patch, fileName);
  if (wrongFile) return { reason: wrongFile };
  const result = applyPatch(current, patch);
  if (result === false) return { reason: `the diff does not apply to the current ${fileName}` };
  return { source: result };
}

export function parseRepairAnswer(answer: string, currentSource: string, options: ParseAnswerOptions = {}): RepairAnswer {
  const fileName = options.fileName ?? 'genome.js';
  const currentBytes = Buffer.byteLength(currentSource, 'utf8');
  const maxAnswer = options.maxAnswerBytes ?? Math.max(MAX_ANSWER_BYTES, 4 * currentBytes);
  const invalid = (reason: string): RepairAnswer => ({ kind: 'invalid', reason });

  if (answer.trim() === '') return invalid('the answer is empty');
  const answerBytes = Buffer.byteLength(answer, 'utf8');
  if (answerBytes > maxAnswer) return invalid(`the answer is ${answerBytes} bytes, over the ${maxAnswer}-byte cap`);

  const blocks = extractFencedBlocks(answer).filter((b) => b.body.trim() !== '' || !b.closed);
  const classify = (b: Block): 'file' | 'diff' | null =>
    DIFF_LANGS.has(b.lang) ? 'diff' : JS_LANGS.has(b.lang) ? (looksLikeDiff(b.body) ? 'diff' : 'file') : b.lang === '' ? (looksLikeDiff(b.body) ? 'diff' : 'file') : null;
  const usable = blocks.filter((b) => classify(b) !== null);

  if (usable.length === 0) {
    if (blocks.length > 0) return invalid(`the answer has no \`\`\`js or \`\`\`diff block (found: ${blocks.map((b) => b.lang || 'plain').join(', ')})`);
    return invalid('the answer has no fenced code block');
  }
  if (usable.length > 1) return invalid(`the answer has ${usable.length} code blocks; expected exactly one`);
  const block = usable[0] as Block;
  if (!block.closed) return invalid('the code block is not closed (was the answer cut off?)');
  const kind = classify(block) as 'file' | 'diff';

  let source: string;
  if (kind === 'diff') {
    const applied = applyDiff(block.body, currentSource, fileName);
    if ('reason' in applied) return invalid(applied.reason);
    source = applied.source;
  } else {
    source = block.body.endsWith('\n') ? block.body : `${block.body}\n`;
    if (currentSource.includes('\r\n') && !source.includes('\r\n')) source = source.replace(/\n/g, '\r\n');
  }

  if (source.trim() === '') return invalid(`the proposed ${fileName} is empty`);
  const sourceBytes = Buffer.byteLength(source, 'utf8');
  const maxSource = Math.max(4 * currentBytes, 8 * 1024);
  if (sourceBytes > maxSource) return invalid(`the proposed ${fileName} is ${sourceBytes} bytes, over 4x the current one`);
  if (source === currentSource) return invalid(`the answer does not change ${fileName}`);
  const error = compileError(source);
  if (error) return invalid(`the proposed ${fileName} does not compile: ${error}`);
  return { kind, source };
}
