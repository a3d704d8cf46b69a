/**
 * The batch host: one sandboxed node process that runs a genome on many inputs (src/runner/batch/run-batch.ts starts
 * it). With the job's \`contexts\`, each input runs first in a fresh \`vm\` context of the host's own thread: a few
 * milliseconds where a worker thread's start costs 50-80. A context offers only what a one-shot organism needs
 * (process.stdin's data and end, process.stdout and stderr, console, Buffer, hrtime, argv, env, exit and exitCode);
 * a genome that reaches for anything else (require, timers, another global or process property) is run again in a
 * worker thread of its own, which has all of Node. A context is no security boundary (vm's own documentation says
 * so): the boundary is the sandboxed process around the host, the same for both. Contexts are for a fresh global
 * state per input and a cheap start. It is plain JavaScript kept as text, as the sandbox's probe is: the server
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

// Bytes per 'data' event, as a pipe delivers a large input: a genome that assumes one chunk fails here as it would.
const STDIN_CHUNK = 65536;

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
      t: job.token, i: i, via: 'worker', exitCode: exitCode, error: error, timedOut: timedOut, outputLimited: outputLimited,
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
  // In a pipe's chunks, as a process reads its stdin: in one write, a worker would get a large input in one piece.
  const bytes = Buffer.from(job.cases[i], 'utf8');
  for (let at = 0; at < bytes.length; at += STDIN_CHUNK) worker.stdin.write(bytes.subarray(at, at + STDIN_CHUNK));
  worker.stdin.end();
}

const vm = process.getBuiltinModule('node:vm');
const util = process.getBuiltinModule('node:util');
const { StringDecoder } = process.getBuiltinModule('node:string_decoder');

// The genome compiled once for every context: { script }, { broken } (a syntax error: every case fails at once, as
// it does as a process, with no worker started for it), or null (an ES module, or unreadable: workers say how).
let compiled;
function genomeScript(job) {
  if (compiled !== undefined) return compiled;
  try {
    const text = process.getBuiltinModule('node:fs').readFileSync(job.genome, 'utf8').replace(/^#!.*/, '');
    // Node's own CommonJS wrapper, on the first line: the genome's line numbers stay its own.
    compiled = { script: new vm.Script('(function (exports, require, module, __filename, __dirname) {' + text + '\n})', { filename: job.genome }) };
  } catch (e) {
    const moduleSyntax = e && /import statement|export|import\.meta|await is only valid/.test(String(e.message));
    compiled = e instanceof SyntaxError && !moduleSyntax ? { broken: (e && e.stack) || String(e) } : null;
  }
  return compiled;
}

// Thrown through the genome's stack when it reaches past what a context offers; the case then runs in a worker,
// whatever the genome did with the throw.
function Unsupported(what) {
  this.what = what;
}

/**
 * One case in a fresh context: its report, or null for a case that must run in a worker (see Unsupported).
 */
