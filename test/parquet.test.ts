/**
 * Parquet input (issue 14): a file of several row groups is read group by group, each row a
 * record whose columns stay where they were; a damaged file keeps the rows before the damage.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { asyncBufferFromFile } from 'hyparquet/src/node.js';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { readCorpus, readJsonlFile, readManifest, runCli, tempDir } from './helpers.js';

const ROWS = 2500;
const text = (row: number) => (row % 10 === 0 ? `Record ${row}. Special relativity abolished the ether. The barometer fell. The wind veered. The rain gauge filled.` : `Record ${row} says the barometer fell before the storm.`);

function writeParquet(path: string): void {
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: 'id', data: Array.from({ length: ROWS }, (_, row) => BigInt(row)), type: 'INT64' },
      { name: 'text', data: Array.from({ length: ROWS }, (_, row) => text(row)), type: 'STRING' },
      { name: 'url', data: Array.from({ length: ROWS }, (_, row) => `https://example.org/${row}`), type: 'STRING' },
    ],
    rowGroupSize: 1000,
  });
  writeFileSync(path, Buffer.from(buffer));
}

describe('Parquet input', () => {
  it('masks a file of three row groups row by row, every column kept where it was', async () => {
    const dir = tempDir();
    const input = join(dir, 'rows.parquet');
    writeParquet(input);
    const out = join(dir, 'out');
    expect((await runCli(['mask', input, '--pack', 'physics-post-1900', '--out', out, '--quiet', '--max-flagged', '1'])).code).toBe(0);
    expect(readManifest(out).counts).toEqual({ input: ROWS, kept: ROWS - ROWS / 10, edited: ROWS / 10, dropped: 0, rejected: 0 });
    expect(readManifest(out).inputs[0]).toMatchObject({ format: 'parquet', records: ROWS });
    const corpus = readCorpus(out) as unknown as { id: number; text: string; url: string }[];
    expect(corpus.map((doc) => Object.keys(doc))).toEqual(Array.from({ length: ROWS }, () => ['id', 'text', 'url']));
    expect(corpus[1]).toEqual({ id: 1, text: text(1), url: 'https://example.org/1' });
    expect(corpus[2490]).toEqual({ id: 2490, text: 'Record 2490. The barometer fell. The wind veered. The rain gauge filled.', url: 'https://example.org/2490' });
    expect((await runCli(['replay', out])).stdout).toBe(`replayed ${ROWS} documents: ${ROWS} identical to the corpus, 0 dropped as logged, 0 mismatched\n`);
  });

  it('writes Parquet shards with --output-format parquet: the input schema and the expected rows come back', async () => {
    const dir = tempDir();
    const input = join(dir, 'rows.parquet');
    writeParquet(input);
    const out = join(dir, 'out');
    expect((await runCli(['mask', input, '--pack', 'physics-post-1900', '--out', out, '--quiet', '--max-flagged', '1', '--output-format', 'parquet', '--shard-bytes', '150KB'])).code).toBe(0);
    const shards = readManifest(out).outputs.filter((output: { path: string }) => output.path.startsWith('corpus/')).map((output: { path: string }) => join(out, output.path));
    expect(shards.length).toBeGreaterThan(1);
    expect(shards.every((path: string) => path.endsWith('.parquet'))).toBe(true);
    const rows: Record<string, unknown>[] = [];
    for (const shard of shards) {
      const buffer = await asyncBufferFromFile(shard);
      const metadata = await parquetMetadataAsync(buffer);
      // The same columns, with the types the input had: id INT64, text and url UTF-8 strings.
      const columns = metadata.schema.slice(1).map((element) => [element.name, element.type, element.converted_type ?? element.logical_type?.type ?? null]);
      expect(columns).toEqual([
        ['id', 'INT64', null],
        ['text', 'BYTE_ARRAY', 'UTF8'],
        ['url', 'BYTE_ARRAY', 'UTF8'],
      ]);
      rows.push(...(await parquetReadObjects({ file: buffer, metadata })));
    }
    expect(rows.length).toBe(ROWS);
    expect(rows[1]).toEqual({ id: 1n, text: text(1), url: 'https://example.org/1' });
    expect(rows[2490]).toEqual({ id: 2490n, text: 'Record 2490. The barometer fell. The wind veered. The rain gauge filled.', url: 'https://example.org/2490' });
    expect((await runCli(['replay', out])).stdout).toBe(`replayed ${ROWS} documents: ${ROWS} identical to the corpus, 0 dropped as logged, 0 mismatched\n`);
    expect((await runCli(['verify', out])).code).toBe(0);
  });

  it('keeps the rows it could read from a damaged file, and says where it stopped', async () => {
    const dir = tempDir();
    const whole = join(dir, 'whole.parquet');
    writeParquet(whole);
    const bytes = readFileSync(whole);
    const damaged = join(dir, 'damaged.parquet');
    writeFileSync(damaged, bytes.subarray(0, bytes.length - 40));
    const out = join(dir, 'out');
    expect((await runCli(['mask', damaged, '--pack', 'physics-post-1900', '--out', out, '--quiet'])).code).toBe(0);
    const [reject] = readJsonlFile<{ reason: string }>(join(out, 'rejects.jsonl'));
    expect(reject.reason).toMatch(/^not a readable Parquet file after row -1 \(.+\); the rows before it were kept$/);
  });
});
