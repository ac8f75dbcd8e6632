/**
 * The dose ladder (issue 14): each level puts back that fraction of the passages the run removed,
 * deterministically and nested, and its manifest accounts for every passage restored.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCorpus, readJsonlFile, readManifest, ROOT, runCli, tempDir } from './helpers.js';

const SAMPLE = join(ROOT, 'samples', 'physics-mini.jsonl');
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const shards = (dir: string) => readdirSync(join(dir, 'corpus')).sort().map((name) => sha(join(dir, 'corpus', name)));

describe('lacuna dose', () => {
  it('puts back a nested, seeded fraction of the removed passages per level, and accounts for each', async () => {
    const dir = tempDir();
    const run = join(dir, 'run');
    // --unit sentence with --max-flagged 1: passages are sentences, not only whole documents.
    expect((await runCli(['mask', SAMPLE, '--pack', 'physics-post-1900', '--out', run, '--quiet', '--max-flagged', '1'])).code).toBe(0);
    const removed = readJsonlFile(join(run, 'edits.jsonl.gz')).length;
    expect(removed).toBeGreaterThan(20);
    const out = join(dir, 'dose');
    const result = await runCli(['dose', run, '--out', out, '--levels', '0,0.25,0.5,1', '--seed', '7']);
    expect(result.code).toBe(0);

    // Level 0 is the run's corpus, byte for byte; level 1 is the input.
    expect(shards(join(out, 'level-0'))).toEqual(shards(run));
    const input = readFileSync(SAMPLE, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { id: string; text: string });
    expect(readCorpus(join(out, 'level-1')).map((doc) => doc.text)).toEqual(input.map((doc) => doc.text));

    const restoredAt = (level: string) => readJsonlFile<{ seq: number; start: number }>(join(out, `level-${level}`, 'restored.jsonl')).map((row) => `${row.seq}:${row.start}`);
    for (const level of ['0', '0.25', '0.5', '1']) {
      const manifest = JSON.parse(readFileSync(join(out, `level-${level}`, 'manifest.json'), 'utf8'));
      expect(manifest.level).toBe(Number(level));
      expect(manifest.seed).toBe(7);
      expect(manifest.removedPassages).toBe(removed);
      expect(manifest.restoredPassages).toBe(Math.round(Number(level) * removed));
      expect(restoredAt(level).length).toBe(manifest.restoredPassages);
      expect(manifest.restored.sha256).toBe(sha(join(out, `level-${level}`, 'restored.jsonl')));
    }
    // Nested: what a lower level restores, a higher one restores too.
    expect(restoredAt('0.5')).toEqual(expect.arrayContaining(restoredAt('0.25')));
    expect(readManifest(out).levels.map((level: { level: number }) => level.level)).toEqual([0, 0.25, 0.5, 1]);

    // The same seed gives the same bytes; another seed another choice.
    const again = join(dir, 'again');
    expect((await runCli(['dose', run, '--out', again, '--levels', '0,0.25,0.5,1', '--seed', '7'])).code).toBe(0);
    expect(shards(join(again, 'level-0.25'))).toEqual(shards(join(out, 'level-0.25')));
    expect(sha(join(again, 'level-0.25', 'restored.jsonl'))).toBe(sha(join(out, 'level-0.25', 'restored.jsonl')));
    const other = join(dir, 'other');
    expect((await runCli(['dose', run, '--out', other, '--levels', '0.25', '--seed', '8'])).code).toBe(0);
    expect(readFileSync(join(other, 'level-0.25', 'restored.jsonl'), 'utf8')).not.toBe(readFileSync(join(out, 'level-0.25', 'restored.jsonl'), 'utf8'));
  });

  it('refuses levels outside 0 to 1, in one line', async () => {
    const run = await runCli(['dose', 'anywhere', '--out', join(tempDir(), 'x'), '--levels', '0,1.5']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe("lacuna: option '--levels <list>' argument '0,1.5' is invalid. expected fractions from 0 to 1, comma-separated, such as 0,0.001,0.01,0.1\n");
  });
});
