import { watch, watchFile, unwatchFile } from 'node:fs';
import path from 'node:path';

/**
 * Calls `onChange` soon after the file changes. Editors save by rename as often as in place, so the
 * directory is watched, not the file; a one-second stat poll backs up fs.watch, which some file systems
 * (network mounts, some container overlays) never fire.
 */
export function watchLiveFile(file: string, onChange: () => void, debounceMs = 50): () => void {
  let timer: NodeJS.Timeout | null = null;
  const fire = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      onChange();
    }, debounceMs);
  };
  const name = path.basename(file);
  let watcher: ReturnType<typeof watch> | null = null;
  try {
    watcher = watch(path.dirname(file), (_event, changed) => {
      if (changed === null || changed === name) fire();
    });
    watcher.on('error', () => {});
  } catch {
    watcher = null;
  }
  watchFile(file, { interval: 1000 }, (curr, prev) => {
    if (curr.mtimeMs !== prev.mtimeMs || curr.size !== prev.size) fire();
  });
  return () => {
    if (timer) clearTimeout(timer);
    watcher?.close();
    unwatchFile(file);
  };
}
