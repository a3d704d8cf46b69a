import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { AlertService } from './alerts/service.js';
import { OutboxStore } from './alerts/outbox-store.js';
import { AuditStore } from './audit/audit-store.js';
import { auditPromotions } from './audit/promotions.js';
import type { Config } from './config.js';
import { EventJournal } from './events/journal.js';
import { connectSources } from './events/sources.js';
import { EvolutionService } from './evolution/service.js';
import { ProposalStore } from './genome/proposals.js';
import { GenomeStore } from './genome/store.js';
import { buildLadder } from './healing/index.js';
import { CallBudget } from './llm/call-budget.js';
import { LlmLedger } from './llm/ledger.js';
import { discoverOrganisms } from './organism/discover.js';
import { loadOrganism, OrganismLoadError } from './organism/manifest.js';
import { configureRunner, localRunner, warmProcessRunner } from './runner/process-runner.js';
import type { Runner } from './runner/runner.js';
import { detectSandbox, sandboxStartupLines, type Sandbox, type SandboxSettings } from './sandbox/index.js'; // [sandbox]
import { lockDataDir, refuseLinkedStore } from './startup/data-dir-lock.js';
import { Fleet } from './watcher/fleet.js';
import { LogBook } from './watcher/logbook.js';
import { Supervisor } from './watcher/supervisor.js';

/** Everything the server runs, wired once: what the routes read and change, and how it all stops. */
export interface Services {
  config: Config;
  store: GenomeStore;
  /** HEAL_MODE=propose: verified changes waiting for a person, every organism's. */
  proposals: ProposalStore;
  logbook: LogBook;
  fleet: Fleet;
  evolution: EvolutionService;
  /** Every event of the supervisors, the log book and evolution, numbered and stored for GET /events. */
  journal: EventJournal;
  /** Every LLM call, its tokens and cost; the daily cap. */
  ledger: LlmLedger;
  sandbox: Sandbox; // [sandbox]
  /** Webhook alerts of crash loops, quarantines, failed heals... (GET /alerts). */
  alerts: AlertService;
  /** Who changed what (GET /audit). */
  audit: AuditStore;
  /** Stops the loops and evolution runs, closes the store and releases DATA_DIR. */
  close(): Promise<void>;
}

export interface ServiceOptions {
  logger: Logger;
  /** [sandbox] The organisms' sandbox settings, over the config's (SANDBOX, SANDBOX_DISABLE, SANDBOX_UID, ORGANISM_NODE). */
  sandbox?: SandboxSettings;
}

/** RUNNER=bullmq: runs go to the workers of a Redis queue; bullmq is loaded only then. */
async function queueRunner(config: Config): Promise<{ runner?: Runner }> {
  const { kind, redisUrl, fallback } = config.runner;
  if (kind !== 'bullmq' || !redisUrl) return {};
  const { QueueRunner } = await import('./runner/queue/queue-runner.js');
  return { runner: new QueueRunner({ redisUrl, organismsDir: config.organismsDir, local: localRunner(config.spawners), fallback }) };
}

/**
 * Loads the organisms, takes DATA_DIR (one server per DATA_DIR: a second one stops here, before it reads, sweeps
 * or migrates anything), opens the store, detects the sandbox and opens a supervisor per organism. Anything that
 * fails undoes what was done before it.
 */
