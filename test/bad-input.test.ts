import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { jsonl, readCorpus, readJsonlFile, readManifest, ROOT, runCli, tempDir, type CliResult, WITHOUT_SEMANTIC } from './helpers.js';

const CLEAN = 'Faraday found that a changing magnetic field induces a current.';

function expectOneLineError(result: CliResult, pattern: RegExp): void {
  expect(result.code).toBe(2);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

function mask(inputs: string[], out: string, extra: string[] = []) {
  return runCli(['mask', ...inputs, '--pack', 'physics-post-1900', '--out', out, '--quiet', ...WITHOUT_SEMANTIC, ...extra]);
}

describe('bad input', () => {
  it('rejects each malformed record with file, line and reason, keeps the rest, and balances the counts', async () => {
    const dir = tempDir();
    const input = join(dir, 'mixed.jsonl');
    const lines = [
      JSON.stringify({ id: 'good', text: CLEAN }),
      '{"id": "broken", "text": "unterminated',
      JSON.stringify({ id: 'no-text', body: 'x' }),
      JSON.stringify({ id: 'number-text', text: 42 }),
      JSON.stringify({ id: 'empty', text: '' }),
      '[1, 2, 3]',
    ];
    const invalidUtf8 = Buffer.concat([Buffer.from('{"id": "latin", "text": "caf'), Buffer.from([0xe9]), Buffer.from('"}\n')]);
    writeFileSync(input, Buffer.concat([Buffer.from(lines.slice(0, 3).join('\n') + '\n'), invalidUtf8, Buffer.from(lines.slice(3).join('\n') + '\n')]));
    const out = join(dir, 'out');
    const result = await mask([input], out);
    expect(result.code).toBe(0);
    const rejects = readJsonlFile<{ file: string; line: number; reason: string }>(join(out, 'rejects.jsonl'));
    expect(rejects.map((reject) => [reject.line, reject.reason.split(':')[0]])).toEqual([
      [2, 'malformed JSON'],
      [3, "text field 'text' is missing"],
      [4, 'invalid UTF-8'],
      [5, "text field 'text' is a number, not a string"],
      [7, 'record is an array, not a JSON object'],
    ]);
    expect(rejects.every((reject) => reject.file === 'mixed.jsonl')).toBe(true);
    const manifest = readManifest(out);
    expect(manifest.counts).toEqual({ input: 7, kept: 2, edited: 0, dropped: 0, rejected: 5 });
    // The empty document is kept, not rejected.
    expect(readCorpus(out)).toEqual([
      { id: 'good', text: CLEAN },
      { id: 'empty', text: '' },
    ]);
  });

  it('keeps the records before the damage in a truncated .gz and rejects the rest as one record', async () => {
    const dir = tempDir();
    const records = Array.from({ length: 3000 }, (_, i) => ({ id: `r${i}`, text: `${CLEAN} Record ${i} of a long file, padded with text ${'x'.repeat(i % 50)}.` }));
    const whole = gzipSync(jsonl(records));
    const input = join(dir, 'cut.jsonl.gz');
    writeFileSync(input, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const out = join(dir, 'out');
    const result = await mask([input], out);
    expect(result.code).toBe(0);
    const kept = readCorpus(out);
    expect(kept.length).toBeGreaterThan(1000);
    expect(kept.length).toBeLessThan(3000);
    expect(kept.map((doc) => doc.id)).toEqual(records.slice(0, kept.length).map((record) => record.id));
    const rejects = readJsonlFile<{ line: number; reason: string }>(join(out, 'rejects.jsonl'));
    expect(rejects).toHaveLength(1);
    expect(rejects[0].line).toBe(kept.length + 1);
    expect(rejects[0].reason).toMatch(/gzip stream is damaged or truncated after line \d+/);
    expect(readManifest(out).counts).toEqual({ input: kept.length + 1, kept: kept.length, edited: 0, dropped: 0, rejected: 1 });
  });

  it('keeps the records before the damage in a truncated .zst', async () => {
    const dir = tempDir();
    const whole = readFileSync(join(ROOT, 'test/fixtures/physics-mini-x40.jsonl.zst'));
    const input = join(dir, 'cut.jsonl.zst');
    writeFileSync(input, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const out = join(dir, 'out');
    expect((await mask([input], out)).code).toBe(0);
    const manifest = readManifest(out);
    expect(manifest.counts.rejected).toBe(1);
    expect(manifest.counts.input).toBeGreaterThan(10);
    expect(readJsonlFile<{ reason: string }>(join(out, 'rejects.jsonl'))[0].reason).toMatch(/zstd stream is damaged or truncated/);
  });

  it('processes a single 50 MB document in bounded memory', async () => {
    const dir = tempDir();
    const paragraph = 'The interferometer was turned slowly on its float of mercury while the fringes were watched. ';
    const body = Array.from({ length: Math.ceil(50e6 / paragraph.length) }, (_, i) => (i % 500 === 0 ? 'Special relativity is not yet known. ' : paragraph)).join('');
    const input = join(dir, 'huge.jsonl');
    writeFileSync(input, JSON.stringify({ id: 'huge', text: body }) + '\n');
    const out = join(dir, 'out');
    const result = await mask([input], out, ['--workers', '1']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const manifest = readManifest(out);
    expect(manifest.counts).toMatchObject({ input: 1, edited: 1 });
    // A 50 MB document is held a few times over (bytes, string, worker copy, output), never unboundedly.
    expect(manifest.timings.peakRssBytes).toBeLessThan(1.2e9);
    // The CPU time of the run's process and its worker threads is recorded beside its wall time.
    expect(manifest.timings.cpuMs).toBeGreaterThan(0);
    const [doc] = readCorpus(out);
    expect(doc.text).not.toMatch(/special relativity/i);
    expect(doc.text.length).toBeGreaterThan(49e6);
  });

  it('--strict turns the first reject into exit 2 naming the file and line, and leaves no finished output', async () => {
    const dir = tempDir();
    const input = join(dir, 'bad.jsonl');
    writeFileSync(input, jsonl([{ id: 'ok', text: CLEAN }]) + '{oops\n');
    const out = join(dir, 'out');
    expectOneLineError(await mask([input], out, ['--strict']), /bad\.jsonl line 2: malformed JSON/);
    expect(() => readManifest(out)).toThrow();
  });

  it('exits 2 with one line for an unknown pack, an unreadable input, a finished output directory and a bad flag', async () => {
    const dir = tempDir();
    const input = join(dir, 'ok.jsonl');
    writeFileSync(input, jsonl([{ id: 'ok', text: CLEAN }]));
    const out = join(dir, 'out');
    expectOneLineError(await runCli(['mask', input, '--pack', 'no-such-pack', '--out', out]), /unknown pack 'no-such-pack'/);
    expectOneLineError(await mask([join(dir, 'missing.jsonl')], out), /cannot read input '.*missing\.jsonl': no such file/);
    expectOneLineError(await runCli(['packs', 'show', join(dir, 'missing.yaml')]), /cannot read pack '.*missing\.yaml': no such file or directory/);
    expectOneLineError(await runCli(['calibrate', '--pack', 'physics-post-1900', '--labelled', dir]), /cannot read labelled data '.*': a directory, not a file/);
    expectOneLineError(await runCli(['probes', 'classify', '--pack', 'physics-post-1900', join(dir, 'missing.csv')]), /cannot read question set '.*missing\.csv': no such file or directory/);
    const locked = join(dir, 'locked.jsonl');
    writeFileSync(locked, 'x');
    chmodSync(locked, 0o000);
    if (process.getuid?.() !== 0) expectOneLineError(await mask([locked], out), /cannot read input '.*locked\.jsonl': permission denied/);
    expect((await mask([input], out)).code).toBe(0);
    // The same run again has nothing to do (test/resume.test.ts); another configuration is refused.
    expectOneLineError(await mask([input], out, ['--unit', 'paragraph']), /already holds a finished run; pass --overwrite/);
    expect((await mask([input], out, ['--overwrite'])).code).toBe(0);
    expectOneLineError(await mask([input], out, ['--no-such-flag']), /unknown option '--no-such-flag'/);
    expectOneLineError(await mask([input], out, ['--max-flagged', '2']), /--max-flagged.*expected a number from 0 to 1/);
    expectOneLineError(await runCli(['mask', input, '--out', out]), /required option '-p, --pack/);
    expectOneLineError(await mask([join(dir, 'notes.csv')].map((path) => (writeFileSync(path, 'a,b'), path)), out, ['--overwrite']), /cannot tell the format/);
  });

  it('names the file, the place inside it and the problem for an invalid pack', async () => {
    const dir = tempDir();
    const pack = join(dir, 'pack.yaml');
    writeFileSync(pack, 'id: my-pack\ntitle: T\nversion: 1.0.0\ncutoff: 1900\nconcepts:\n  - id: c\n    label: C\n    description: D\n    terms: [ok, 3, ""]\n');
    const input = join(dir, 'ok.jsonl');
    writeFileSync(input, jsonl([{ id: 'ok', text: CLEAN }]));
    expectOneLineError(await runCli(['mask', input, '--pack', pack, '--out', join(dir, 'out')]), /pack\.yaml: concepts\[0\]\.terms\[1\]: .*expected string/);
  });
});
