/**
 * Reads the repository's Dockerfile and .dockerignore, and replays a Dockerfile's COPY and RUN steps in plain
 * directories: there is no Docker engine where the tests run, but the steps that matter (installing from the
 * lockfile, compiling, installing production dependencies, laying out the runtime image) are ordinary commands.
 *
 * Only the subset of the Dockerfile syntax the repository uses is understood; anything else throws, so a new
 * instruction cannot be skipped silently.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

export interface Instruction {
  keyword: string;
  /** Everything after the keyword, continuation lines joined. */
  args: string;
  /** The body of a heredoc (`<<'EOF'` ... `EOF`), if the instruction has one. */
  heredoc?: string;
  line: number;
}

export interface Stage {
  name: string;
  image: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARGs declared before the first FROM, with their defaults. */
  globalArgs: Record<string, string>;
  stages: Stage[];
}

/** Splits a Dockerfile into stages of instructions: comments dropped, `\` continuations joined, heredocs read. */
export function parseDockerfile(text: string): Dockerfile {
  const lines = text.split('\n');
  const instructions: Instruction[] = [];
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i]!;
    if (/^\s*(#|$)/.test(line)) continue;
    let joined = '';
    while (/\\\s*$/.test(line)) {
      joined += `${line.replace(/\\\s*$/, '')} `;
      line = lines[++i] ?? '';
      // Comment lines inside a continuation are dropped by Docker too.
      while (/^\s*#/.test(line)) line = lines[++i] ?? '';
    }
    joined += line;
    const m = /^\s*([A-Za-z]+)\s+([\s\S]*)$/.exec(joined);
    if (!m) throw new Error(`Dockerfile line ${start + 1}: cannot parse "${joined}"`);
    const instruction: Instruction = { keyword: m[1]!.toUpperCase(), args: m[2]!.trim(), line: start + 1 };
    const here = /<<-?(['"]?)([A-Za-z_]+)\1/.exec(instruction.args);
    if (here) {
      const body: string[] = [];
      while (++i < lines.length && lines[i] !== here[2]) body.push(lines[i]!);
      if (i >= lines.length) throw new Error(`Dockerfile line ${start + 1}: heredoc ${here[2]} is not closed`);
      instruction.heredoc = `${body.join('\n')}\n`;
    }
    instructions.push(instruction);
  }

  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!m) throw new Error(`Dockerfile line ${ins.line}: cannot parse FROM ${ins.args}`);
      const image = m[1]!.replace(/\$\{?(\w+)\}?/g, (_, name: string) => globalArgs[name] ?? '');
      stages.push({ name: m[2] ?? String(stages.length), image, instructions: [] });
    } else if (stages.length === 0) {
      if (ins.keyword !== 'ARG') throw new Error(`Dockerfile line ${ins.line}: only ARG may come before FROM`);
      const [name, value = ''] = ins.args.split('=', 2) as [string, string?];
      globalArgs[name] = value;
    } else {
      stages.at(-1)!.instructions.push(ins);
    }
  }
  return { globalArgs, stages };
}

export function readDockerfile(): Dockerfile {
  return parseDockerfile(readFileSync(path.join(REPO, 'Dockerfile'), 'utf8'));
}

/** Splits shell-form words (no quotes are used in the COPY lines this understands). */
function words(s: string): string[] {
  return s.split(/\s+/).filter(Boolean);
}

export interface CopyStep {
  from: string | null;
  chmod: string | null;
  sources: string[];
  dest: string;
  heredoc?: string;
}

export function parseCopy(ins: Instruction): CopyStep {
  const parts = words(ins.args);
  let from: string | null = null;
  let chmod: string | null = null;
  while (parts[0]?.startsWith('--')) {
    const flag = parts.shift()!;
    const [name, value] = flag.slice(2).split('=', 2) as [string, string];
    if (name === 'from') from = value;
    else if (name === 'chmod') chmod = value;
    else throw new Error(`Dockerfile line ${ins.line}: COPY --${name} is not understood by this replay`);
  }
  const dest = parts.pop();
  if (!dest || parts.length === 0) throw new Error(`Dockerfile line ${ins.line}: COPY needs a source and a destination`);
  if (ins.heredoc !== undefined) return { from, chmod, sources: [], dest, heredoc: ins.heredoc };
  return { from, chmod, sources: parts, dest };
}

