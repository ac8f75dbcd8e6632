/**
 * What Lacuna will not touch on disk (issue 10, its first two cases): a directory that holds
 * anything but a Lacuna run is refused, and an old manifest can only make Lacuna delete files
 * inside the output directory.
 */
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from './helpers.js';

const SAMPLE = join(ROOT, 'samples', 'physics-mini.jsonl');
const mask = (input: string, out: string, ...extra: string[]) => runCli(['mask', input, '--pack', 'physics-post-1900', '--out', out, '--quiet', '--detectors', 'lexical', ...extra]);

describe('what lacuna mask will not touch', () => {
  it('refuses an output directory that holds the input in corpus/, and leaves it byte for byte', async () => {
    const dir = tempDir();
    const input = join(dir, 'p', 'corpus', 'in.jsonl');
    mkdirSync(join(dir, 'p', 'corpus'), { recursive: true });
    copyFileSync(SAMPLE, input);
    const before = readFileSync(input);
    const run = await mask(input, join(dir, 'p'));
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`lacuna: input '${input}' lies inside output directory '${join(dir, 'p')}': choose an output outside the inputs\n`);
    expect(readFileSync(input).equals(before)).toBe(true);
    // The same directory, with the input read from elsewhere: refused because it is not a run.
    const elsewhere = await mask(SAMPLE, join(dir, 'p'));
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toBe(`lacuna: output directory '${join(dir, 'p')}' is not empty and holds no Lacuna run (it has 'corpus'); choose an empty or new directory\n`);
    expect(readFileSync(input).equals(before)).toBe(true);
  });

  it('deletes nothing outside the output directory that a crafted manifest names, with --overwrite', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    expect((await mask(SAMPLE, out)).code).toBe(0);
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'keep me');
    const manifestPath = join(out, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    manifest.outputs.push({ path: '../victim.txt', bytes: 7, sha256: '0'.repeat(64), records: 0 }, { path: victim, bytes: 7, sha256: '0'.repeat(64), records: 0 });
    writeFileSync(manifestPath, JSON.stringify(manifest));
    expect((await mask(SAMPLE, out, '--overwrite')).code).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('keep me');
    // What the old run listed inside the directory is replaced, and a file Lacuna never listed stays.
    expect(existsSync(join(out, 'corpus', 'part-00000.jsonl.gz'))).toBe(true);
  });

  it('keeps a file it never wrote inside a run it replaces, and refuses a manifest it did not write', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    expect((await mask(SAMPLE, out)).code).toBe(0);
    const notes = join(out, 'corpus', 'my-notes.txt');
    writeFileSync(notes, 'mine');
    expect((await mask(SAMPLE, out, '--overwrite')).code).toBe(0);
    expect(readFileSync(notes, 'utf8')).toBe('mine');

    const other = join(dir, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'manifest.json'), JSON.stringify({ tool: { name: 'something-else' }, outputs: [{ path: 'data.csv' }] }));
    writeFileSync(join(other, 'data.csv'), 'a,b\n');
    const run = await mask(SAMPLE, other, '--overwrite');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/holds a manifest\.json that Lacuna did not write/);
    expect(readFileSync(join(other, 'data.csv'), 'utf8')).toBe('a,b\n');
  });

  it('deletes nothing outside the output directory, nor a link, that a crafted commit journal names', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    expect((await mask(SAMPLE, out)).code).toBe(0);
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'keep me');
    // A link inside the run to a file outside it: removing it would be harmless, but Lacuna only removes regular files.
    symlinkSync(victim, join(out, 'link.txt'));
    writeFileSync(join(out, '.lacuna-commit.json'), JSON.stringify({ paths: ['../victim.txt', victim, 'link.txt', 'corpus/../../victim.txt'] }));
    expect((await mask(SAMPLE, out, '--overwrite')).code).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('keep me');
    expect(lstatSync(join(out, 'link.txt')).isSymbolicLink()).toBe(true);
    expect(existsSync(join(out, '.lacuna-commit.json'))).toBe(false);
  });

  it('clears only run-key folders from the work area: anything else put in .lacuna-work stays', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    mkdirSync(join(out, '.lacuna-work', '0123456789abcdef', 'unit-000000'), { recursive: true });
    writeFileSync(join(out, '.lacuna-work', '0123456789abcdef', 'unit-000000', 'summary.json'), '{}');
    mkdirSync(join(out, '.lacuna-work', 'mine'), { recursive: true });
    writeFileSync(join(out, '.lacuna-work', 'mine', 'notes.txt'), 'mine');
    expect((await mask(SAMPLE, out)).code).toBe(0);
    // A stale run key's units go; the folder someone else made, and so the work area, stay.
    expect(existsSync(join(out, '.lacuna-work', '0123456789abcdef'))).toBe(false);
    expect(readFileSync(join(out, '.lacuna-work', 'mine', 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('a failed run removes the output directory it made only while empty, and never one that was there', async () => {
    const dir = tempDir();
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"id":"ok","text":"The candle burns."}\nnot json\n');
    // A directory (and its parent) made by this run, which then failed: both gone again.
    const made = join(dir, 'new', 'deep');
    expect((await mask(bad, made, '--strict')).code).toBe(2);
    expect(existsSync(join(dir, 'new'))).toBe(false);
    // An empty directory the user made stays, and so does its parent.
    const theirs = join(dir, 'theirs');
    mkdirSync(theirs);
    expect((await mask(bad, theirs, '--strict')).code).toBe(2);
    expect(readdirSync(theirs)).toEqual([]);
    // A model that cannot load is found before the directory is made.
    const model = await runCli(['mask', SAMPLE, '--pack', 'physics-post-1900', '--out', join(dir, 'semantic'), '--quiet', '--detectors', 'lexical,semantic', '--model', join(dir, 'no-such-model')]);
    expect(model.code).toBe(2);
    expect(model.stderr).toMatch(/no-such-model/);
    expect(existsSync(join(dir, 'semantic'))).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(['bad.jsonl', 'theirs']);
  });
});
