import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { ENV_VARIABLES } from '../../src/config.js';
import { execForm, ignoreStyleMatch, parseCopy, parseEnv, readDockerfile, readDockerignore, REPO } from './dockerfile.js';

/**
 * The deployment files against what the platforms document. The key lists are copied from the platforms' own
 * references, so a misspelt or invented key fails here instead of being silently ignored at deploy time.
 */

/**
 * Railway config as code, https://docs.railway.com/config-as-code/reference (source:
 * github.com/railwayapp/docs, content/docs/config-as-code/reference.md).
 */
const RAILWAY = {
  top: ['$schema', 'build', 'deploy', 'environments'],
  build: ['builder', 'watchPatterns', 'buildCommand', 'dockerfilePath', 'railpackVersion', 'nixpacksConfigPath', 'nixpacksPlan', 'nixpacksVersion'],
  deploy: [
    'startCommand',
    'preDeployCommand',
    'multiRegionConfig',
    'healthcheckPath',
    'healthcheckTimeout',
    'restartPolicyType',
    'restartPolicyMaxRetries',
    'cronSchedule',
    'overlapSeconds',
    'drainingSeconds',
  ],
  builders: ['RAILPACK', 'DOCKERFILE', 'NIXPACKS'],
  restartPolicies: ['ON_FAILURE', 'ALWAYS', 'NEVER'],
  /** Typed `number | null` in https://railway.com/railway.schema.json; a quoted number fails the deploy. */
  numeric: ['healthcheckTimeout', 'restartPolicyMaxRetries', 'overlapSeconds', 'drainingSeconds'],
};

/**
 * vercel.json, https://vercel.com/docs/project-configuration/vercel-json: the properties of the `VercelConfig`
 * type in @vercel/config 0.7.2 (dist/types.d.ts, "mirrors the vercel.json schema https://openapi.vercel.sh/vercel.json"),
 * plus `$schema`.
 */
const VERCEL_KEYS = [
  '$schema',
  'alias',
  'build',
  'builds',
  'bulkRedirectsPath',
  'bunVersion',
  'buildCommand',
  'cleanUrls',
  'crons',
  'devCommand',
  'env',
  'experimentalServices',
  'fluid',
  'framework',
  'functionFailoverRegions',
  'functions',
  'git',
  'github',
  'headers',
  'ignoreCommand',
  'images',
  'installCommand',
  'name',
  'outputDirectory',
  'passiveRegions',
  'redirects',
  'regions',
  'relatedProjects',
  'rewrites',
  'routes',
  'schedules',
  'scope',
  'trailingSlash',
  'version',
  'wildcard',
];

const dockerfile = readDockerfile();
const ignore = readDockerignore();
const runtime = dockerfile.stages.at(-1)!;
const allInstructions = dockerfile.stages.flatMap((s) => s.instructions);
/** Every path the image is built from, as COPY names it in the build context. */
const contextSources = allInstructions
  .filter((i) => i.keyword === 'COPY')
  .map(parseCopy)
  .filter((c) => c.from === null && c.heredoc === undefined)
  .flatMap((c) => c.sources);

/** The repository's files (tracked or not, minus what git ignores), relative with "/". */
function repoFiles(): string[] {
  return execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: REPO, encoding: 'utf8' })
    .split('\n')
    .filter((f) => f && existsSync(path.join(REPO, f)));
}

