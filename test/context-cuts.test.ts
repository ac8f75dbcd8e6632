/**
 * Work units never cut a context run (`--context-field`): the cut of a large JSONL file moves to
 * the first record of another work.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contextRunCut } from '../corpora/context-cuts.js';
import { planUnits } from '../corpora/work-units.js';
import { jsonl, readCorpus, readJsonlFile, readManifest, readSharedText, runCli, sharedAvailable, tempDir } from './helpers.js';

const FIELDS = { textField: 'text', idField: 'id', contextField: 'book' };

describe('contextRunCut', () => {
  const dir = tempDir();
  const lines = [
    JSON.stringify({ id: 'a1', text: 'one', book: 'A' }),
    JSON.stringify({ id: 'a2', text: 'two', book: 'A' }),
    '',
    'not json',
    JSON.stringify({ id: 'a3', text: 'three', book: 'A' }),
    JSON.stringify({ id: 'a4', book: 'A' }),
    JSON.stringify({ id: 'b1', text: 'four', book: 'B' }),
    JSON.stringify({ id: 'n1', text: 'five' }),
    JSON.stringify({ id: 'c1', text: 'six', book: 'C' }),
    JSON.stringify({ id: 'c2', text: 'seven', book: 'C' }),
  ];
  const path = join(dir, 'runs.jsonl');
  // The last line has no newline: it is still a record.
  writeFileSync(path, lines.join('\n'));
  const startOf = (index: number) => lines.slice(0, index).reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);
  const size = startOf(lines.length) - 1;

  it('moves a cut inside a run to the first record of another work, past blank, malformed and rejected lines', async () => {
    // Inside a2: the run of A goes on past a blank line, a line that is not JSON and a record
    // without text (rejects do not end a run), to b1.
    expect(await contextRunCut(path, startOf(1) + 3, FIELDS, 1 << 20)).toBe(startOf(6));
    // Exactly at the start of a2 (the line before it is a1, of A): the same.
    expect(await contextRunCut(path, startOf(1), FIELDS, 1 << 20)).toBe(startOf(6));
    // Inside b1: the next record has no field, and ends the run.
    expect(await contextRunCut(path, startOf(6) + 2, FIELDS, 1 << 20)).toBe(startOf(7));
    // Inside n1: a record without the field is judged alone, so the cut does not move (the range reader finds the line).
    expect(await contextRunCut(path, startOf(7) + 2, FIELDS, 1 << 20)).toBe(startOf(7) + 2);
    // Inside c1: the run of C goes to the end of the file.
    expect(await contextRunCut(path, startOf(8) + 1, FIELDS, 1 << 20)).toBe(size);
  });

  it('leaves the cut where it was without a field, past the limit, and at the start', async () => {
    expect(await contextRunCut(path, startOf(1) + 3, { textField: 'text', idField: 'id' }, 1 << 20)).toBe(startOf(1) + 3);
    expect(await contextRunCut(path, startOf(1) + 3, FIELDS, 40)).toBe(startOf(1) + 3);
    expect(await contextRunCut(path, 0, FIELDS, 1 << 20)).toBe(0);
  });

  it('reads the first record of a file that starts with a byte-order mark', async () => {
    const bom = join(dir, 'bom.jsonl');
    const first = '\uFEFF' + JSON.stringify({ id: 'a1', text: 'one', book: 'A' });
    writeFileSync(bom, [first, JSON.stringify({ id: 'a2', text: 'two', book: 'A' }), JSON.stringify({ id: 'b1', text: 'three', book: 'B' })].join('\n') + '\n');
    const second = Buffer.byteLength(first) + 1;
    expect(await contextRunCut(bom, second - 2, FIELDS, 1 << 20)).toBe(second + Buffer.byteLength(JSON.stringify({ id: 'a2', text: 'two', book: 'A' })) + 1);
  });

  it('plans units that cover the file once, none cutting a run', async () => {
    const units = await planUnits([{ path, label: 'runs.jsonl', format: 'jsonl', size }], 30, (file, offset) => contextRunCut(file, offset, FIELDS, 1 << 20));
    const ranges = units.map((unit) => unit.files[0].range!);
    expect(ranges[0].start).toBe(0);
    expect(ranges.at(-1)!.end).toBe(size);
    for (let at = 1; at < ranges.length; at++) expect(ranges[at].start).toBe(ranges[at - 1].end);
    // From 0 the cut falls in a1 and moves past the run of A; from b1 it falls in b1 and moves to n1 (no
    // field); from n1 it falls in c1 and the run of C goes to the end.
    expect(ranges.map((range) => range.end)).toEqual([startOf(6), startOf(7), size]);
  });

  it('reads a file in the ranges a finished run read it in, for lacuna apply, whatever this build would plan', async () => {
    const file = { path, label: 'runs.jsonl', format: 'jsonl' as const, size };
    const mover = (at: string, offset: number) => contextRunCut(at, offset, FIELDS, 1 << 20);
    // An older build cut at fixed offsets, inside runs: apply must meet its units' stored detections.
    const older: [number, number][] = [
      [0, 30],
      [30, 60],
      [60, size],
    ];
    const again = await planUnits([file], 30, mover, () => older);
    expect(again.map((unit) => [unit.files[0].range!.start, unit.files[0].range!.end])).toEqual(older);
    expect(again.map((unit) => unit.index)).toEqual([0, 1, 2]);
    // Ranges that do not read the file once (a gap, or a file of another size) are not used: the file is planned.
    const planned = (await planUnits([file], 30, mover)).map((unit) => unit.files[0].range!.end);
    for (const wrong of [[[0, 30], [40, size]], [[0, 30], [30, size + 5]], [[0, 30]]] as [number, number][][]) {
      expect((await planUnits([file], 30, mover, () => wrong)).map((unit) => unit.files[0].range!.end)).toEqual(planned);
    }
  });
});

describe.runIf(sharedAvailable('work units and context runs on a ../shared book'))('--context-field with small work units', () => {
  it('gives the same corpus, edits and runs as one unit', async () => {
    const dir = tempDir();
    const paragraphs = readSharedText('train/physics/pre/crowell_lm_optics.detex.txt')
      .split(/\n[^\S\n]*\n\s*/)
      .map((paragraph) => paragraph.trim())
      .filter((paragraph) => paragraph.length > 0);
    // Parts of 60 paragraphs (about 22 kB each): a 20 kB unit would end inside every one of them.
    const input = join(dir, 'parts.jsonl');
    writeFileSync(input, jsonl(paragraphs.map((text, at) => ({ id: `p${at}`, text, meta: { part: `part-${Math.floor(at / 60)}` } }))));
    const run = async (name: string, unitBytes: string) => {
      const out = join(dir, name);
      const result = await runCli(['mask', input, '--pack', 'physics-post-1900', '--out', out, '--quiet', '--context-field', 'meta.part', '--unit-bytes', unitBytes]);
      expect(result.code, result.stderr).toBe(0);
      return out;
    };
    const small = await run('small', '20KB');
    const one = await run('one', '64MB');
    expect(readManifest(small).work.units).toBeGreaterThan(2);
    expect(readManifest(one).work.units).toBe(1);
    // Every part one run, in both.
    const parts = Math.ceil(paragraphs.length / 60);
    expect(readManifest(small).context).toEqual({ field: 'meta.part', records: paragraphs.length, runs: parts, joined: paragraphs.length });
    expect(readManifest(one).context).toEqual(readManifest(small).context);
    expect(readManifest(small).counts).toEqual(readManifest(one).counts);
    expect(readCorpus(small)).toEqual(readCorpus(one));
    expect(readJsonlFile(join(small, 'edits.jsonl.gz'))).toEqual(readJsonlFile(join(one, 'edits.jsonl.gz')));
  });
});