/** ENV key=value pairs (values without spaces, possibly quoted). */
export function parseEnv(ins: Instruction): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of ins.args.matchAll(/(\w+)=("([^"]*)"|'([^']*)'|\S*)/g)) env[m[1]!] = m[3] ?? m[4] ?? m[2]!;
  return env;
}

/** The JSON array of an exec-form ENTRYPOINT, CMD or HEALTHCHECK ... CMD. */
export function execForm(ins: Instruction): string[] {
  const json = ins.keyword === 'HEALTHCHECK' ? ins.args.replace(/^.*?\bCMD\s+/, '') : ins.args;
  const parsed = JSON.parse(json) as unknown;
  if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string')) {
    throw new Error(`Dockerfile line ${ins.line}: ${ins.keyword} must be in exec form (a JSON array)`);
  }
  return parsed;
}

// ---- .dockerignore -------------------------------------------------------------------------------------------

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      // "**/" matches any number of directories, including none.
      re += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * Whether a list of ignore-style patterns (.dockerignore, Railway's watch patterns) selects a path (relative to
 * the repository, with "/"): the last matching pattern wins, "!" negates, and a pattern that selects a directory
 * selects everything under it. A leading "/" anchors at the repository root, which these paths are relative to.
 */
export function ignoreStyleMatch(rel: string, patterns: readonly string[]): boolean {
  const parts = rel.split('/');
  let ignored = false;
  for (const raw of patterns) {
    const negate = raw.startsWith('!');
    const glob = path.posix.normalize((negate ? raw.slice(1) : raw).replace(/^\/+/, ''));
    const re = globToRegExp(glob);
    // The path itself or one of its parent directories.
    for (let n = parts.length; n >= 1; n--) {
      if (re.test(parts.slice(0, n).join('/'))) {
        ignored = !negate;
        break;
      }
    }
  }
  return ignored;
}

/** Whether .dockerignore keeps a context path out of the build context. */
export const dockerIgnored = ignoreStyleMatch;