describe('Dockerfile', () => {
  it('builds on the current Node LTS image, for both stages', () => {
    expect(dockerfile.globalArgs.NODE_IMAGE).toBe('node:24-bookworm-slim');
    expect(dockerfile.stages.map((s) => [s.name, s.image])).toEqual([
      ['build', 'node:24-bookworm-slim'],
      ['runtime', 'node:24-bookworm-slim'],
    ]);
  });

  it('copies only paths that exist and that .dockerignore lets into the build context', () => {
    expect(contextSources.length).toBeGreaterThan(0);
    for (const src of contextSources) {
      expect(existsSync(path.join(REPO, src)), `${src} exists`).toBe(true);
      expect(ignoreStyleMatch(src, ignore), `${src} is not excluded by .dockerignore`).toBe(false);
    }
    // Nothing the repository has under a copied directory is dropped on the way (git already leaves out builds).
    const files = repoFiles();
    for (const src of contextSources) {
      for (const f of files.filter((f) => f.startsWith(`${src}/`))) {
        expect(ignoreStyleMatch(f, ignore), `${f} reaches the build context`).toBe(false);
      }
    }
    // The image holds the backend and the organisms, never the dashboard or local installs.
    expect(contextSources.some((s) => s.startsWith('frontend'))).toBe(false);
    for (const kept of ['node_modules', 'backend/node_modules', 'backend/dist', 'backend/data', 'frontend', '.git', 'backend/.env']) {
      expect(ignoreStyleMatch(kept, ignore), `${kept} stays out of the build context`).toBe(true);
    }
  });

  it('installs pnpm 10 with npm, and the toolchain better-sqlite3 compiles with, in the build stage', () => {
    const runs = dockerfile.stages[0]!.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(runs).toContain('npm install --global pnpm@10');
    expect(runs.join('\n')).not.toMatch(/corepack/);
    expect(runs.find((r) => r.startsWith('apt-get'))).toMatch(/python3 make g\+\+/);
    expect(runs.join('\n')).toMatch(/pnpm install --frozen-lockfile --prod --filter @ouroboros\/backend/);
  });

  it('runs compiled JavaScript as configured for a platform: ::, $PORT, /data, a Node HEALTHCHECK', () => {
    const env = Object.assign({}, ...runtime.instructions.filter((i) => i.keyword === 'ENV').map(parseEnv));
    expect(env).toMatchObject({ NODE_ENV: 'production', HOST: '::', PORT: '8000', DATA_DIR: '/data', ORGANISMS_DIR: '/app/organisms' });
    const cmd = execForm(runtime.instructions.find((i) => i.keyword === 'CMD')!);
    expect(cmd[0]).toBe('node');
    expect(cmd.at(-1)).toBe('dist/server.js');
    const health = execForm(runtime.instructions.find((i) => i.keyword === 'HEALTHCHECK')!);
    expect(health[0], 'slim images have no curl').toBe('node');
    expect(health.join(' ')).toMatch(/\/health/);
    // Railway refuses images that declare a VOLUME; its volumes are attached to the service instead.
    expect(allInstructions.some((i) => i.keyword === 'VOLUME')).toBe(false);
    // The server itself drops root (see the entrypoint); a USER line would stop it from fixing a volume's owner.
    const entrypoint = execForm(runtime.instructions.find((i) => i.keyword === 'ENTRYPOINT')!);
    expect(entrypoint).toEqual(['tini', '--', 'ouroboros-entrypoint']);
    const script = runtime.instructions.find((i) => i.keyword === 'COPY' && i.args.includes('/usr/local/bin/ouroboros-entrypoint'))!;
    expect(script.heredoc).toMatch(/exec setpriv --reuid=/);
  });
});

describe('railway.toml', () => {
  const config = parseToml(readFileSync(path.join(REPO, 'railway.toml'), 'utf8')) as Record<string, any>;

  it('uses only keys Railway documents', () => {
    for (const key of Object.keys(config)) expect(RAILWAY.top, `top-level key ${key}`).toContain(key);
    for (const key of Object.keys(config.build ?? {})) expect(RAILWAY.build, `build.${key}`).toContain(key);
    for (const key of Object.keys(config.deploy ?? {})) expect(RAILWAY.deploy, `deploy.${key}`).toContain(key);
    for (const key of RAILWAY.numeric) {
      if (key in config.deploy) expect(typeof config.deploy[key], `deploy.${key} is a number`).toBe('number');
    }
  });

  it('builds the Dockerfile, checks /health, restarts on failure, and drains long enough to shut down cleanly', () => {
    expect(RAILWAY.builders).toContain(config.build.builder);
    expect(config.build.builder).toBe('DOCKERFILE');
    expect(existsSync(path.join(REPO, config.build.dockerfilePath))).toBe(true);
    expect(config.deploy.healthcheckPath).toBe('/health');
    expect(config.deploy.healthcheckTimeout).toBeGreaterThanOrEqual(30);
    expect(RAILWAY.restartPolicies).toContain(config.deploy.restartPolicyType);
    expect(config.deploy.restartPolicyType).toBe('ON_FAILURE');
    expect(config.deploy.restartPolicyMaxRetries).toBeGreaterThan(0);
    // server.ts gives up on a slow shutdown after 8 s; Railway must not SIGKILL it before.
    expect(config.deploy.drainingSeconds).toBeGreaterThanOrEqual(10);
  });

  it('watches every input of the image, and every watch pattern matches something', () => {
    const patterns: string[] = config.build.watchPatterns;
    const files = repoFiles();
    for (const p of patterns.filter((p) => !p.startsWith('!'))) {
      expect(files.some((f) => ignoreStyleMatch(f, [p])), `watch pattern ${p} matches a file`).toBe(true);
    }
    for (const src of contextSources) {
      const inputs = files.filter((f) => f === src || f.startsWith(`${src}/`));
      expect(inputs.length, `${src} has files`).toBeGreaterThan(0);
      for (const f of inputs.filter((f) => !f.endsWith('.test.ts'))) expect(ignoreStyleMatch(f, patterns), `${f} triggers a deploy`).toBe(true);
    }
    // A change to the dashboard alone does not redeploy the backend.
    expect(ignoreStyleMatch('frontend/app/page.tsx', patterns)).toBe(false);
  });
});

