/**
 * A YAML pack's parse is remembered in the cache directory (maskers/pack/load.ts): the same pack
 * whether the cache is empty, warm, damaged (never replaced) or cannot be written.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPack } from '../maskers/pack/load.js';
import { tempDir } from './helpers.js';

describe('the remembered parse of a YAML pack', () => {
  it('gives the same pack from the YAML, from the cache, beside a damaged cache entry it leaves alone, and without a writable cache', async () => {
    const cache = tempDir();
    const parsed = await loadPack('physics-post-1900', cache);
    expect(readdirSync(cache)).toEqual(['packs']);
    const entries = readdirSync(join(cache, 'packs'));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatch(/^[0-9a-f]{64}\.json$/);
    const entry = join(cache, 'packs', entries[0]);
    expect(JSON.parse(readFileSync(entry, 'utf8')).id).toBe('physics-post-1900');

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
