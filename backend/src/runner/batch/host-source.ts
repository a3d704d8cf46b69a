/**
 * The batch host: one sandboxed node process that runs a genome on many inputs, each in a worker thread of its own
 * (src/runner/batch/run-batch.ts starts it). It is plain JavaScript kept as text, as the sandbox's probe is: the server
 * writes it beside the genome's scratch copy, so that the permission model can let the host read exactly these two
 * files, and neither tsx nor a build step stands between it and the organism's Node.
 *
 * Its stdin is one JSON job (see protocol.ts); its stdout is one JSON line per case, each carrying the job's token,
 * so that nothing a genome writes to the process's descriptor 1 can pass for a report. The same file is each worker's
 * entry: there it takes worker_threads' Worker away, as the permission model takes it from a real run (so that a case
 * cannot pass in a worker by doing what a real run may not), then runs the genome as the worker's main module.
 *
 * No template literal in the text below: it is one itself.
 */
export const BATCH_HOST_SOURCE = String.raw`'use strict';
const wt = process.getBuiltinModule('node:worker_threads');

function denyWorkers() {
  const Worker = function Worker() {
    const e = new Error('Access to this API has been restricted: a case of a batch proof may not start worker threads');
    e.code = 'ERR_ACCESS_DENIED';
    e.permission = 'WorkerThreads';
    throw e;
  };
  Object.defineProperty(wt, 'Worker', { value: Worker, writable: false, configurable: false, enumerable: true });
}

// Head and tail of a stream within a cap, as the server's CappedBuffer keeps them: the answer is in the tail.
function capped(cap) {
  const headCap = Math.floor(cap / 2);
  const tailCap = cap - headCap;
  const head = [];
  let headBytes = 0;
  let tail = [];
  let tailBytes = 0;
  const b = {
    total: 0,
    push(chunk) {
      b.total += chunk.length;
      if (headBytes < headCap) {
        const take = chunk.subarray(0, headCap - headBytes);
        head.push(take);
        headBytes += take.length;
        chunk = chunk.subarray(take.length);
        if (chunk.length === 0) return;
      }
      tail.push(chunk.length > tailCap ? chunk.subarray(chunk.length - tailCap) : chunk);
      tailBytes += Math.min(chunk.length, tailCap);
      if (tailBytes > 2 * tailCap) {
        const all = Buffer.concat(tail);
        tail = [all.subarray(all.length - tailCap)];
        tailBytes = tailCap;
      }
    },
    tailBuffer() {
      const all = Buffer.concat(tail);
      return all.length > tailCap ? all.subarray(all.length - tailCap) : all;
    },
    text() {
      const h = Buffer.concat(head).toString('utf8');
      const t = b.tailBuffer();
      const dropped = b.total - headBytes - t.length;
      return dropped > 0 ? h + '\n…[' + dropped + ' bytes dropped]…\n' + t.toString('utf8') : h + t.toString('utf8');
    },
    tailText() {
      return tailBytes > 0 ? b.tailBuffer().toString('utf8') : Buffer.concat(head).toString('utf8');
    },
  };
  return b;
}

// A worker whose streams never end after its exit must not hold the batch: its report goes without them.
const STREAMS_AFTER_EXIT_MS = 1000;

function runCase(job, i, done) {
  const started = process.hrtime.bigint();
  const out = capped(job.outputCapBytes);
  const err = capped(job.outputCapBytes);
  let timedOut = false;
  let outputLimited = false;
  let error = null;
  let exitCode = null;
  let durationMs = null;
  let pending = 3;
  let worker;
  const timers = [];
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    for (const t of timers) clearTimeout(t);
    done({
      t: job.token, i: i, exitCode: exitCode, error: error, timedOut: timedOut, outputLimited: outputLimited,
      durationMs: durationMs === null ? Number(process.hrtime.bigint() - started) / 1e6 : durationMs,
      stdout: out.text(), stdoutTail: out.tailText(), stderr: err.text(), stdoutBytes: out.total, stderrBytes: err.total,
    });
  };
  const settle = () => {
    if (--pending === 0) finish();
  };
  try {
    // The host's own file, which runs the genome as the worker's main module once it has taken Worker away. No
    // execArgv: a worker given one of its own does not inherit the process's permission model (Node 20).
    worker = new wt.Worker(job.host, {
      argv: [],
      workerData: { genome: job.genome },
      stdin: true,
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: job.maxOldSpaceMb },
    });
  } catch (e) {
    error = 'could not start a worker: ' + (e && e.message);
    return finish();
  }
  const stop = () => worker.terminate().catch(() => {});
  timers.push(setTimeout(() => { timedOut = true; stop(); }, job.timeLimitMs));
  const onData = (buffer) => (chunk) => {
    buffer.push(chunk);
    if (!outputLimited && out.total + err.total > job.outputKillBytes) {
      outputLimited = true;
      stop();
    }
  };
  worker.stdout.on('data', onData(out));
  worker.stderr.on('data', onData(err));
  worker.stdout.on('end', settle);
  worker.stderr.on('end', settle);
  worker.on('error', (e) => { error = (e && e.code ? e.code + ': ' : '') + (e && e.message); });
  worker.on('exit', (code) => {
    exitCode = code;
    durationMs = Number(process.hrtime.bigint() - started) / 1e6;
    timers.push(setTimeout(finish, STREAMS_AFTER_EXIT_MS));
    settle();
  });
  worker.stdin.on('error', () => {});
  worker.stdin.end(job.cases[i]);
}

function main(job) {
  let next = 0;
  const lane = () => {
    if (next >= job.cases.length) return;
    const i = next++;
    runCase(job, i, (report) => {
      process.stdout.write(JSON.stringify(report) + '\n');
      lane();
    });
  };
  for (let k = 0; k < Math.min(job.parallelism, job.cases.length); k++) lane();
}

if (!wt.isMainThread) {
  denyWorkers();
  const genome = wt.workerData.genome;
  process.argv[1] = genome;
  process.getBuiltinModule('node:module').runMain(genome);
} else {
  const chunks = [];
  process.stdin.on('data', (c) => chunks.push(c));
  process.stdin.on('end', () => main(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
}
`;