export async function createServices(config: Config, opts: ServiceOptions): Promise<Services> {
  const { logger } = opts;
  const names = config.organisms ?? (await discoverOrganisms(config.organismsDir));
  if (!names.includes(config.organism)) {
    throw new OrganismLoadError(
      `The default organism "${config.organism}" is not among the organisms to run (${names.join(', ') || 'none found'} in ${config.organismsDir}). Set ORGANISM or ORGANISMS.`,
    );
  }
  const organisms = await Promise.all(names.map((name) => loadOrganism(config.organismsDir, name)));
  for (const o of organisms) {
    const bytes = Buffer.byteLength(o.seedSource);
    if (bytes > config.maxSourceBytes) {
      throw new OrganismLoadError(`organisms/${o.name}/${o.manifest.genome} is ${bytes} bytes, over MAX_SOURCE_BYTES=${config.maxSourceBytes}: raise MAX_SOURCE_BYTES, or leave this organism out (ORGANISMS).`);
    }
  }
  const sandboxSettings = opts.sandbox ?? config.sandbox; // [sandbox]
  // Every run of this process starts in a spawner process (SPAWNERS): the server's event loop never forks for one.
  configureRunner({ spawners: config.spawners, nice: config.organismNice, standby: config.standbyRuns, ...(await queueRunner(config)) });
  // They boot beside the store's opening and the sandbox's probes; awaited before the services are handed out.
  const runnerWarm = warmProcessRunner();
  mkdirSync(config.dataDir, { recursive: true });
  const lock = await lockDataDir(config.dataDir);
  let store: GenomeStore;
  try {
    refuseLinkedStore(config.dataDir);
    store = new GenomeStore(path.join(config.dataDir, 'ouroboros.db'));
  } catch (err) {
    lock.release();
    throw err;
  }
  const logbook = new LogBook(store, config.logRetention);
  const proposals = new ProposalStore(store.database);
  // One LLM budget for the whole server: several organisms must not multiply the bill.
  const llmBudget = config.llm ? new CallBudget(config.llm.callsPerHour) : null;
  // One bill too: the daily cap counts healing's and evolution's calls, for every organism.
  const ledger = new LlmLedger(store, { prices: config.llmBill.prices, dailyBudgetUsd: config.llmBill.dailyBudgetUsd }, config.llm?.model ?? null);
  const supervisors: Supervisor[] = [];
  let sandbox: Sandbox; // [sandbox]
  try {
    // [sandbox] Detected once, after the store exists (it is made 0600) and before the supervisors sweep their
    // run directories (the pidfiles of runs a killed server left behind are killed first).
    sandbox = await detectSandbox({ settings: sandboxSettings, dataDir: config.dataDir });
    logger.debug({ sandbox: sandbox.report.layers }, 'sandbox layers'); // [sandbox]
    for (const line of sandboxStartupLines(sandbox)) logger[line.level](line.text); // [sandbox]
    for (const organism of organisms) {
      const ladder = buildLadder(config, { knownFix: (fp) => store.knownLlmFix(organism.name, fp), budget: llmBudget, ledger });
      supervisors.push(
        await Supervisor.open({
          organism,
          store,
          logs: logbook,
          logger,
          dataDir: config.dataDir,
          loopIntervalMs: config.loopIntervalMs,
          outputCapBytes: config.outputCapBytes,
          autoHeal: config.autoHeal,
          healMode: config.healMode,
          proposalRuns: config.proposalRuns,
          proposals,
          rungs: ladder.rungs,
          missingRungs: ladder.missing,
          transientRetries: config.transientRetries,
          crashLoopFailures: config.crashLoopFailures,
          crashLoopWindowMs: config.crashLoopWindowMs,
          quarantineMaxBackoffMs: config.quarantineMaxBackoffMs,
          externalEdits: config.externalEdits,
          maxSourceBytes: config.maxSourceBytes,
          sandbox, // [sandbox]
          verifyPropertyInputs: config.verifyPropertyInputs,
          batchProof: config.healBatchProof,
          routineRuns: config.routineRuns,
          failingSeed: config.failingSeed,
        }),
      );
    }
  } catch (err) {
    store.close();
    lock.release();
    throw err;
  }
  const fleet = new Fleet(supervisors, config.organism);
  // Evolution: the fitness recorder and the evolution runs, measured in the same sandbox as every run.
  const evolution = new EvolutionService({ config, store, fleet, logbook, logger, sandbox, ledger });
  // The journal listens from the start: a client that connects later replays from its cursor.
  const journal = new EventJournal(store, { retention: config.events.retention });
  const disconnect = connectSources(journal, {
    supervisors: fleet.all(),
    logbook,
    evolution,
    onError: (err) => logger.error({ err }, 'an event could not be published to the stream'),
  });
  const alerts = new AlertService({
    config: config.alerts,
    dashboardUrl: config.dashboardUrl,
    outbox: new OutboxStore(store.database, config.alerts.outboxMax),
    supervisors: fleet.all(),
    logbook,
    logger,
  });
  alerts.start();
  const audit = new AuditStore(store.database, config.auditRetention);
  const stopAuditing = auditPromotions(audit, fleet.all(), logger);
  await runnerWarm;
  return {
    config,
    store,
    proposals,
    logbook,
    fleet,
    evolution,
    journal,
    ledger,
    sandbox,
    alerts,
    audit,
    async close() {
      await Promise.all([evolution.stop(), fleet.stop()]);
      disconnect();
      stopAuditing();
      await alerts.stop();
      store.close();
      lock.release();
    },
  };
}
