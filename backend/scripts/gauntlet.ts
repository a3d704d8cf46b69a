/**
 * The gauntlet: a seeded series of chaos injections across every organism and chaos type, against a real
 * server, with a table of what was detected and healed and how fast.
 *
 *   pnpm gauntlet [--seed N] [--rounds N] [--types a,b] [--organisms a,b] [--url URL] ...   (--help for all)
 *
 * Starts its own server (src/server.ts, fresh DATA_DIR, LOOP_INTERVAL_MS=100) unless --url is given. The
 * organisms are attacked at the same time, one injection in flight per organism; then the latent mutants (--latent),
 * as outside edits. Exit code: 0 when every
 * detected failure was healed, 1 when one was not (or an organism never became healthy), 2 on an error.
 */
import { writeFileSync } from 'node:fs';
import { shuffled } from '../src/chaos/shuffle.js';
import { createRng } from '../src/lib/rng.js';
import { runScript, UsageError } from './cli.js';
import { parseArgs, USAGE, type GauntletOptions } from './gauntlet/args.js';
import { discover, type OrganismClient } from './gauntlet/client.js';
import { inject, recover, type InjectionPlan, type InjectionRecord } from './gauntlet/inject.js';
import { injectLatent, latentTable, searchLatent, type LatentRecord, type LatentSearchSummary } from './gauntlet/latent.js';
import { byTypeTable, leftBehindTable, notes, resultsTable, type LeftBehind } from './gauntlet/report.js';
import { startSoakServer, type SoakServer } from './soak/server.js';

const RANDOM = 'random';

/** Every injection, decided up front from the seed: the same seed, organisms and types give the same series. */
function planSeries(seed: number, rounds: number, organisms: string[], types: string[]): InjectionPlan[] {
  const rng = createRng(seed);
  const plan: InjectionPlan[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const organism of organisms) {
      for (const type of shuffled(types, rng)) plan.push({ round, organism, type, seed: rng.int(0, 0xffffffff) });
    }
  }
  return plan;
}

function describe(r: InjectionRecord): string {
  const head = `[${r.organism}] round ${r.round} ${r.type} (seed ${r.seed})`;
  switch (r.outcome) {
    case 'healed':
      return `${head}: ${r.verdict} detected in ${r.detectMs} ms, healed in ${r.healMs} ms -> generation ${r.healed!.generation} (${r.healed!.summary.slice(0, 60)})`;
    case 'equivalent':
      return `${head}: equivalent, the first runs passed (${r.chaos!.description.slice(0, 80)})`;
    case 'not-healed':
      return `${head}: ${r.verdict} detected in ${r.detectMs} ms, NOT HEALED: ${r.note}`;
    default:
      return `${head}: ${r.outcome}${r.note ? `: ${r.note}` : ''}`;
  }
}

async function leftBehind(org: OrganismClient): Promise<LeftBehind> {
  const [status, genomes] = await Promise.all([org.status(), org.allGenomes()]);
  const byCause: Record<string, number> = {};
  for (const g of genomes) byCause[g.cause] = (byCause[g.cause] ?? 0) + 1;
  return { organism: org.name, genomes: genomes.length, byCause, generation: status.generation, genomeId: status.genomeId, state: status.state };
}

