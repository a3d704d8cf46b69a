/** What the gauntlet and the soak share about their command lines, parsed without a dependency. */

export class UsageError extends Error {
  override name = 'UsageError';
}

/** A comma-separated list, blanks dropped. */
export const list = (v: string): string[] => v.split(',').map((s) => s.trim()).filter(Boolean);

/**
 * Walks the arguments: `--flag value` and `--flag=value` alike, a lone `--` (what pnpm passes through) skipped.
 * `take()` returns the flag's value, or throws a UsageError naming the flag when there is none.
 */
export function eachFlag(argv: readonly string[], onFlag: (flag: string, take: () => string) => void): void {
  const args = [...argv];
  while (args.length > 0) {
    let flag = args.shift()!;
    if (flag === '--') continue;
    let value: string | undefined;
    const eq = flag.indexOf('=');
    if (flag.startsWith('--') && eq > 0) {
      value = flag.slice(eq + 1);
      flag = flag.slice(0, eq);
    }
    const name = flag;
    onFlag(name, () => {
      const v = value ?? args.shift();
      if (v === undefined || v === '') throw new UsageError(`${name} needs a value`);
      return v;
    });
  }
}

/**
 * A script's whole life: parse its arguments (a wrong one: the message and the usage, exit 2), `--help` (the usage,
 * exit 0), then `main`, whose result is the exit code (an error: exit 2 with its message, or its stack when it was
 * not the user's mistake).
 */
export function runScript<O extends { help: boolean }>(
  name: string,
  usage: string,
  parse: (argv: readonly string[]) => O,
  main: (options: O) => Promise<number>,
): void {
  let options: O;
  try {
    options = parse(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${usage}`);
    process.exit(2);
  }
  if (options.help) {
    process.stdout.write(usage);
    process.exit(0);
  }
  main(options).then(
    (code) => process.exit(code),
    (err: unknown) => {
      // fetch's "fetch failed" says nothing by itself: the socket error is its cause.
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause ? `\ncaused by: ${cause.code ?? ''} ${cause.message ?? String(cause)}`.trimEnd() : '';
      process.stderr.write(`${name}: ${err instanceof UsageError ? err.message : ((err as Error).stack ?? String(err))}${why}\n`);
      process.exit(2);
    },
  );
}
