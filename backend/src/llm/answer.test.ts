import { readFileSync } from 'node:fs';
import { createTwoFilesPatch } from 'diff';
import { describe, expect, it } from 'vitest';
import { extractFencedBlocks, parseRepairAnswer, recountHunkHeaders } from './answer.js';

const healthy = readFileSync(new URL('../../../organisms/bubble-sort/genome.js', import.meta.url), 'utf8');
const broken = healthy.replace('if (values[i] > values[i + 1]) {', 'if (values[i] < values[i + 1]) {');

function diffOf(from: string, to: string, oldName = 'a/genome.js', newName = 'b/genome.js'): string {
  return createTwoFilesPatch(oldName, newName, from, to, undefined, undefined, { context: 3, headerOptions: { includeIndex: false, includeUnderline: false, includeFileHeaders: true } });
}

describe('parseRepairAnswer', () => {
  it('accepts a whole file in a ```js block, with prose around it', () => {
    const answer = `The comparison was inverted. Here is the fixed file:\n\n\`\`\`js\n${healthy}\`\`\`\n\nThis restores ascending order.`;
    expect(parseRepairAnswer(answer, broken)).toEqual({ kind: 'file', source: healthy });
  });

  it('accepts ```javascript and plain ``` blocks, and adds a missing final newline', () => {
    expect(parseRepairAnswer(`\`\`\`javascript\n${healthy.trimEnd()}\n\`\`\``, broken)).toEqual({ kind: 'file', source: healthy });
    expect(parseRepairAnswer(`\`\`\`\n${healthy.trimEnd()}\n\`\`\``, broken)).toEqual({ kind: 'file', source: healthy });
  });

  it('applies a unified diff in a ```diff block', () => {
    const answer = `Fix:\n\`\`\`diff\n${diffOf(broken, healthy)}\`\`\``;
    expect(parseRepairAnswer(answer, broken)).toEqual({ kind: 'diff', source: healthy });
  });

  it('recognises a diff in an unlabelled block and tolerates miscounted hunk headers', () => {
    const diff = diffOf(broken, healthy).replace(/@@ -(\d+),\d+ \+(\d+),\d+ @@/, '@@ -$1,9 +$2,2 @@');
    expect(parseRepairAnswer(`\`\`\`\n${diff}\`\`\``, broken)).toEqual({ kind: 'diff', source: healthy });
  });

  it('accepts a diff that names the genome by a longer path', () => {
    const diff = diffOf(broken, healthy, 'a/organisms/bubble-sort/genome.js', 'b/organisms/bubble-sort/genome.js');
    expect(parseRepairAnswer(`\`\`\`diff\n${diff}\`\`\``, broken).kind).toBe('diff');
  });

  it('refuses a diff that does not apply', () => {
    const elsewhere = healthy.replace('let passes = 0;', 'let passes = 1;');
    const diff = diffOf(elsewhere, elsewhere.replace('let passes = 1;', 'let passes = 2;'));
    expect(parseRepairAnswer(`\`\`\`diff\n${diff}\`\`\``, broken)).toEqual({ kind: 'invalid', reason: 'the diff does not apply to the current genome.js' });
  });

  it('refuses a diff touching another file, or several files', () => {
    const other = diffOf('a\n', 'b\n', 'a/oracle.js', 'b/oracle.js');
    expect(parseRepairAnswer(`\`\`\`diff\n${other}\`\`\``, broken)).toEqual({ kind: 'invalid', reason: 'the diff touches oracle.js; only genome.js may change' });
    const two = `${diffOf(broken, healthy)}${other}`;
    expect(parseRepairAnswer(`\`\`\`diff\n${two}\`\`\``, broken)).toEqual({ kind: 'invalid', reason: 'the diff touches 2 files; only genome.js may change' });
    const create = diffOf('', 'x\n', '/dev/null', 'b/genome.js');
    expect(parseRepairAnswer(`\`\`\`diff\n${create}\`\`\``, broken)).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/creates or deletes/) });
  });

  it('refuses diffs that do not parse or have no hunks', () => {
    expect(parseRepairAnswer('```diff\n--- a/genome.js\n+++ b/genome.js\n```', broken)).toEqual({ kind: 'invalid', reason: 'the diff has no hunks' });
    expect(parseRepairAnswer('```diff\n@@ -1,1 +1,1 @@\n*bogus\n```', broken)).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/does not parse/) });
  });

  it('refuses empty answers and answers without a code block', () => {
    expect(parseRepairAnswer('', broken)).toEqual({ kind: 'invalid', reason: 'the answer is empty' });
    expect(parseRepairAnswer('  \n ', broken)).toEqual({ kind: 'invalid', reason: 'the answer is empty' });
    expect(parseRepairAnswer('I think the bug is on line 24.', broken)).toEqual({ kind: 'invalid', reason: 'the answer has no fenced code block' });
    expect(parseRepairAnswer('```python\nprint(1)\n```', broken)).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/no ```js or ```diff block \(found: python\)/) });
    expect(parseRepairAnswer('```js\n```', broken)).toMatchObject({ kind: 'invalid', reason: 'the answer has no fenced code block' });
  });

  it('refuses ambiguous answers with several code blocks', () => {
    const answer = `Old:\n\`\`\`js\nif (a < b)\n\`\`\`\nNew:\n\`\`\`js\n${healthy}\`\`\``;
    expect(parseRepairAnswer(answer, broken)).toEqual({ kind: 'invalid', reason: 'the answer has 2 code blocks; expected exactly one' });
  });

  it('refuses a block cut off by the token limit', () => {
    expect(parseRepairAnswer(`\`\`\`js\n${healthy.slice(0, 300)}`, broken)).toEqual({ kind: 'invalid', reason: 'the code block is not closed (was the answer cut off?)' });
  });

  it('refuses oversized answers', () => {
    const huge = `\`\`\`js\n// ${'x'.repeat(70 * 1024)}\n${healthy}\`\`\``;
    expect(parseRepairAnswer(huge, broken)).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/over the 65536-byte cap/) });
    const big = `\`\`\`js\n// ${'x'.repeat(20 * 1024)}\n${healthy}\`\`\``;
    expect(parseRepairAnswer(big, broken)).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/over 4x the current one/) });
    expect(parseRepairAnswer(big, broken, { maxAnswerBytes: 1024 })).toMatchObject({ reason: expect.stringMatching(/1024-byte cap/) });
  });

  it('refuses sources that do not compile, naming the error', () => {
    const answer = '```js\nfunction bubbleSort(input {\n  return input;\n}\n```';
    expect(parseRepairAnswer(answer, broken)).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/^the proposed genome.js does not compile: Unexpected token \(1:/) });
    // A module is not a script: Node runs genome.js as CommonJS.
    expect(parseRepairAnswer('```js\nimport fs from "node:fs";\n```', broken)).toMatchObject({ reason: expect.stringMatching(/does not compile/) });
  });

  it('accepts a hashbang line', () => {
    expect(parseRepairAnswer('```js\n#!/usr/bin/env node\nconsole.log(1);\n```', broken)).toMatchObject({ kind: 'file' });
  });

  it('refuses an answer that changes nothing', () => {
    expect(parseRepairAnswer(`\`\`\`js\n${broken}\`\`\``, broken)).toEqual({ kind: 'invalid', reason: 'the answer does not change genome.js' });
  });
});

describe('extractFencedBlocks', () => {
  it('honours longer fences and tildes', () => {
    const blocks = extractFencedBlocks('````js\nconst a = 1;\n```\nnot closed yet\n````\n~~~diff\n@@ -1 +1 @@\n~~~');
    expect(blocks).toEqual([
      { lang: 'js', body: 'const a = 1;\n```\nnot closed yet', closed: true },
      { lang: 'diff', body: '@@ -1 +1 @@', closed: true },
    ]);
  });
});

describe('recountHunkHeaders', () => {
  it('rewrites counts from the hunk bodies and keeps the rest', () => {
    const diff = '--- a/genome.js\n+++ b/genome.js\n@@ -3,7 +3,1 @@ function f\n a\n-b\n+c\n+d\n \n e\n';
    expect(recountHunkHeaders(diff)).toBe('--- a/genome.js\n+++ b/genome.js\n@@ -3,4 +3,5 @@ function f\n a\n-b\n+c\n+d\n \n e\n');
  });
});
