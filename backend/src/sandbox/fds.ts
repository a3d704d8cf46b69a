import { openSync, readdirSync, readFileSync } from 'node:fs';

const O_CLOEXEC = 0o2000000;

/**
 * This server's file descriptors above stderr that are not close-on-exec, so that a child would inherit them.
 * Node, libuv and SQLite open everything close-on-exec; what is left came from whoever started the server.
 */
export function inheritableFds(): number[] {
  let names: string[];
  try {
    names = readdirSync('/proc/self/fdinfo');
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const n of names) {
    const fd = Number(n);
    if (!Number.isInteger(fd) || fd <= 2) continue;
    try {
      const flags = /^flags:\s+([0-7]+)/m.exec(readFileSync(`/proc/self/fdinfo/${n}`, 'utf8'))?.[1];
      if (flags !== undefined && (parseInt(flags, 8) & O_CLOEXEC) === 0) out.push(fd);
    } catch {
      // closed meanwhile (readdir's own descriptor, for one)
    }
  }
  return out.sort((a, b) => a - b);
}

let devNull: number | null = null;
let leakedAtStart: number[] | null = null;

/**
 * The stdio array for spawn: three pipes, and /dev/null over every descriptor the child would otherwise inherit
 * (libuv dup2s onto those numbers in the child), so the organism never holds one of the server's files.
 *
 * The scan is done once, at the first run: what is not close-on-exec was inherited from whoever started the server,
 * and Node, libuv and SQLite open everything after that close-on-exec (sockets too, with accept4). Scanning before
 * every run read one /proc file per descriptor: with a thousand dashboards connected, two thousand reads on the
 * event loop for each run of each organism.
 */
export function sandboxStdio(): ('pipe' | 'ignore' | number)[] {
  const leaked = (leakedAtStart ??= inheritableFds());
  const stdio: ('pipe' | 'ignore' | number)[] = ['pipe', 'pipe', 'pipe'];
  if (leaked.length === 0) return stdio;
  devNull ??= openSync('/dev/null', 'r+');
  for (const fd of leaked) {
    if (fd === devNull) continue;
    while (stdio.length < fd) stdio.push('ignore');
    stdio[fd] = devNull;
  }
  return stdio;
}
