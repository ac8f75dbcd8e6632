/**
 * The hint a run without `--context-field` gives when its records are short and a field may name
 * the work they come from (pipelines/work-field-hint.ts). The CLI's warning and report sentence
 * are checked on real books in context-field.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contextWarnings } from '../pipelines/context-tally.js';
import { runCli, tempDir } from './helpers.js';
import { absorbWorkFields, emptyWorkFields, namesAWork, suggestWorkField, WorkFieldTally, workFieldSentence, type WorkFieldState } from '../pipelines/work-field-hint.js';

const PARAGRAPH = 'A paragraph of a book, a few sentences long. '.repeat(8);

/** Records as a reader gives them: the source with the text taken out, and the text's length. */
function tally(records: { source?: Record<string, unknown>; chars?: number }[]): WorkFieldState {
  const tally = new WorkFieldTally('id', 'text');
  for (const record of records) tally.observe(record.source, record.chars ?? PARAGRAPH.length);
  return tally.result();
}

/** `books` books of `each` paragraph records, in order, with `meta` built from the book's number and the record's. */
function books(count: number, each: number, meta: (book: number, at: number) => Record<string, unknown>): { source: Record<string, unknown> }[] {
  return Array.from({ length: count * each }, (_, at) => ({ source: { id: `r${at}`, text: null, meta: meta(Math.floor(at / each), at) } }));
}

