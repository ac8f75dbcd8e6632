import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ALL_DETECTORS, CLI, jsonl, readCorpus, readJsonlFile, readManifest, ROOT, runCli, tempDir, WITHOUT_SEMANTIC } from './helpers.js';

const SAMPLE = join(ROOT, 'samples/physics-mini.jsonl');

function mask(inputs: string[], out: string, extra: string[] = []) {
  return runCli(['mask', ...inputs, '--pack', 'physics-post-1900', '--out', out, '--quiet', ...WITHOUT_SEMANTIC, ...extra]);
}

/** sha256 of every file of a run except the manifest (which alone holds timings). */
function outputDigests(outDir: string): Record<string, string> {
  const digests: Record<string, string> = {};
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path, `${prefix}${entry.name}/`);
      else if (entry.name !== 'manifest.json') digests[prefix + entry.name] = createHash('sha256').update(readFileSync(path)).digest('hex');
    }
  };
  walk(outDir, '');
  return digests;
}

/** A larger corpus built from the sample: every document many times, under new ids, with some rejects. */
function bigCorpus(path: string, copies: number): number {
  const docs = readFileSync(SAMPLE, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  const lines: string[] = [];
  for (let copy = 0; copy < copies; copy++) {
    for (const doc of docs) lines.push(JSON.stringify({ ...doc, id: `${doc.id}/${copy}` }));
    if (copy % 10 === 0) lines.push('{"id": "broken", ');
  }
  writeFileSync(path, lines.join('\n') + '\n');
  return lines.length;
}

describe('lacuna mask', () => {
  it('accounts for every record: input = kept + edited + dropped + rejected, and the outputs agree', async () => {
    const dir = tempDir();
    const input = join(dir, 'big.jsonl');
    const records = bigCorpus(input, 50);
    const out = join(dir, 'out');
    expect((await mask([input], out)).code).toBe(0);
    const manifest = readManifest(out);
    const { counts } = manifest;
    expect(counts.input).toBe(records);
    expect(counts.input).toBe(counts.kept + counts.edited + counts.dropped + counts.rejected);
    expect(counts.rejected).toBe(5);
    expect(counts.edited).toBeGreaterThan(0);
    expect(counts.dropped).toBeGreaterThan(0);
    expect(readCorpus(out)).toHaveLength(counts.kept + counts.edited);
    const edits = readJsonlFile<{ id: string; action: string }>(join(out, 'edits.jsonl.gz'));
    expect(edits.filter((edit) => edit.action === 'drop')).toHaveLength(counts.dropped);
    expect(new Set(edits.filter((edit) => edit.action !== 'drop').map((edit) => edit.id)).size).toBe(counts.edited);
    expect(readJsonlFile(join(out, 'rejects.jsonl'))).toHaveLength(counts.rejected);
    // The manifest cites the input and every output by hash.
    expect(manifest.inputs[0].sha256).toBe(createHash('sha256').update(readFileSync(input)).digest('hex'));
    for (const output of manifest.outputs) expect(createHash('sha256').update(readFileSync(join(out, output.path))).digest('hex')).toBe(output.sha256);
    expect(manifest.pack).toMatchObject({ id: 'physics-post-1900', version: expect.stringMatching(/^\d+\.\d+\.\d+$/), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(Object.keys(manifest.stages)).toEqual(['read', 'segment', 'detect', 'decide', 'edit', 'verify', 'write', 'merge', 'indexAndVerify']);
    expect(manifest.config.policy).toEqual({ unit: 'sentence', redact: false, placeholder: '[MASKED]', maxFlagged: 0.34, minScore: 0 });
    expect(manifest.config.detectors).toEqual(['lexical', 'entity', 'context']);
  });

  it('gives byte-identical outputs on a rerun, whatever the number of workers', async () => {
    const dir = tempDir();
    const input = join(dir, 'big.jsonl');
    bigCorpus(input, 30);
    const first = join(dir, 'first');
    const second = join(dir, 'second');
    const third = join(dir, 'third');
    expect((await mask([input], first, ['--workers', '2', '--shard-bytes', '20KB'])).code).toBe(0);
    expect((await mask([input], second, ['--workers', '2', '--shard-bytes', '20KB'])).code).toBe(0);
    expect((await mask([input], third, ['--workers', '0', '--shard-bytes', '20KB'])).code).toBe(0);
    const digests = outputDigests(first);
    expect(Object.keys(digests).filter((path) => path.startsWith('corpus/')).length).toBeGreaterThan(3);
    expect(outputDigests(second)).toEqual(digests);
    expect(outputDigests(third)).toEqual(digests);
    const withoutTimings = (outDir: string) => {
      // The seal covers the timings, so it differs with them.
      const { timings, stages, seal, ...rest } = readManifest(outDir);
      return rest;
    };
    expect(withoutTimings(second)).toEqual(withoutTimings(first));
  });

  it('gives byte-identical outputs on a rerun with the semantic detector and its index too', async () => {
    const first = join(tempDir(), 'first');
    const second = join(tempDir(), 'second');
    for (const out of [first, second]) expect((await runCli(['mask', SAMPLE, '--pack', 'physics-post-1900', '--out', out, '--quiet', ...ALL_DETECTORS])).code).toBe(0);
    const digests = outputDigests(first);
    expect(Object.keys(digests)).toEqual(expect.arrayContaining(['index/part-00000/hnsw.bin', 'index/part-00000/units.jsonl', 'report.json']));
    expect(outputDigests(second)).toEqual(digests);
  });

  it('exposes the index parameters (M, ef) and reports the recall they give against exact search', async () => {
    const out = join(tempDir(), 'out');
    expect((await runCli(['mask', SAMPLE, '--pack', 'physics-post-1900', '--out', out, '--quiet', '--index-m', '8', '--index-ef', '50', ...ALL_DETECTORS])).code).toBe(0);
    const { index } = readManifest(out).verification;
    expect(index.parameters).toEqual({ m: 8, efConstruction: 200, efSearch: 50 });
    expect(index.recallAt10).toBeGreaterThan(0.9);
    expect(index.units).toBeGreaterThan(20);
    const verify = await runCli(['verify', out, '--json', '--index-ef', '20']);
    expect(JSON.parse(verify.stdout).index.parameters.efSearch).toBe(20);
  });

  it('replays the edit log on the input to reproduce the corpus exactly, and notices when they disagree', async () => {
    const dir = tempDir();
    const input = join(dir, 'big.jsonl');
    bigCorpus(input, 20);
    const out = join(dir, 'out');
    expect((await mask([input], out, ['--shard-bytes', '16KB'])).code).toBe(0);
    const { counts } = readManifest(out);
    const replay = await runCli(['replay', out]);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain(`${counts.kept + counts.edited} identical to the corpus, ${counts.dropped} dropped as logged, 0 mismatched`);

    // Tamper with one document of the corpus: replay must name it.
    const shard = join(out, 'corpus', 'part-00001.jsonl.gz');
    const docs = readJsonlFile<{ id: string; text: string }>(shard);
    docs[3].text += ' An extra sentence.';
    writeFileSync(shard, gzipSync(jsonl(docs)));
    const tampered = await runCli(['replay', out]);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toContain(`${docs[3].id}: text differs`);
  });

  it('replays redactions and paragraph removal too', async () => {
    for (const extra of [['--redact'], ['--unit', 'paragraph'], ['--max-flagged', '1']]) {
      const out = join(tempDir(), 'out');
      expect((await mask([SAMPLE], out, extra)).code).toBe(0);
      const replay = await runCli(['replay', out]);
      expect(replay.stdout).toMatch(/ 0 mismatched/);
      expect(replay.code).toBe(0);
    }
  });

  it('never leaves a finished-looking output when killed midway, and the next run cleans up', async () => {
    const dir = tempDir();
    const input = join(dir, 'big.jsonl');
    bigCorpus(input, 4000);
    const out = join(dir, 'out');
    const child = spawn(process.execPath, [CLI, 'mask', input, '--pack', 'physics-post-1900', '--out', out, '--quiet', '--shard-bytes', '64KB'], { stdio: 'ignore' });
    // Kill once the run has written its first shards into a work unit's temporary directory.
    const shardsWritten = () => {
      const work = join(out, '.lacuna-work');
      if (!existsSync(work)) return 0;
      const units = readdirSync(work).flatMap((key) => readdirSync(join(work, key)).map((unit) => join(work, key, unit, 'corpus')));
      return units.filter((corpus) => existsSync(corpus)).reduce((sum, corpus) => sum + readdirSync(corpus).length, 0);
    };
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (shardsWritten() >= 2) {
          clearInterval(poll);
          child.kill('SIGKILL');
          resolve();
        }
      }, 20);
    });
    await new Promise((resolve) => child.on('close', resolve));
    const left = readdirSync(out);
    // Only the dead run's staging, lock and work units are left: no manifest, no output in place.
    expect(left.filter((name) => !name.startsWith('.lacuna-staging-') && name !== '.lacuna-lock' && name !== '.lacuna-work')).toEqual([]);
    // A new run into the same directory succeeds and removes the dead run's staging and units.
    expect((await mask([SAMPLE], out)).code).toBe(0);
    expect(readdirSync(out).filter((name) => name.startsWith('.'))).toEqual([]);
    expect(readManifest(out).counts.input).toBe(36);
  });

  it('replaces a finished run with --overwrite, leaving none of its old shards', async () => {
    const dir = tempDir();
    const input = join(dir, 'big.jsonl');
    bigCorpus(input, 20);
    const out = join(dir, 'out');
    expect((await mask([input], out, ['--shard-bytes', '8KB'])).code).toBe(0);
    expect(readdirSync(join(out, 'corpus')).length).toBeGreaterThan(3);
    expect((await mask([SAMPLE], out, ['--overwrite'])).code).toBe(0);
    expect(readdirSync(join(out, 'corpus'))).toEqual(['part-00000.jsonl.gz']);
    expect(readCorpus(out).length).toBe(readManifest(out).counts.kept + readManifest(out).counts.edited);
  });

  it('exits 1 with --fail-on-leak when verification fails, and reports the leaking passages', async () => {
    const dir = tempDir();
    const input = join(dir, 'leak.jsonl');
    // Redacting with a placeholder that itself names a target term leaves a lexical leak in the output.
    writeFileSync(input, jsonl([{ id: 'leaky', text: 'Maxwell wrote the equations. Special relativity came later. Hertz found the waves.' }]));
    const out = join(dir, 'out');
    const result = await mask([input], out, ['--redact', '--placeholder', '[special relativity removed]', '--fail-on-leak']);
    expect(result.code).toBe(1);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.verification.passed).toBe(false);
    expect(report.verification.concepts['special-relativity']).toMatchObject({ lexical: 1, passed: false });
    expect(report.verification.concepts['special-relativity'].passages[0]).toMatchObject({ id: 'leaky', leak: true, context: expect.stringContaining('⟦special relativity⟧') });
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('**Verification: FAILED: re-detection by rules (lexical, entity, context) left 1 finding(s), more than the 0 allowed per concept.');
    expect(readManifest(out).verification.passed).toBe(false);
  });

  it('prints where everything went, shows no progress when piped, and emits JSON lines with --log-format json', async () => {
    const out = join(tempDir(), 'out');
    const plain = await runCli(['mask', SAMPLE, '--pack', 'physics-post-1900', '--out', out]);
    expect(plain.code).toBe(0);
    expect(plain.stderr).toBe('');
    for (const name of ['corpus/', 'edits.jsonl.gz', 'findings.jsonl.gz', 'rejects.jsonl', 'manifest.json', 'report.md']) expect(plain.stdout).toContain(`${out}/${name}`);
    const json = await runCli(['mask', SAMPLE, '--pack', 'physics-post-1900', '--out', out, '--overwrite', '--log-format', 'json']);
    const events = json.stderr.trim().split('\n').map((line) => JSON.parse(line));
    expect(events.at(-1)).toMatchObject({ event: 'progress-done', command: 'mask', documents: 36 });
    expect(JSON.parse(json.stdout)).toMatchObject({ event: 'done', counts: { input: 36 } });
  });
});
