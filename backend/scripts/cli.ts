/** What the gauntlet, the soak and the benchmarks share about their command lines. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

export class UsageError extends Error {
  override name = 'UsageError';
}

/** A comma-separated list, blanks dropped. */
export const list = (v: string): string[] => v.split(',').map((s) => s.trim()).filter(Boolean);

/**
 * Reads a command line's options with node:util's parseArgs: `--flag value` and `--flag=value` alike, any lone `--`
 * (what pnpm passes through) skipped. An unknown option, an argument that is not an option, or a flag without a
 * value is a UsageError naming it.
 */
export function readFlags<const T extends ParseArgsOptionsConfig>(argv: readonly string[], options: T): ParsedFlags<T> {
  let values: ParsedFlags<T>;
  try {
    ({ values } = parseArgs({ args: argv.filter((a) => a !== '--'), options, strict: true, allowPositionals: false }));
  } catch (err) {
    const code = (err as { code?: string }).code;
    const named = /'(-[^' ]+)/.exec((err as Error).message)?.[1] ?? '';
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown option "${named}"`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new UsageError(`${named} needs a value`);
    throw new UsageError((err as Error).message);
  }
  for (const [name, value] of Object.entries(values)) {
    if (value === '') throw new UsageError(`--${name} needs a value`);
  }
  return values;
}

type ParsedFlags<T extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ options: T; strict: true; allowPositionals: false }>>['values'];

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