function runInContext(job, i) {
  const compiled = genomeScript(job);
  if (!compiled) return null;
  if (compiled.broken) {
    return {
      t: job.token, i: i, via: 'context', exitCode: 1, error: compiled.broken, timedOut: false, outputLimited: false, durationMs: 0,
      stdout: '', stdoutTail: '', stderr: '', stdoutBytes: 0, stderrBytes: 0,
    };
  }
  const script = compiled.script;
  const started = process.hrtime.bigint();
  const out = capped(job.outputCapBytes);
  const err = capped(job.outputCapBytes);
  const st = { reached: null, exited: false, exitCode: undefined, timedOut: false, outputLimited: false, error: null, encoding: null };
  const listeners = { data: [], end: [] };
  const EXIT = {};
  const reach = (what) => {
    if (st.reached === null) st.reached = what;
    throw new Unsupported(what);
  };
  const writer = (buffer) => function write(chunk, encoding, cb) {
    if (typeof encoding === 'function' || typeof cb === 'function') reach('a write callback');
    if (st.exited) return true;
    if (typeof chunk === 'string') chunk = Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8');
    else if (ArrayBuffer.isView(chunk)) chunk = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    else reach('a write of something that is neither a string nor bytes');
    buffer.push(Buffer.from(chunk));
    if (out.total + err.total > job.outputKillBytes) {
      st.outputLimited = true;
      st.exited = true;
      throw EXIT;
    }
    return true;
  };
  const strict = (name, target) => new Proxy(target, {
    get(t, k) {
      if (typeof k === 'symbol' || Object.prototype.hasOwnProperty.call(t, k)) return t[k];
      return reach(name + '.' + k);
    },
    set(t, k, v) {
      if (name === 'process' && k === 'exitCode') return (t.exitCode = v), true;
      return reach('setting ' + name + '.' + String(k));
    },
  });
  const stdinTarget = {
    on(event, fn) {
      if (typeof fn !== 'function') reach('process.stdin.on without a function');
      if (event === 'data' || event === 'end') listeners[event].push(fn);
      else if (event !== 'error') reach('process.stdin.on(' + String(event) + ')');
      return stdin;
    },
    setEncoding(e) {
      st.encoding = e === undefined ? 'utf8' : String(e);
      return stdin;
    },
    resume() {
      return stdin;
    },
  };
  stdinTarget.addListener = stdinTarget.on;
  const stdin = strict('process.stdin', stdinTarget);
  const proc = strict('process', {
    stdin: stdin,
    stdout: strict('process.stdout', { write: writer(out), isTTY: false }),
    stderr: strict('process.stderr', { write: writer(err), isTTY: false }),
    argv: [process.execPath, job.genome],
    env: {},
    platform: process.platform,
    version: process.version,
    versions: process.versions,
    hrtime: process.hrtime,
    exitCode: undefined,
    exit(code) {
      if (code !== undefined) proc.exitCode = code;
      st.exited = true;
      throw EXIT;
    },
  });
  const print = (buffer) => function () {
    writer(buffer)(util.format.apply(null, arguments) + '\n');
  };
  const console = strict('console', { log: print(out), info: print(out), debug: print(out), error: print(err), warn: print(err) });
  const sandbox = { process: proc, console: console, Buffer: Buffer };
  const ctx = vm.createContext(sandbox, { microtaskMode: 'afterEvaluate' });
  // Every other global of Node is a reach for more than a context offers, typeof included.
  const own = new Set(Object.getOwnPropertyNames(vm.runInContext('globalThis', ctx)));
  for (const name of Object.getOwnPropertyNames(globalThis)) {
    if (own.has(name) || name in sandbox) continue;
    Object.defineProperty(ctx, name, { get: () => reach(name), set: () => reach('setting ' + name), configurable: true });
  }
  const left = () => job.timeLimitMs - Number(process.hrtime.bigint() - started) / 1e6;
  // Runs fn inside the context, bounded by what is left of the case's time; false once the case has ended.
  const call = (fn) => {
    if (st.exited || st.reached !== null) return false;
    const ms = Math.floor(left());
    if (ms < 1) {
      st.timedOut = true;
      return false;
    }
    ctx.__ouroborosCall = fn;
    try {
      vm.runInContext('__ouroborosCall()', ctx, { timeout: ms });
    } catch (e) {
      if (e === EXIT || e instanceof Unsupported || st.reached !== null) return false;
      if (e && e.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') st.timedOut = true;
      else st.error = (e && e.stack) || String(e);
      st.exited = true;
      return false;
    } finally {
      delete ctx.__ouroborosCall;
    }
    return !st.exited && st.reached === null;
  };
  const module = { exports: {}, id: '.', filename: job.genome, loaded: false, children: [], paths: [] };
  const fn = (() => {
    try {
      return script.runInContext(ctx);
    } catch (e) {
      return null;
    }
  })();
  if (!fn) return null;
  const require = () => reach('require');
  // The idiom of a script that runs only as the main module.
  require.main = module;
  if (call(() => fn.call(module.exports, module.exports, require, module, job.genome, process.getBuiltinModule('node:path').dirname(job.genome)))) {
    if (listeners.data.length > 0) {
      const bytes = Buffer.from(job.cases[i], 'utf8');
      const decoder = st.encoding ? new StringDecoder(st.encoding) : null;
      for (let at = 0; at < bytes.length; at += STDIN_CHUNK) {
        const chunk = bytes.subarray(at, at + STDIN_CHUNK);
        const data = decoder ? decoder.write(chunk) : Buffer.from(chunk);
        for (const f of listeners.data.slice()) if (!call(() => f.call(stdin, data))) break;
      }
      for (const f of listeners.end.slice()) if (!call(() => f.call(stdin))) break;
    } else if (listeners.end.length > 0) {
      // A paused stdin never ends: a real process exits without calling these. A worker says what that means.
      st.reached = st.reached === null ? 'process.stdin.on(end) without a data listener' : st.reached;
    }
  }
  if (st.reached !== null) return null;
  const code = st.error ? 1 : proc.exitCode === undefined ? 0 : proc.exitCode;
  if (!Number.isInteger(code)) return null;
  return {
    t: job.token, i: i, via: 'context', exitCode: st.timedOut ? null : code, error: st.error, timedOut: st.timedOut, outputLimited: st.outputLimited,
    durationMs: Number(process.hrtime.bigint() - started) / 1e6,
    stdout: out.text(), stdoutTail: out.tailText(), stderr: err.text(), stdoutBytes: out.total, stderrBytes: err.total,
  };
}

function report(r) {
  process.stdout.write(JSON.stringify(r) + '\n');
}

// Worker threads, job.parallelism at once, for the cases given.
function inWorkers(job, indexes) {
  let next = 0;
  const lane = () => {
    if (next >= indexes.length) return;
    const i = indexes[next++];
    runCase(job, i, (r) => {
      report(r);
      lane();
    });
  };
  for (let k = 0; k < Math.min(job.parallelism, indexes.length); k++) lane();
}

// A promise a genome rejected and never handled: a process would have died of it (exit code 1) after its turn of the
// event loop. Node says so between two turns, so a context's report waits one turn, and such a case goes to a worker.
let rejected = false;

let rejectionsHeard = false;
function listenForRejections() {
  rejectionsHeard = true;
  process.on('unhandledRejection', () => {
    rejected = true;
  });
}

function main(job) {
  const all = job.cases.map((_, i) => i);
  if (!job.contexts) return inWorkers(job, all);
  if (!rejectionsHeard) listenForRejections();
  const rest = [];
  let k = 0;
  const step = () => {
    if (k >= all.length) return inWorkers(job, rest);
    const i = all[k++];
    rejected = false;
    const r = runInContext(job, i);
    setImmediate(() => {
      if (r && !rejected) report(r);
      else rest.push(i);
      // A case that failed here (a crash, an exit code, a hang, a flood) ends the batch: its real run will most
      // likely fail too, and the caller stops at the first real failure, so the later cases would be wasted. Those
      // left unreported run as processes only if that real run passes. A wrong answer is the server's to judge.
      if (r && !rejected && (r.exitCode !== 0 || r.timedOut || r.outputLimited)) return inWorkers(job, rest);
      step();
    });
  };
  step();
}

// A warm host's job (src/runner/batch/warm-host.ts): its cases in fresh contexts only, since a worker would cost what
// the real run it stands for does. A case that needs more than a context gets no report; the line that ends the job
// tells the server that none will come, and it runs such cases as processes.
function serve(job, then) {
  let k = 0;
  const step = () => {
    if (k >= job.cases.length) {
      process.stdout.write(JSON.stringify({ t: job.token, end: true }) + '\n');
      return then();
    }
    const i = k++;
    rejected = false;
    const r = runInContext(job, i);
    setImmediate(() => {
      const counted = r && !rejected;
      if (counted) report(r);
      if (counted && (r.exitCode !== 0 || r.timedOut || r.outputLimited)) k = job.cases.length;
      step();
    });
  };
  step();
}

if (!wt.isMainThread) {
  denyWorkers();
  const genome = wt.workerData.genome;
  process.argv[1] = genome;
  process.getBuiltinModule('node:module').runMain(genome);
} else {
  // JSON holds no raw newline: each line of stdin is a warm host's job, served in turn while stdin stays open; what
  // is left unterminated at its end is a one-shot batch's only job.
  let pending = Buffer.alloc(0);
  const queue = [];
  let busy = false;
  const next = () => {
    if (busy || queue.length === 0) return;
    busy = true;
    serve(JSON.parse(queue.shift()), () => {
      busy = false;
      next();
    });
  };
  process.stdin.on('data', (c) => {
    pending = Buffer.concat([pending, c]);
    let nl;
    while ((nl = pending.indexOf(10)) >= 0) {
      if (!rejectionsHeard) listenForRejections();
      queue.push(pending.subarray(0, nl).toString('utf8'));
      pending = pending.subarray(nl + 1);
    }
    next();
  });
  process.stdin.on('end', () => {
    if (pending.length > 0) main(JSON.parse(pending.toString('utf8')));
  });
}
`;
