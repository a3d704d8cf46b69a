/**
 * The LLM as a mutation source, in the manner of FunSearch and OpenEvolve: a small population, the best few
 * versions shown to the model with their fitness (slowest first, the best last), and one request for a faster
 * version that keeps the contract. The answer may be a whole file or a unified diff against the best version.
 * Nothing the model answers is trusted: it is parsed and size-checked here, then gated and timed like any candidate.
 */
import type { CallBudget } from '../llm/call-budget.js';
import { parseRepairAnswer } from '../llm/answer.js';
import { LlmError, type ChatClient, type ChatMessage } from '../llm/client.js';
import { describeFitness, type PassedFitness } from './fitness.js';

export interface ShownVersion {
  source: string;
  fitness: PassedFitness;
}

export interface EvolvePromptInput {
  organism: string;
  contract: string;
  /** The versions to show, best first (as ranked); the prompt lists them slowest first. */
  versions: readonly ShownVersion[];
  /** Names of the gate's inputs and of the timed ones. */
  benchmark: { gate: readonly string[]; timed: readonly string[]; repeats: number };
  fileName?: string;
}

export const EVOLVE_SYSTEM_PROMPT = (fileName: string): string =>
  [
    `You make a small JavaScript program faster. It is the single file ${fileName}, run by Node.js as a CommonJS script: it reads one JSON input on stdin and prints its answer as JSON on its last stdout line (earlier lines are free-form progress).`,
    '',
    'Rules:',
    `1. Answer with exactly one fenced code block: either the whole new ${fileName} in a \`\`\`js block, or a unified diff against the best version shown (the last one) in a \`\`\`diff block (headers --- a/${fileName} and +++ b/${fileName}). Anything outside that block is ignored.`,
    '2. Keep the contract exactly: the same input and output format and the same answer on every valid input, edge cases included (empty input, one element, duplicates, already sorted, reversed...). The algorithm and the code are yours to change; the behaviour is not. A version that answers wrongly on any benchmark input is discarded.',
    '3. Fitness: correctness on a fixed benchmark is a gate; then speed, the median CPU time of the whole process over repeated runs on large inputs (Node start-up included); then code size in tokens breaks ties.',
    '4. Plain Node.js built-ins only: no dependencies, files, network, child processes or worker threads (a sandbox forbids them), and nothing kept between runs.',
    `5. Only ${fileName} can change.`,
  ].join('\n');

/** A fence longer than any run of backticks in the text. */
function fenceFor(text: string): string {
  const longest = Math.max(0, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  return '`'.repeat(Math.max(3, longest + 1));
}

export function buildEvolvePrompt(input: EvolvePromptInput): ChatMessage[] {
  const fileName = input.fileName ?? 'genome.js';
  const shown = [...input.versions].reverse(); // slowest first, the best last
  const sections = [
    `Organism: ${input.organism.replace(/\s+/g, ' ').slice(0, 100)}`,
    '',
    'Contract (what the program must do):',
    input.contract.trim(),
    '',
    `Benchmark: the oracle checks the answer on ${input.benchmark.gate.length} inputs (${input.benchmark.gate.join('; ')}); the timed ones are ${input.benchmark.timed.join('; ')}, each run ${input.benchmark.repeats} times.`,
    '',
    `Versions so far, slowest first (fitness: the sum of the median times of the timed inputs, lower is better; code size in tokens):`,
  ];
  shown.forEach((v, k) => {
    const best = k === shown.length - 1;
    const fence = fenceFor(v.source);
    sections.push(
      '',
      `### Version ${k}${best ? ' (the best so far)' : ''}: ${describeFitness(v.fitness)}`,
      `${fence}js`,
      v.source.endsWith('\n') ? v.source.slice(0, -1) : v.source,
      fence,
    );
  });
  const last = shown.length - 1;
  sections.push(
    '',
    `Write version ${last + 1}: faster than version ${last} while keeping the contract exactly. Reply with one \`\`\`js block holding the whole file, or one \`\`\`diff block against version ${last}.`,
  );
  return [
    { role: 'system', content: EVOLVE_SYSTEM_PROMPT(fileName) },
    { role: 'user', content: sections.join('\n') },
  ];
}

export interface LlmProposal {
  source: string;
  summary: string;
  detail: Record<string, unknown>;
}

export type LlmOutcome =
  | { kind: 'candidate'; proposal: LlmProposal }
  /** The model answered, but not with a usable candidate: counted as a candidate tried and refused. */
  | { kind: 'invalid'; reason: string; detail: Record<string, unknown> }
  /** No answer at all (budget spent, endpoint down): no candidate. */
  | { kind: 'none'; reason: string };

export interface LlmSourceOptions {
  client: ChatClient;
  budget: CallBudget;
  organism: string;
  /** The evolution run the calls are billed to. */
  runId?: string;
  contract: string;
  benchmark: EvolvePromptInput['benchmark'];
}

/** Asks the model once for a faster version of the best of `versions` (best first). */
export async function askForFaster(o: LlmSourceOptions, versions: readonly ShownVersion[], opts: { signal?: AbortSignal; temperature?: number } = {}): Promise<LlmOutcome> {
  const best = versions[0];
  if (!best) return { kind: 'none', reason: 'no version to improve' };
  // Before the hourly budget: a call the daily cap refuses must not use up one of the hour's calls.
  const refusal = o.client.refusal?.() ?? null;
  if (refusal !== null) return { kind: 'none', reason: refusal };
  if (!o.budget.take()) {
    return { kind: 'none', reason: `the hourly evolution LLM budget (${o.budget.limit}) is spent; next call in ${Math.ceil(o.budget.retryInMs / 1000)} s` };
  }
  const messages = buildEvolvePrompt({ organism: o.organism, contract: o.contract, versions, benchmark: o.benchmark });
  let completion;
  try {
    completion = await o.client.complete(messages, {
      signal: opts.signal,
      temperature: opts.temperature ?? 0.8,
      maxTokens: 4096,
      meter: { organism: o.organism, ref: o.runId ?? null },
    });
  } catch (err) {
    if (opts.signal?.aborted) return { kind: 'none', reason: 'cancelled' };
    return { kind: 'none', reason: err instanceof LlmError ? err.message : `LLM call failed: ${(err as Error).message}` };
  }
  const llm = {
    model: completion.model,
    promptTokens: completion.promptTokens,
    completionTokens: completion.completionTokens,
    latencyMs: completion.latencyMs,
    costUsd: completion.costUsd ?? null,
    shown: versions.length,
  };
  const parsed = parseRepairAnswer(completion.content, best.source);
  if (parsed.kind === 'invalid') return { kind: 'invalid', reason: `the answer was refused before any run: ${parsed.reason}`, detail: { llm } };
  return {
    kind: 'candidate',
    proposal: {
      source: parsed.source,
      summary: `the model (${completion.model}) wrote a faster version as a ${parsed.kind === 'diff' ? 'diff' : 'whole file'}, from the best of ${versions.length} shown`,
      detail: { llm: { ...llm, answer: parsed.kind } },
    },
  };
}
