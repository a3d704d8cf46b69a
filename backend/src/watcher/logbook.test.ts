import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/fixtures.js';
import { GenomeStore } from '../genome/store.js';
import { LogBook } from './logbook.js';

let tmp: ReturnType<typeof tempDir>;
let store: GenomeStore;
beforeEach(() => {
  tmp = tempDir();
  store = new GenomeStore(path.join(tmp.dir, 's.db'));
});
afterEach(() => {
  store.close();
  tmp.cleanup();
});

describe('LogBook', () => {
  it('numbers entries and returns only newer ones with since', () => {
    const book = new LogBook(store, 1000);
    for (let i = 1; i <= 5; i++) book.append('o', 'watcher', 'info', `line ${i}`);
    expect(book.read(100, 3).map((e) => e.text)).toEqual(['line 4', 'line 5']);
    expect(book.read(2).map((e) => e.seq)).toEqual([4, 5]);
    expect(book.read(100, 5)).toEqual([]);
    expect(book.read(1, 0).map((e) => e.seq)).toEqual([1]);
  });

  it('continues its sequence after a restart, so a client since stays valid', () => {
    const first = new LogBook(store, 1000);
    first.append('o', 'chaos', 'warn', 'before restart');
    const second = new LogBook(store, 1000);
    const e = second.append('o', 'healer', 'info', 'after restart');
    expect(e.seq).toBe(2);
    expect(second.read(10, 0).map((x) => x.text)).toEqual(['before restart', 'after restart']);
  });

  it('keeps memory bounded however many entries arrive', () => {
    const book = new LogBook(store, 100_000);
    for (let i = 0; i < 8000; i++) book.append('o', 'organism', 'info', `#${i}`);
    expect(book.read(100_000).length).toBe(6000);
    expect(book.read(10, 7990).map((e) => e.seq)).toEqual([7991, 7992, 7993, 7994, 7995, 7996, 7997, 7998, 7999, 8000]);
  });

  it("filters by organism after since, so one organism's poll skips the others' lines", () => {
    const book = new LogBook(store, 1000);
    for (let i = 1; i <= 6; i++) book.append(i % 2 ? 'a' : 'b', 'watcher', 'info', `line ${i}`);
    expect(book.read(100, 2, 'a').map((e) => e.text)).toEqual(['line 3', 'line 5']);
    expect(book.read(1, undefined, 'b').map((e) => e.text)).toEqual(['line 6']);
  });
});