async function main(o: GauntletOptions): Promise<number> {
  const log = (line: string) => {
    if (!o.quiet) process.stderr.write(`${line}\n`);
  };
  const started = Date.now();
  let server: SoakServer | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`${signal}: stopping the gauntlet\n`);
    void (server?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (o.url === null) {
      // The gauntlet changes genomes far faster than a person: lift the limit on changes per minute.
      const env: Record<string, string> = { LOOP_INTERVAL_MS: String(o.loopIntervalMs), LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '100000' };
      if (o.organisms) {
        env.ORGANISMS = o.organisms.join(',');
        // The default organism (the one the top-level routes answer for) must be among those run.
        const preferred = process.env.ORGANISM;
        env.ORGANISM = preferred && o.organisms.includes(preferred) ? preferred : o.organisms[0]!;
      }
      log(`starting a server (LOOP_INTERVAL_MS=${o.loopIntervalMs}${o.organisms ? `, ORGANISMS=${env.ORGANISMS}` : ''})...`);
      // It verifies every organism's genome 0 before it listens.
      server = await startSoakServer(env, 90_000, 'ouroboros-gauntlet-');
      log(`server ${server.url} (pid ${server.pid}, DATA_DIR ${server.dataDir})`);
    }
    const base = o.url ?? server!.url;
    const target = await discover(base);
    const known = target.organisms.map((c) => c.name);
    const wanted = o.organisms ?? known;
    const missing = wanted.filter((n) => !known.includes(n));
    if (missing.length > 0) throw new UsageError(`unknown organism(s) ${missing.join(', ')}; the server runs ${known.join(', ')}`);
    const allTypes = target.types.filter((t) => t !== RANDOM);
    const types = o.types ?? allTypes;
    const unknownTypes = types.filter((t) => !allTypes.includes(t));
    if (unknownTypes.length > 0) throw new UsageError(`unknown chaos type(s) ${unknownTypes.join(', ')}; valid: ${allTypes.join(', ')}`);
    const clients = target.organisms.filter((c) => wanted.includes(c.name));
    const plan = planSeries(o.seed, o.rounds, clients.map((c) => c.name), types);
    log(`gauntlet: seed ${o.seed}, ${o.rounds} round(s), ${clients.length} organism(s), ${types.length} type(s): ${plan.length} injections`);

    const records: InjectionRecord[] = [];
    await Promise.all(
      clients.map(async (client) => {
        for (const step of plan.filter((p) => p.organism === client.name)) {
          const record = await inject(client, step, o);
          records.push(record);
          log(describe(record));
          if (record.outcome === 'not-healed') await recover(client).catch(() => null);
        }
      }),
    );
    // The latent class, apart: found by measurement, injected as outside edits (the server's files must be ours).
    const latent: LatentRecord[] = [];
    const searches: LatentSearchSummary[] = [];
    if (o.latent > 0 && server) {
      for (const client of clients) {
        log(`[${client.name}] searching latent mutants (every single-site logic mutant against the suite, then random inputs)...`);
        const found = await searchLatent(client.name, o.latent);
        searches.push(found.summary);
        log(`[${client.name}] ${found.summary.found} latent mutant(s) of ${found.summary.tried} tried, in ${found.summary.seconds} s`);
        for (const m of found.mutants) {
          const record = await injectLatent(client, server.dataDir, m, { deadlineMs: o.deadlineMs });
          latent.push(record);
          log(`[${client.name}] latent ${m.type} line ${m.line} (${m.randomFailures}/${m.samples} random failures): ${record.outcome}${record.caughtOn ? ` on ${record.caughtOn}` : ''}${record.note ? `: ${record.note}` : ''}`);
          if (record.outcome !== 'caught') await recover(client).catch(() => null);
        }
      }
    }
    // Finished injections in plan order, not in the order the organisms happened to finish them.
    const order = (r: InjectionRecord) => plan.findIndex((p) => p.round === r.round && p.organism === r.organism && p.type === r.type);
    records.sort((a, b) => order(a) - order(b));
    const left = await Promise.all(clients.map(leftBehind));
    const seconds = Math.round((Date.now() - started) / 1000);

    const names = clients.map((c) => c.name);
    const out: string[] = [];
    out.push(`Gauntlet: seed ${o.seed}, ${o.rounds} round(s), ${names.length} organism(s), ${types.length} chaos type(s), ${records.length} injections, ${seconds} s`);
    out.push('');
    out.push(resultsTable(records, names, types));
    out.push('');
    out.push('By chaos type, over every organism:');
    out.push('');
    out.push(byTypeTable(records, types));
    out.push('');
    out.push('Genomes left behind:');
    out.push('');
    out.push(leftBehindTable(left));
    if (o.latent > 0) {
      out.push('');
      out.push('Latent mutants (wrong on fewer than 5% of random inputs), written into live.js as outside edits:');
      out.push('');
      out.push(server ? latentTable(latent, searches) : '(skipped: --url names a server whose files this gauntlet cannot write)');
    }
    const extra = notes(records);
    if (extra.length > 0) out.push('', ...extra.map((n) => `- ${n}`));
    const failed = records.filter((r) => r.outcome === 'not-healed' || r.outcome === 'skipped');
    const latentFailed = latent.filter((r) => r.outcome !== 'caught');
    out.push('');
    out.push(
      failed.length === 0
        ? 'Every detected failure was healed.'
        : `${failed.length} injection(s) failed: ${failed.map((r) => `${r.organism} ${r.type} round ${r.round} (chaos genome ${r.chaos?.genomeId ?? '-'}, live ${r.liveGenomeId ?? '-'})`).join('; ')}`,
    );
    if (latent.length > 0) {
      out.push(
        latentFailed.length === 0
          ? 'Every latent mutant was caught by its verification at promotion, and healed.'
          : `${latentFailed.length} latent mutant(s) not caught at promotion or not healed: ${latentFailed.map((r) => `${r.organism} ${r.type} line ${r.line} (${r.outcome})`).join('; ')}`,
      );
    }
    process.stdout.write(`${out.join('\n')}\n`);
    if (o.json) writeFileSync(o.json, `${JSON.stringify({ options: o, seconds, records, latent, latentSearches: searches, leftBehind: left }, null, 2)}\n`);
    return failed.length === 0 && latentFailed.length === 0 ? 0 : 1;
  } finally {
    await server?.stop();
  }
}

runScript('gauntlet', USAGE, parseArgs, main);
