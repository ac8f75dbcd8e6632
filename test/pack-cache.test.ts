/**
 * A YAML pack's parse is remembered in the cache directory (maskers/pack/load.ts): the same pack
 * whether the cache is empty, warm, damaged (never replaced) or cannot be written; the cache keeps
 * the entries used last and prunes only files it can prove it wrote.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPack, PACK_CACHE_ENTRIES, prunePackCache } from '../maskers/pack/load.js';
import { tempDir } from './helpers.js';

describe('the remembered parse of a YAML pack', () => {
  it('gives the same pack from the YAML, from the cache, beside a damaged cache entry it leaves alone, and without a writable cache', async () => {
    const cache = tempDir();
    const parsed = await loadPack('physics-post-1900', cache);
    expect(readdirSync(cache)).toEqual(['packs']);
    const entries = readdirSync(join(cache, 'packs'));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatch(/^[0-9a-f]{64}\.v2\.json$/);
    const entry = join(cache, 'packs', entries[0]);
    const stored = JSON.parse(readFileSync(entry, 'utf8'));
    expect(stored).toMatchObject({ lacuna: 'pack-parse-v2', key: entries[0].slice(0, 64) });
    expect(stored.data.id).toBe('physics-post-1900');

    const remembered = await loadPack('physics-post-1900', cache);
    expect(remembered.pack).toEqual(parsed.pack);
    expect(remembered.sha256).toBe(parsed.sha256);

    // A torn entry (or any file Lacuna did not write there) is never replaced: the YAML is parsed
    // again, the file stays byte for byte, and nothing else is left in the cache.
    writeFileSync(entry, '{"id": "physics-post-19');
    expect((await loadPack('physics-post-1900', cache)).pack).toEqual(parsed.pack);
    expect(readdirSync(join(cache, 'packs'))).toEqual(entries);
    expect(readFileSync(entry, 'utf8')).toBe('{"id": "physics-post-19');

    // A cache directory that is a file: no cache, the same pack.
    const notADirectory = join(tempDir(), 'file');
    writeFileSync(notADirectory, 'not a directory');
    expect((await loadPack('physics-post-1900', notADirectory)).pack).toEqual(parsed.pack);
    expect(readFileSync(notADirectory, 'utf8')).toBe('not a directory');
  });

  it('keys the entry by the text: an edited pack is parsed again', async () => {
    const cache = tempDir();
    const dir = tempDir();
    const source = readFileSync(join(import.meta.dirname, '..', 'maskers', 'packs', 'algebra-pre-galois.yaml'), 'utf8');
    const file = join(dir, 'algebra.yaml');
    writeFileSync(file, source);
    const before = await loadPack(file, cache);
    writeFileSync(file, source.replace(/^version: .*$/m, 'version: 9.9.9'));
    const after = await loadPack(file, cache);
    expect(after.pack.version).toBe('9.9.9');
    expect(before.pack.version).not.toBe('9.9.9');
    expect(readdirSync(join(cache, 'packs'))).toHaveLength(2);
  });
});

/** An entry as Lacuna writes it (the mark, then the key of its file name), last used at `used` (seconds). */
function ownEntry(dir: string, seed: string, used: number): string {
  const key = createHash('sha256').update(seed).digest('hex');
  const path = join(dir, `${key}.v2.json`);
  writeFileSync(path, `{"lacuna":"pack-parse-v2","key":"${key}","data":{"id":"${seed}"}}`);
  utimesSync(path, used, used);
  return path;
}

describe('pruning the pack cache', () => {
  it('deletes the entries used longest ago beyond the limit, and nothing it cannot prove it wrote', async () => {
    const dir = tempDir();
    const entries = [1, 2, 3, 4, 5].map((n) => ownEntry(dir, `pack ${n}`, 1_000_000 + n * 1000));
    // Files that look like entries but that Lacuna did not write, or not under that name:
    const key = (seed: string) => createHash('sha256').update(seed).digest('hex');
    const firstFormat = join(dir, `${key('old')}.json`); // an entry of the first format: the data alone
    writeFileSync(firstFormat, '{"id":"old"}');
    const wrongKey = join(dir, `${key('a')}.v2.json`); // the mark, with another file's key inside
    writeFileSync(wrongKey, `{"lacuna":"pack-parse-v2","key":"${key('b')}","data":{}}`);
    const userFile = join(dir, `${key('user')}.v2.json`); // a user's file under an entry's name
    writeFileSync(userFile, '{"notes": "mine"}');
    const link = join(dir, `${key('link')}.v2.json`); // a link to an entry is not an entry
    symlinkSync(entries[4], link);
    for (const path of [firstFormat, wrongKey, userFile]) utimesSync(path, 1, 1);

    await prunePackCache(dir, 2);
    // The two used last stay; the three before them go; every other file is as it was.
    expect(entries.map((path) => existsSync(path))).toEqual([false, false, false, true, true]);
    expect(readFileSync(firstFormat, 'utf8')).toBe('{"id":"old"}');
    expect(readFileSync(userFile, 'utf8')).toBe('{"notes": "mine"}');
    expect(existsSync(wrongKey)).toBe(true);
    expect(existsSync(link)).toBe(true);
    expect(readdirSync(dir)).toHaveLength(6);
  });

  it('runs when an entry is written: a used entry counts as new, the oldest goes, and the cache stays at its limit', async () => {
    const cache = tempDir();
    const dir = join(cache, 'packs');
    const first = await loadPack('algebra-pre-galois', cache);
    const [algebra] = readdirSync(dir);
    utimesSync(join(dir, algebra), 500, 500);
    const fillers = Array.from({ length: PACK_CACHE_ENTRIES - 1 }, (_, n) => ownEntry(dir, `filler ${n}`, 1_000_000 + n));
    // A hit marks the algebra entry used now: it is no longer the oldest.
    expect((await loadPack('algebra-pre-galois', cache)).pack).toEqual(first.pack);
    expect(statSync(join(dir, algebra)).mtimeMs).toBeGreaterThan(statSync(fillers.at(-1)!).mtimeMs);
    // A new entry makes one too many: the filler used longest ago goes.
    await loadPack('computing-modern', cache);
    expect(readdirSync(dir)).toHaveLength(PACK_CACHE_ENTRIES);
    expect(existsSync(fillers[0])).toBe(false);
    expect(existsSync(fillers[1])).toBe(true);
    expect(existsSync(join(dir, algebra))).toBe(true);
  });
});
