import type { Logger } from 'pino';
import type { BatchMode } from '../runner/batch/run-batch.js';
import type { HealMode } from '../domain.js';
import type { ProposalStore } from '../genome/proposals.js';
import type { GenomeStore } from '../genome/store.js';
import type { HealStrategy } from '../healing/types.js';
import type { Organism } from '../organism/manifest.js';
import type { Sandbox } from '../sandbox/types.js'; // [sandbox]
import type { FailingSeedPolicy } from '../verification/seed.js';
import type { LogBook } from './logbook.js';

/** What a supervisor is given: its organism, the shared store and log book, and the settings of config.ts. */
export interface SupervisorOptions {
  organism: Organism;
  store: GenomeStore;
  logs: LogBook;
  logger: Logger;
  dataDir: string;
  loopIntervalMs: number;
  outputCapBytes: number;
  autoHeal: boolean;
  /** HEAL_MODE (the manifest's `healMode` wins): propose keeps verified changes as proposals until a person decides. */
  healMode: HealMode;
  /** PROPOSAL_RUNS: while a repair waits for a decision, keep running the failing genome or not. */
  proposalRuns: 'pause' | 'continue';
  /** The proposals table, shared by every organism (the routes list them all). */
  proposals: ProposalStore;
  rungs: readonly HealStrategy[];
  /** Rungs configured but unavailable, with why (shown when the ladder gives up). */
  missingRungs?: readonly string[];
  transientRetries: number;
  crashLoopFailures: number;
  crashLoopWindowMs: number;
  quarantineMaxBackoffMs: number;
  /** Take edits made to live.js from outside as new genomes (cause "external"). */
  externalEdits: boolean;
  killGraceMs?: number;
  /** [sandbox] The sandbox every run goes through, live runs and heal trials alike (src/sandbox). */
  sandbox?: Sandbox | null;
  /** MAX_SOURCE_BYTES: no larger source is stored, written, run or read from live.js. */
  maxSourceBytes?: number;
  /** VERIFY_PROPERTY_INPUTS: property inputs per verification for every organism (null: the manifest's). */
  verifyPropertyInputs?: number | null;
  /** HEAL_BATCH_PROOF: where verification proves passing inputs (Verifier's `batch`). */
  batchProof?: BatchMode | false;
  /** ROUTINE_RUNS: routine runs in a context of the organism's warm host first (default), or each as a process. */
  routineRuns?: 'contexts' | 'processes';
  /** FAILING_SEED: what a seed that fails its verification does at start (default: heal when the ladder can repair without history, see config.ts). */
  failingSeed?: FailingSeedPolicy;
}
