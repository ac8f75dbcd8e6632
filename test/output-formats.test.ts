/**
 * `--output-format jsonl.zst` (issue 14): shards of zstd frames, one per 1 MiB block, read back by
 * Lacuna itself (replay, verify) and by any zstd reader (a frame per block is a valid stream).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Decompress } from 'fzstd';
import { describe, expect, it } from 'vitest';
import { jsonl, readManifest, runCli, tempDir } from './helpers.js';

describe('--output-format jsonl.zst', () => {
  it('writes zstd shards that Lacuna reads back, record for record, across several frames', async () => {
    const dir = tempDir();
    const input = join(dir, 'in.jsonl');
    // About 3 MB: more than one 1 MiB block, so a shard holds several frames.
    const records = Array.from({ length: 12_000 }, (_, row) => ({ id: `r${row}`, text: `Record ${row}: the barometer fell before the storm, and the wind veered to the north-west by evening.`, n: row }));
    records[7].text += ' Special relativity abolished the ether.';
    writeFileSync(input, jsonl(records));
    const out = join(dir, 'out');
    expect((await runCli(['mask', input, '--pack', 'physics-post-1900', '--out', out, '--quiet', '--max-flagged', '1', '--output-format', 'jsonl.zst', '--detectors', 'lexical,entity,context'])).code).toBe(0);
    const shards = readdirSync(join(out, 'corpus'));
    expect(shards).toEqual(['part-00000.jsonl.zst']);
    const bytes = readFileSync(join(out, 'corpus', shards[0]));
    expect(bytes.readUInt32LE(0)).toBe(0xfd2fb528);
    // Decoded by an independent zstd reader: every record, in order, with only record 7 changed.
    const chunks: Uint8Array[] = [];
    const decoder = new Decompress((chunk) => chunks.push(chunk));
    decoder.push(bytes, true);
    const lines = Buffer.concat(chunks).toString('utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.length).toBe(records.length);
    expect(lines[7].text).toBe(records[7].text.replace(' Special relativity abolished the ether.', ''));
    expect(lines[8]).toEqual(records[8]);
    expect(readManifest(out).counts).toMatchObject({ input: 12_000, edited: 1 });
    expect((await runCli(['replay', out])).stdout).toBe('replayed 12000 documents: 12000 identical to the corpus, 0 dropped as logged, 0 mismatched\n');
    expect((await runCli(['verify', out])).code).toBe(0);
  });
});

describe('a writer given up after a failure', () => {
  // A unit stopped by --strict removed its staging directory with its files still open; Node then
  // closed them at garbage collection and printed a warning per file after the run's one-line error
  // (seen once in a full test run). Counting this process's open descriptors shows the close.
  const FD_DIR = '/proc/self/fd';
  const canCount = (() => {
    try {
      readdirSync(FD_DIR);
      return true;
    } catch {
      return false;
    }
  })();
  if (!canCount) console.warn(`skipped: ${FD_DIR} cannot be read here, so open descriptors cannot be counted`);

  it.runIf(canCount)('closes its files: gzip JSONL, shards and attributes', async () => {
    const { JsonlWriter } = await import('../corpora/writers/jsonl-writer.js');
    const { ShardedWriter } = await import('../corpora/writers/sharded-writer.js');
    const dir = tempDir();
    const before = readdirSync(FD_DIR).length;
    const log = new JsonlWriter(join(dir, 'edits.jsonl.gz'));
    const shards = new ShardedWriter(dir, 1 << 20);
    const record = { id: 'a', text: 'x'.repeat(4_000) };
    for (let i = 0; i < 400; i++) {
      await log.write(record);
      await shards.write(record);
    }
    expect(readdirSync(FD_DIR).length).toBeGreaterThan(before);
    await Promise.all([log.abandon(), shards.abandon()]);
    expect(readdirSync(FD_DIR).length).toBe(before);
  });
});
