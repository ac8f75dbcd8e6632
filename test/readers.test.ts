import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { InputEvent } from '../corpora/document.js';
import { InputReader, type InputOptions } from '../corpora/input-reader.js';
import { resolveInputs } from '../corpora/sources.js';
import { jsonl, readCorpus, ROOT, runCli, tempDir } from './helpers.js';

const defaults: InputOptions = { textField: 'text', idField: 'id', encoding: 'utf-8', stripGutenberg: false };

async function readAll(inputs: string[], options: Partial<InputOptions> = {}): Promise<{ events: InputEvent[]; reader: InputReader }> {
  const { files } = await resolveInputs(inputs);
  const reader = new InputReader(files, { ...defaults, ...options });
  const events: InputEvent[] = [];
  for await (const event of reader.events()) events.push(event);
  return { events, reader };
}

const docs = (events: InputEvent[]) => events.flatMap((event) => (event.kind === 'doc' ? [event.doc] : []));

const RECORDS = [
  { id: 'a', text: 'Maxwell unified electricity and magnetism.', meta: { year: 1865 } },
  { id: 'b', text: 'Planck introduced the quantum of action in 1900.', source: 'notes' },
  { text: 'A record without an id gets a stable one.' },
];

describe('readers', () => {
  it('reads JSONL: fields, meta, stable fallback ids, blank lines and a BOM', async () => {
    const dir = tempDir();
    const path = join(dir, 'records.jsonl');
    writeFileSync(path, '\ufeff' + jsonl(RECORDS).replace('\n', '\n\n'));
    const { events, reader } = await readAll([path]);
    // Each document carries its record, the text taken out where it was (it is in `text`, once).
    expect(docs(events)).toEqual([
      { id: 'a', text: RECORDS[0].text, source: { id: 'a', text: null, meta: { year: 1865 } } },
      { id: 'b', text: RECORDS[1].text, source: { id: 'b', text: null, source: 'notes' } },
      { id: 'records.jsonl#4', text: RECORDS[2].text, source: { text: null } },
    ]);
    expect(reader.stats[0]).toMatchObject({ label: 'records.jsonl', records: 3, rejected: 0, bytes: readFileSync(path).length });
  });

  it('reads .jsonl.gz (also concatenated gzip members) with the hash of the compressed file', async () => {
    const dir = tempDir();
    const path = join(dir, 'records.jsonl.gz');
    const text = jsonl(RECORDS);
    const half = text.indexOf('\n') + 1;
    writeFileSync(path, Buffer.concat([gzipSync(text.slice(0, half)), gzipSync(text.slice(half))]));
    const { events, reader } = await readAll([path]);
    expect(docs(events).map((doc) => doc.id)).toEqual(['a', 'b', 'records.jsonl.gz#3']);
    const { createHash } = await import('node:crypto');
    expect(reader.stats[0].sha256).toBe(createHash('sha256').update(readFileSync(path)).digest('hex'));
  });

  it('reads .jsonl.zst', async () => {
    const { events } = await readAll([join(ROOT, 'test/fixtures/physics-mini-x40.jsonl.zst')]);
    const all = docs(events);
    expect(all).toHaveLength(36 * 40);
    expect(all[0]).toMatchObject({ id: 'maxwell-displacement-0', source: { meta: { era: 'pre-1900' } } });
  });

  it('streams a JSON array of records, with dotted --text-field and --id-field', async () => {
    const dir = tempDir();
    const path = join(dir, 'array.json');
    const records = [
      { meta: { key: 'x1' }, body: { text: 'First.', lang: 'en' } },
      { meta: { key: 'x2' }, body: { text: 'Second.' } },
    ];
    writeFileSync(path, JSON.stringify(records, null, 2));
    const { events } = await readAll([path], { textField: 'body.text', idField: 'meta.key' });
    // The text is taken out of the record where it was (a copy would leak what the mask removes).
    expect(docs(events)).toEqual([
      { id: 'x1', text: 'First.', source: { meta: { key: 'x1' }, body: { text: null, lang: 'en' } } },
      { id: 'x2', text: 'Second.', source: { meta: { key: 'x2' }, body: { text: null } } },
    ]);
  });

  it('reads a directory of .txt and .md files recursively, ids relative to the root, other files skipped', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'b.txt'), 'Bee.');
    writeFileSync(join(dir, 'a.md'), '# A\n\nAy.');
    writeFileSync(join(dir, 'sub', 'c.txt'), 'Sea.');
    writeFileSync(join(dir, 'notes.csv'), 'x,y');
    const { files, skipped } = await resolveInputs([dir]);
    expect(files.map((file) => file.label)).toEqual(['a.md', 'b.txt', 'sub/c.txt']);
    expect(skipped).toEqual([{ path: join(dir, 'notes.csv'), reason: 'its name implies no supported format' }]);
    const { events } = await readAll([dir]);
    expect(docs(events)).toEqual([
      { id: 'a.md', text: '# A\n\nAy.' },
      { id: 'b.txt', text: 'Bee.' },
      { id: 'sub/c.txt', text: 'Sea.' },
    ]);
  });

  it('decodes legacy 8-bit text with --encoding auto and says so in the stats', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'old.txt'), Buffer.from('the \xe6ther drift', 'latin1'));
    const strict = await readAll([join(dir, 'old.txt')]);
    expect(strict.events[0]).toMatchObject({ kind: 'reject', reject: { reason: expect.stringContaining('invalid UTF-8') } });
    const auto = await readAll([join(dir, 'old.txt')], { encoding: 'auto' });
    expect(docs(auto.events)[0].text).toBe('the æther drift');
    expect(auto.reader.stats[0].decodedAs).toBe('windows-1252');
  });

  it('strips Project Gutenberg headers and footers, including markers wrapped over two lines', async () => {
    const dir = tempDir();
    const text = 'The Project Gutenberg EBook of X\r\nLicence...\r\n***START OF THE PROJECT GUTENBERG EBOOK EXPERIMENTAL RESEARCHES IN\r\nELECTRICITY***\r\n\r\nThe body.\r\n\r\n***END OF THE PROJECT GUTENBERG EBOOK EXPERIMENTAL RESEARCHES IN\r\nELECTRICITY***\r\nMore licence.';
    writeFileSync(join(dir, 'pg.txt'), text);
    const { events } = await readAll([join(dir, 'pg.txt')], { stripGutenberg: true });
    expect(docs(events)[0].text).toBe('The body.');
    // An older footer: "End of Project Gutenberg's <title>" and the licence, with no END marker after it.
    writeFileSync(join(dir, 'old-pg.txt'), "*** START OF THIS PROJECT GUTENBERG EBOOK NUMBER-SYSTEM OF ALGEBRA ***\n\nThe body.\n\nEnd of Project Gutenberg's Number-System of Algebra, by Henry Fine\n\nSee our Web site and e-mail us.\n*** END: FULL LICENSE ***\n");
    const older = await readAll([join(dir, 'old-pg.txt')], { stripGutenberg: true });
    expect(docs(older.events)[0].text).toBe('The body.');
  });

  it('reads JSONL and gzip from stdin with -', async () => {
    const out = join(tempDir(), 'out');
    const result = await runCli(['mask', '-', '--pack', 'physics-post-1900', '--out', out, '--quiet'], { input: gzipSync(jsonl(RECORDS)) });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // Each record as it came, text changed: the one without an id has none (its edits name it -#3).
    expect(readCorpus(out).map((doc) => doc.id)).toEqual(['a', undefined]);
    const nested = join(tempDir(), 'nested');
    expect((await runCli(['mask', '-', '--pack', 'physics-post-1900', '--out', nested, '--quiet', '--nest-meta'], { input: gzipSync(jsonl(RECORDS)) })).code).toBe(0);
    expect(readCorpus(nested).map((doc) => doc.id)).toEqual(['a', '-#3']);
  });

  it('keeps every field of a Dolma document where it was; only the text changes', async () => {
    const dir = tempDir();
    const input = join(dir, 'dolma.jsonl');
    const documents = [
      { id: 'd1', text: 'The barometer fell before the storm. Special relativity abolished the ether. The wind veered north. The rain gauge filled twice.', source: 'gutenberg', added: '2024-01-01T00:00:00Z', created: '1905-06-30', metadata: { url: 'https://example.org/1', year: 1905 } },
      { id: 7, text: 'Heat flows from a warmer body to a colder one.', source: 'books', added: '2024-01-02T00:00:00Z', metadata: {} },
    ];
    writeFileSync(input, jsonl(documents));
    const out = join(dir, 'out');
    expect((await runCli(['mask', input, '--pack', 'physics-post-1900', '--out', out, '--quiet'])).code).toBe(0);
    const corpus = readCorpus(out) as unknown as Record<string, unknown>[];
    expect(corpus.map((doc) => Object.keys(doc))).toEqual(documents.map((doc) => Object.keys(doc)));
    expect(corpus[0]).toEqual({ ...documents[0], text: 'The barometer fell before the storm. The wind veered north. The rain gauge filled twice.' });
    expect(corpus[1]).toEqual(documents[1]);
    expect((await runCli(['replay', out])).code).toBe(0);
    expect((await runCli(['verify', out])).code).toBe(0);
  });
});