describe('vercel.json', () => {
  const check = (file: string) => {
    const config = JSON.parse(readFileSync(file, 'utf8')) as Record<string, any>;
    for (const key of Object.keys(config)) expect(VERCEL_KEYS, `${path.relative(REPO, file)}: ${key}`).toContain(key);
    return config;
  };

  it('at the root uses only documented keys and points the Next.js builder at the dashboard', () => {
    const config = check(path.join(REPO, 'vercel.json'));
    // Read only when the Vercel project's Root Directory is the repository root (see DEPLOYMENT.md).
    expect(config.builds).toEqual([{ src: 'frontend/package.json', use: '@vercel/next' }]);
    const pkg = JSON.parse(readFileSync(path.join(REPO, config.builds[0].src), 'utf8'));
    expect(pkg.dependencies.next, 'the builder finds Next.js in that package.json').toBeDefined();
    expect(pkg.scripts.build).toMatch(/next build/);
  });

  it('in frontend/ (read when the Root Directory is frontend), if there is one, uses only documented keys', () => {
    const file = path.join(REPO, 'frontend', 'vercel.json');
    if (!existsSync(file)) return;
    const config = check(file);
    if ('framework' in config) expect(config.framework).toBe('nextjs');
  });

  it('both send the frame, sniffing and referrer protections on every path (the CSP comes from next.config.ts)', () => {
    for (const file of [path.join(REPO, 'vercel.json'), path.join(REPO, 'frontend', 'vercel.json')]) {
      const config = check(file);
      const all = (config.headers as { source: string; headers: { key: string; value: string }[] }[]).find((h) => h.source === '/(.*)');
      const sent = Object.fromEntries((all?.headers ?? []).map((h) => [h.key.toLowerCase(), h.value]));
      expect(sent, path.relative(REPO, file)).toEqual({ 'x-frame-options': 'DENY', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' });
      // A Content-Security-Policy here could replace next.config.ts's, which names the API: keep it out.
      expect(sent['content-security-policy']).toBeUndefined();
    }
  });
});

describe('environment variables', () => {
  const backendVars = ENV_VARIABLES;
  const deployment = readFileSync(path.join(REPO, 'DEPLOYMENT.md'), 'utf8');
  const envExample = readFileSync(path.join(REPO, 'backend/.env.example'), 'utf8');
  const exampleVars = [...envExample.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!);

  it('every variable the backend reads is in DEPLOYMENT.md and backend/.env.example', () => {
    expect(backendVars).toEqual(expect.arrayContaining(['PORT', 'HOST', 'DATA_DIR', 'CORS_ORIGINS']));
    for (const v of backendVars) {
      expect(deployment, `DEPLOYMENT.md documents ${v}`).toContain(`\`${v}\``);
      expect(exampleVars, `backend/.env.example lists ${v}`).toContain(v);
    }
  });

  it('backend/.env.example lists nothing the backend does not read', () => {
    for (const v of exampleVars) expect(backendVars, `${v} is read by config.ts`).toContain(v);
  });

  it("the dashboard's NEXT_PUBLIC_API_URL is documented too", () => {
    expect(deployment).toContain('`NEXT_PUBLIC_API_URL`');
    expect(readFileSync(path.join(REPO, 'frontend/.env.example'), 'utf8')).toMatch(/^NEXT_PUBLIC_API_URL=/m);
  });
});