describe('work field hint', () => {
  it('names the field that runs like books through a corpus of paragraph records', () => {
    const hint = suggestWorkField(tally(books(5, 30, (book, at) => ({ book_id: `pg${1000 + book}`, era: book < 3 ? 'pre' : 'post', source: 'pg', position: at }))));
    expect(hint).toEqual({ field: 'meta.book_id', shortShare: 1, records: 150, repeats: 145, runs: 5 });
    expect(workFieldSentence(hint!, (code) => `\`${code}\``)).toBe(
      "100% of the input's text is in records under 4,000 characters, which the detectors judge far less surely alone than in the work they come from; the field 'meta.book_id' has the record before's value in 145 of 150 records (5 runs): if it names that work (a book, an article, a thread; not a source, a date or a language), `--context-field meta.book_id` judges each run as the one text it forms",
    );
  });

  it('suggests nothing a statistic alone would: a label sorted in runs, one value everywhere, values that never repeat, long records, a handful of records', () => {
    // The Quick start sample's `meta.era` runs as four books would; only its name says it is a label.
    expect(suggestWorkField(tally(books(4, 9, (book) => ({ era: ['pre-1900', 'post-1900', 'mixed', 'other'][book] }))))).toBeUndefined();
    const samplePath = join(import.meta.dirname, '..', 'samples', 'physics-mini.jsonl');
    const sample = readFileSync(samplePath, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(suggestWorkField(tally(sample.map((record) => ({ source: { ...record, text: null }, chars: (record.text as string).length }))))).toBeUndefined();
    // One title for every record: a corpus of one work, or a field that names none; nothing tells which.
    expect(suggestWorkField(tally(books(1, 150, () => ({ title: 'Relativity' }))))).toBeUndefined();
    // A title per record (no runs), and a title on fewer than nine records in ten.
    expect(suggestWorkField(tally(books(150, 1, (book) => ({ title: `t${book}` }))))).toBeUndefined();
    expect(suggestWorkField(tally(books(5, 30, (book, at) => (at % 5 === 0 ? {} : { title: `t${book}` }))))).toBeUndefined();
    // Records of a whole chapter each: the work's context is in the record.
    expect(suggestWorkField(tally(books(5, 30, (book) => ({ title: `t${book}` })).map((record) => ({ ...record, chars: 20_000 }))))).toBeUndefined();
    expect(suggestWorkField(tally(books(2, 9, (book) => ({ title: `t${book}` }))))).toBeUndefined();
    // The id field is never suggested, however it runs, nor a value too long to be a name.
    const byBook = books(5, 30, (book) => ({ title: 'x'.repeat(201) + book })).map((record, at) => ({ source: { ...record.source, id: `book-${Math.floor(at / 30)}` } }));
    expect(suggestWorkField(tally(byBook))).toBeUndefined();
  });

  it('prefers the finest grouping, and adds up work units in order', () => {
    const records = books(6, 20, (book) => ({ book: `b${Math.floor(book / 3)}`, chapter: `c${book}` }));
    expect(suggestWorkField(tally(records))?.field).toBe('meta.chapter');
    // Two units of the same records: the same counts but one run more for a book cut at the boundary.
    const total = emptyWorkFields();
    absorbWorkFields(total, tally(records.slice(0, 50)));
    absorbWorkFields(total, tally(records.slice(50)));
    expect(total.fields['meta.chapter']).toEqual({ records: 120, repeats: 113, chars: 120 * PARAGRAPH.length, first: 'c0', varies: true });
    expect(total.documents).toBe(120);
    // A field with one value in each unit but two across them varies.
    const constant = emptyWorkFields();
    absorbWorkFields(constant, tally(books(1, 30, () => ({ url: 'a' }))));
    absorbWorkFields(constant, tally(books(1, 30, () => ({ url: 'b' }))));
    expect(constant.fields['meta.url'].varies).toBe(true);
    expect(suggestWorkField(constant)?.field).toBe('meta.url');
  });

  it('warns when a field given to --context-field does not read as a work and joined records by it', async () => {
    const era = contextWarnings('meta.era', { records: 36, runs: 4, joined: 36 }, 36);
    expect(era).toEqual([
      "the field 'meta.era' (--context-field) does not read as naming a work (a book, a title, an article, a url): its 4 run(s) of records were each judged as one text, as one document would be; if it names a source, a label, a date or a language, run without the option",
    ]);
    expect(contextWarnings('meta.book', { records: 36, runs: 4, joined: 36 }, 36)).toEqual([]);
    // Nothing joined: nothing judged together, nothing to warn of.
    expect(contextWarnings('meta.era', { records: 36, runs: 0, joined: 0 }, 36)).toEqual([]);
    // A run that reached the cap says it in its own words, once.
    expect(contextWarnings('meta.source', { records: 9, runs: 2, joined: 9, capped: 1 }, 9)).toHaveLength(1);
    // The Quick start sample sorted by era, masked with it as the field.
    const out = join(tempDir(), 'era');
    const result = await runCli(['mask', join(import.meta.dirname, '..', 'samples', 'physics-mini.jsonl'), '--pack', 'physics-post-1900', '--out', out, '--quiet', '--context-field', 'meta.era']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe(`lacuna: warning: ${era[0]}\n`);
  });

  it('counts fields named as Object.prototype properties as any other', () => {
    // Top-level fields, whose paths are their bare names; JSON.parse makes `__proto__` an own field, as a reader does.
    const records = Array.from({ length: 60 }, (_, at) => ({ source: JSON.parse(`{"id": "r${at}", "text": null, "__proto__": "p${at >> 5}", "constructor": "c${at >> 5}", "toString": "t${at >> 5}", "title": "b${at >> 5}"}`) as Record<string, unknown> }));
    const state = tally(records);
    const firsts = new Map([
      ['__proto__', 'p0'],
      ['constructor', 'c0'],
      ['title', 'b0'],
      ['toString', 't0'],
    ]);
    expect(Object.keys(state.fields).sort()).toEqual([...firsts.keys()]);
    for (const [name, first] of firsts) expect(state.fields[name], name).toEqual({ records: 60, repeats: 58, chars: 60 * PARAGRAPH.length, first, varies: true });
    const total = emptyWorkFields();
    absorbWorkFields(total, JSON.parse(JSON.stringify(state)) as WorkFieldState);
    absorbWorkFields(total, JSON.parse(JSON.stringify(state)) as WorkFieldState);
    for (const name of firsts.keys()) expect(total.fields[name].records, name).toBe(120);
    expect(suggestWorkField(total)?.field).toBe('title');
    // Nothing leaked into the prototype every object shares.
    expect(({} as Record<string, unknown>).records).toBeUndefined();
  });

  it('reads a work in the words of a field name', () => {
    for (const name of ['book', 'meta.book_id', 'title', 'docId', 'doc_id', 'meta.source_url', 'source_id', 'url', 'parent', 'thread_id', 'metadata.chapter', 'gutenberg_id', 'meta.arxiv_id', 'doi', 'meta.part', 'section']) expect(namesAWork(name), name).toBe(true);
    for (const name of ['source', 'era', 'lang', 'language', 'meta.label', 'created', 'domain', 'split', 'category', 'bookkeeping']) expect(namesAWork(name), name).toBe(false);
  });
});