export function readDockerignore(): string[] {
  const file = path.join(REPO, '.dockerignore');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

// ---- replay --------------------------------------------------------------------------------------------------

export interface SkipRule {
  pattern: RegExp;
  why: string;
}

export interface ReplayedStage {
  name: string;
  /** The directory standing for the stage's "/". */
  root: string;
  /** The last WORKDIR, mapped under root. */
  workdir: string;
  env: Record<string, string>;
  entrypoint: string[];
  cmd: string[];
  healthcheck: string[] | null;
  /** Maps an absolute path inside the image to the directory standing for it. */
  map(p: string): string;
}

export interface ReplayOptions {
  /** Where the stages' roots are made. */
  into: string;
  /** RUN steps that set up the platform (system packages, the pnpm binary) and are not replayed. */
  skip: readonly SkipRule[];
  /** Environment of the RUN steps besides each stage's ENV (PATH, HOME: the machine's pnpm and its store). */
  env: Record<string, string>;
  log?: (line: string) => void;
  /** Called for each RUN step a skip rule left out. */
  onSkip?: (rule: SkipRule, instruction: Instruction) => void;
}

/**
 * Replays every stage in order: WORKDIR and ENV as the image would have them, COPY from the build context
 * (honouring .dockerignore) or from an earlier stage, RUN through /bin/sh in the stage's working directory.
 */
export function replay(dockerfile: Dockerfile, opts: ReplayOptions): Map<string, ReplayedStage> {
  const ignore = readDockerignore();
  const done = new Map<string, ReplayedStage>();
  const log = opts.log ?? (() => {});
  for (const stage of dockerfile.stages) {
    if (done.has(stage.image)) throw new Error(`stage ${stage.name} builds on stage ${stage.image}: not supported by this replay`);
    const root = path.join(opts.into, stage.name);
    mkdirSync(root, { recursive: true });
    const map = (p: string) => path.join(root, p);
    const s: ReplayedStage = { name: stage.name, root, workdir: root, env: {}, entrypoint: [], cmd: [], healthcheck: null, map };
    for (const ins of stage.instructions) {
      switch (ins.keyword) {
        case 'WORKDIR':
          s.workdir = path.isAbsolute(ins.args) ? map(ins.args) : path.join(s.workdir, ins.args);
          mkdirSync(s.workdir, { recursive: true });
          break;
        case 'ENV':
          Object.assign(s.env, parseEnv(ins));
          break;
        case 'COPY':
          copyStep(parseCopy(ins), s, done, ignore);
          break;
        case 'RUN': {
          const skipped = opts.skip.find((r) => r.pattern.test(ins.args));
          if (skipped) {
            opts.onSkip?.(skipped, ins);
            log(`[${stage.name}] skip RUN ${ins.args.slice(0, 60)}... (${skipped.why})`);
            break;
          }
          log(`[${stage.name}] RUN ${ins.args}`);
          const started = Date.now();
          const r = spawnSync('/bin/sh', ['-c', ins.args], {
            cwd: s.workdir,
            env: { ...opts.env, ...s.env },
            encoding: 'utf8',
            maxBuffer: 64 * 1024 * 1024,
            timeout: 180_000,
          });
          if (r.status !== 0) {
            throw new Error(`Dockerfile line ${ins.line}: RUN ${ins.args}\nexited ${r.status ?? r.signal}\n${r.stdout}\n${r.stderr}`);
          }
          log(`[${stage.name}]   done in ${Date.now() - started} ms`);
          break;
        }
        case 'ENTRYPOINT':
          s.entrypoint = execForm(ins);
          break;
        case 'CMD':
          s.cmd = execForm(ins);
          break;
        case 'HEALTHCHECK':
          s.healthcheck = execForm(ins);
          break;
        case 'EXPOSE':
        case 'LABEL':
          break;
        default:
          throw new Error(`Dockerfile line ${ins.line}: ${ins.keyword} is not understood by this replay`);
      }
    }
    done.set(stage.name, s);
  }
  return done;
}

function copyStep(step: CopyStep, s: ReplayedStage, done: Map<string, ReplayedStage>, ignore: readonly string[]): void {
  const dest = path.isAbsolute(step.dest) ? s.map(step.dest) : path.join(s.workdir, step.dest);
  if (step.heredoc !== undefined) {
    mkdirSync(path.dirname(dest), { recursive: true });
    writeFileSync(dest, step.heredoc);
    if (step.chmod) chmodSync(dest, parseInt(step.chmod, 8));
    return;
  }
  const intoDir = step.dest.endsWith('/') || step.sources.length > 1;
  for (const src of step.sources) {
    let from: string;
    let filter: ((source: string) => boolean) | undefined;
    if (step.from) {
      const other = done.get(step.from);
      if (!other) throw new Error(`COPY --from=${step.from}: no such earlier stage`);
      from = other.map(src);
    } else {
      if (path.isAbsolute(src) || src.split('/').includes('..')) throw new Error(`COPY ${src}: not inside the build context`);
      if (dockerIgnored(path.posix.normalize(src), ignore)) throw new Error(`COPY ${src}: excluded by .dockerignore`);
      from = path.join(REPO, src);
      filter = (p) => !dockerIgnored(path.relative(REPO, p).split(path.sep).join('/'), ignore);
    }
    if (!existsSync(from)) throw new Error(`COPY ${src}: ${from} does not exist`);
    const isDir = statSync(from).isDirectory();
    // Docker copies a directory's contents; a file lands inside a directory destination or becomes it.
    const target = isDir ? dest : intoDir || (existsSync(dest) && statSync(dest).isDirectory()) ? path.join(dest, path.basename(src)) : dest;
    mkdirSync(isDir ? target : path.dirname(target), { recursive: true });
    cpSync(from, target, { recursive: true, verbatimSymlinks: true, ...(filter ? { filter } : {}) });
    if (step.chmod) chmodSync(target, parseInt(step.chmod, 8));
  }
}
