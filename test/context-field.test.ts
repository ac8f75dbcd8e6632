/**
 * `--context-field`: records that are parts of one work (a book stored a paragraph per record)
 * detected and decided together, as the one text they form; each record keeps, loses or drops
 * its own part of it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { InputEvent } from '../corpora/document.js';
import { DetectorChain } from '../maskers/detectors/chain.js';
import { loadPack } from '../maskers/pack/load.js';
import { splitParagraphs, TOGETHER_SEPARATOR } from '../maskers/segment/segmenter.js';
import { batches, CONTEXT_MAX_CHARS, contextRuns } from '../pipelines/runtime/batches.js';
import { expectSameRun, jsonl, readCorpus, readJsonlFile, readManifest, readSharedText, runCli, sharedAvailable, tempDir } from './helpers.js';

const RELATIVITY = 'physics/post1900/einstein_relativity_pg5001.txt';
const MICHELSON_MORLEY = 'physics/pre1900/michelson_morley_relative_motion_aether_1887_pg70888.txt';
/** Modern prose on optics with asides on photons and relativity: a book that loses some paragraphs and some sentences. */
const CROWELL_OPTICS = 'train/physics/pre/crowell_lm_optics.detex.txt';

async function* events(docs: { id: string; text: string; context?: string }[]): AsyncGenerator<InputEvent> {
  for (const [line, doc] of docs.entries()) {
    if (line === 3) yield { kind: 'reject', reject: { file: 'in.jsonl', line: 0, reason: 'not JSON' } };
    yield { kind: 'doc', doc, origin: { file: 'in.jsonl', line: line + 1 } } as InputEvent;
  }
}

describe('context runs', () => {
  it('are consecutive records with the same value, and a batch never cuts one short of the cap', async () => {
    expect(contextRuns([{ id: 'a', text: '', context: 'x' }, { id: 'b', text: '' }, { id: 'c', text: '' }, { id: 'd', text: '', context: 'x' }, { id: 'e', text: '', context: 'x' }, { id: 'f', text: '', context: 'y' }])).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 5],
      [5, 6],
    ]);
    // 700 records in runs of 150: a batch is full at 256 documents, and is cut only where a run ends.
    const docs = Array.from({ length: 700 }, (_, at) => ({ id: String(at), text: 'word '.repeat(20), context: `book-${Math.floor(at / 150)}` }));
    const seen: string[][] = [];
    let items = 0;
    for await (const batch of batches(events(docs))) {
      seen.push(batch.documents.map((doc) => doc.context!));
      items += batch.items.length;
      expect(batch.documents.every((doc, slot) => batch.items.find((item) => item.slot === slot)?.event.kind === 'doc' && doc.id === (batch.items.find((item) => item.slot === slot)!.event as { doc: { id: string } }).doc.id)).toBe(true);
    }
    expect(items).toBe(701);
    expect(seen.flat()).toEqual(docs.map((doc) => doc.context));
    for (let at = 1; at < seen.length; at++) expect(seen[at][0]).not.toBe(seen[at - 1].at(-1));
    expect(seen.length).toBeGreaterThan(1);
    // A run past the cap goes on as a new run in the next batch.
    const big = 'a '.repeat(Math.ceil(CONTEXT_MAX_CHARS / 6));
    const sizes: number[] = [];
    for await (const batch of batches(events(Array.from({ length: 5 }, (_, at) => ({ id: String(at), text: big, context: 'one' }))))) sizes.push(batch.documents.length);
    expect(sizes).toEqual([3, 2]);
  });
});

describe.runIf(sharedAvailable('context runs on ../shared books'))('--context-field', () => {
  it('detects records together: each record gets the findings of its own stretch of the joined text', async () => {
    const { pack } = await loadPack('physics-post-1900');
    const chain = DetectorChain.forPack(pack);
    const text = readSharedText(RELATIVITY);
    const texts = splitParagraphs(text).slice(40, 60).map((span) => text.slice(span.start, span.end));
    const joined = texts.join(TOGETHER_SEPARATOR);
    const whole = await chain.detect(joined);
    const each = await chain.detectTogether(texts);
    expect(each).toHaveLength(texts.length);
    let start = 0;
    let count = 0;
    for (const [at, result] of each.entries()) {
      for (const finding of result.findings) {
        expect(texts[at].slice(finding.start, finding.end)).toBe(joined.slice(start + finding.start, start + finding.end));
        expect(whole.findings.some((other) => other.detector === finding.detector && other.concept === finding.concept && other.start <= start + finding.start && other.end >= start + finding.end)).toBe(true);
      }
      count += result.findings.length;
      start += texts[at].length + TOGETHER_SEPARATOR.length;
    }
    expect(count).toBe(whole.findings.length);
    expect(each.reduce((sum, result) => sum + (result.scoreBands ?? []).reduce((a, b) => a + b, 0), 0)).toBe((whole.scoreBands ?? []).reduce((a, b) => a + b, 0));
  });

  it('takes more of a target book stored a paragraph per record, keeps an older one, and the run is the same bytes with any workers', async () => {
    const dir = tempDir();
    const records: { id: string; text: string; meta: { book: string } }[] = [];
    for (const [book, path] of [
      ['relativity', RELATIVITY],
      ['michelson-morley', MICHELSON_MORLEY],
    ]) {
      const text = readSharedText(path);
      for (const span of splitParagraphs(text)) if (span.end - span.start >= 300) records.push({ id: `${book}:${span.start}`, text: text.slice(span.start, span.end), meta: { book } });
    }
    // Two records without the field, judged alone.
    records.push({ id: 'loose-1', text: records[5].text, meta: {} as { book: string } }, { id: 'loose-2', text: records.at(-3)!.text, meta: {} as { book: string } });
    const input = join(dir, 'paragraphs.jsonl');
    writeFileSync(input, jsonl(records));
    const removed = (out: string, book: string) => {
      const kept = new Map(readCorpus(out).map((doc) => [doc.id, doc.text.length]));
      const own = records.filter((record) => record.meta.book === book);
      return 1 - own.reduce((sum, record) => sum + (kept.get(record.id) ?? 0), 0) / own.reduce((sum, record) => sum + record.text.length, 0);
    };
    const warnings: Record<string, string> = {};
    const run = async (name: string, ...args: string[]) => {
      const out = join(dir, name);
      const result = await runCli(['mask', input, '--pack', 'physics-post-1900', '--out', out, '--quiet', ...args]);
      expect(result.code, result.stderr).toBe(0);
      warnings[name] = result.stderr;
      return out;
    };
    const alone = await run('alone');
    const together = await run('together', '--context-field', 'meta.book');
    const relativityAlone = removed(alone, 'relativity');
    const relativityTogether = removed(together, 'relativity');
    console.info(`Einstein's Relativity a paragraph per record: ${(relativityAlone * 100).toFixed(1)}% removed alone, ${(relativityTogether * 100).toFixed(1)}% with --context-field`);
    expect(relativityTogether).toBeGreaterThan(relativityAlone);
    expect(relativityTogether).toBeGreaterThanOrEqual(0.99);
    expect(removed(together, 'michelson-morley')).toBe(0);
    // Every record accounted for, one by one.
    const manifest = readManifest(together);
    expect(manifest.counts.input).toBe(records.length);
    expect(manifest.counts.kept + manifest.counts.edited + manifest.counts.dropped).toBe(records.length);
    expect(manifest.config.reading.contextField).toBe('meta.book');
    expect(manifest.context).toEqual({ field: 'meta.book', records: records.length - 2, runs: 2, joined: records.length - 2 });
    expect(readFileSync(join(together, 'report.html'), 'utf8')).toContain(`<p>Detected together (<code>--context-field meta.book</code>): ${records.length - 2} record(s) had the field;`);
    expect(readFileSync(join(together, 'report.md'), 'utf8')).toContain(`Detected together (\`--context-field meta.book\`): ${records.length - 2} record(s) had the field; ${records.length - 2} of them in 2 run(s) of two or more records`);
    expect(readJsonlFile<{ id: string }>(join(together, 'edits.jsonl.gz')).every((edit) => records.some((record) => record.id === edit.id))).toBe(true);
    // The records without the field are judged alone: the same as in the run without the option.
    const loose = (out: string) => readCorpus(out).filter((doc) => doc.id.startsWith('loose-'));
    expect(loose(together)).toEqual(loose(alone));
    const report = JSON.parse(readFileSync(join(together, 'report.json'), 'utf8'));
    expect(JSON.stringify(report)).toContain('records one after another with the same meta.book together');
    expectSameRun(await run('two-workers', '--context-field', 'meta.book', '--workers', '2'), together, { ignoreSource: true });
    // Without the option, the run points at the field: its records are short and it runs like books.
    const hint = `the field 'meta.book' has the record before's value in ${records.length - 4} of ${records.length - 2} records (2 runs)`;
    expect(warnings.alone).toContain(hint);
    expect(warnings.alone).toContain('--context-field meta.book judges each run as the one text it forms');
    expect(readFileSync(join(alone, 'report.md'), 'utf8')).toContain('`--context-field meta.book` judges each run');
    expect(readFileSync(join(alone, 'report.html'), 'utf8')).toContain('<code>--context-field meta.book</code> judges each run');
    expect(JSON.parse(readFileSync(join(alone, 'report.json'), 'utf8')).workField).toMatchObject({ field: 'meta.book', runs: 2 });
    expect(JSON.parse(readFileSync(join(together, 'report.json'), 'utf8')).workField).toBeUndefined();
    // lacuna verify --pack, which masks the corpus in a scratch directory, says it too.
    const verified = await runCli(['verify', '--pack', 'physics-post-1900', input, '--json']);
    expect(verified.stderr).toContain(hint);
    // A misspelt field is said so, and the run is the run without it.
    expect(warnings.together).toBe('');
    const misspelt = await run('misspelt', '--context-field', 'meta.bok');
    expect(warnings.misspelt).toBe("lacuna: warning: no record has the field 'meta.bok' (--context-field): every record was detected on its own\n");
    expect(readCorpus(misspelt)).toEqual(readCorpus(alone));
    expect(readManifest(misspelt).context).toEqual({ field: 'meta.bok', records: 0, runs: 0, joined: 0 });
  });

  it('masks a book stored a paragraph per record as it masks the book stored whole, and apply decides it again the same way', async () => {
    const dir = tempDir();
    // Every paragraph a record, however short: headings, equations and captions are records of their own.
    const paragraphs = readSharedText(CROWELL_OPTICS)
      .split(/\n[^\S\n]*\n\s*/)
      .map((paragraph) => paragraph.trim())
      .filter((paragraph) => paragraph.length > 0);
    const records = join(dir, 'records.jsonl');
    writeFileSync(records, jsonl(paragraphs.map((text, at) => ({ id: `p${at}`, text, meta: { book: 'optics' } }))));
    const whole = join(dir, 'whole.jsonl');
    writeFileSync(whole, jsonl([{ id: 'optics', text: paragraphs.join(TOGETHER_SEPARATOR) }]));
    const mask = async (input: string, name: string, ...args: string[]) => {
      const out = join(dir, name);
      const result = await runCli(['mask', input, '--pack', 'physics-post-1900', '--out', out, '--quiet', ...args]);
      expect(result.code, result.stderr).toBe(0);
      return out;
    };
    const together = await mask(records, 'together', '--context-field', 'meta.book');
    const book = await mask(whole, 'book');
    const alone = await mask(records, 'alone');
    const kept = readCorpus(together);
    expect(kept.map((doc) => doc.text).join(TOGETHER_SEPARATOR)).toBe(readCorpus(book)[0].text);
    // Not a trivial book: records dropped, records edited, most kept as they were.
    const counts = readManifest(together).counts;
    console.info(`Crowell's Optics, ${paragraphs.length} paragraph records: ${counts.dropped} dropped, ${counts.edited} edited, ${counts.kept} kept together; ${readManifest(alone).counts.dropped} dropped alone`);
    expect(counts.dropped).toBeGreaterThan(0);
    expect(counts.edited).toBeGreaterThan(0);
    expect(counts.kept).toBeGreaterThan(paragraphs.length / 2);
    expect(counts.kept + counts.edited + counts.dropped).toBe(paragraphs.length);
    // Alone, records are documents of their own: they are decided otherwise.
    expect(readCorpus(alone).map((doc) => doc.text)).not.toEqual(kept.map((doc) => doc.text));
    // Every edit is at offsets into its own record, and replays to the record's output.
    const byId = new Map(paragraphs.map((text, at) => [`p${at}`, text]));
    for (const edit of readJsonlFile<{ id: string; start: number; end: number }>(join(together, 'edits.jsonl.gz'))) expect(edit.end).toBeLessThanOrEqual(byId.get(edit.id)!.length);
    expect((await runCli(['replay', together])).code).toBe(0);
    // apply decides the stored detections again with the run's field: the same corpus.
    const applied = join(dir, 'applied');
    expect((await runCli(['apply', together, '-o', applied, '-q'])).code).toBe(0);
    expect(readCorpus(applied)).toEqual(kept);
  });

  it('says so when a field names no single work: a run that reaches the cap', async () => {
    const dir = tempDir();
    const text = readSharedText(MICHELSON_MORLEY);
    const spans = splitParagraphs(text).filter((span) => span.end - span.start >= 300);
    // Every record from one "source": more than CONTEXT_MAX_CHARS of text in a row.
    const records: { id: string; text: string; meta: { source: string } }[] = [];
    for (let chars = 0, at = 0; chars <= CONTEXT_MAX_CHARS + 100_000; at++) {
      const span = spans[at % spans.length];
      records.push({ id: `web-${at}`, text: text.slice(span.start, span.end), meta: { source: 'web' } });
      chars += span.end - span.start;
    }
    const input = join(dir, 'web.jsonl');
    writeFileSync(input, jsonl(records));
    const out = join(dir, 'web');
    const result = await runCli(['mask', input, '--pack', 'physics-post-1900', '--out', out, '--quiet', '--context-field', 'meta.source']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe(
      "lacuna: warning: 1 run(s) of records with the same 'meta.source' (--context-field) reached 8 MiB of text and went on as new runs: records judged together are detected and decided as one text, so the field should name one work (a book, an article, a thread), not a source or a language\n",
    );
    const manifest = readManifest(out);
    expect(manifest.context).toEqual({ field: 'meta.source', records: records.length, runs: 2, joined: records.length, capped: 1 });
    expect(manifest.counts.kept + manifest.counts.edited + manifest.counts.dropped).toBe(records.length);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('1 run(s) reached 8 MiB of text and went on as new runs: a field that names no single work.');
  });

  it('lacuna verify re-detects a run as it was masked, and a corpus with --pack as asked', async () => {
    const dir = tempDir();
    const text = readSharedText(RELATIVITY);
    const records = splitParagraphs(text)
      .filter((span) => span.end - span.start >= 300)
      .slice(0, 120)
      .map((span) => ({ id: String(span.start), text: text.slice(span.start, span.end), meta: { book: 'relativity' } }));
    const input = join(dir, 'paragraphs.jsonl');
    writeFileSync(input, jsonl(records));
    const out = join(dir, 'run');
    expect((await runCli(['mask', input, '--pack', 'physics-post-1900', '--out', out, '--quiet', '--context-field', 'meta.book'])).code).toBe(0);
    const verified = await runCli(['verify', out, '--json']);
    expect(verified.code, verified.stderr).toBe(0);
    expect(JSON.parse(verified.stdout).methods[0]).toContain('records one after another with the same meta.book together');
    const refused = await runCli(['verify', out, '--context-field', 'meta.book']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe('lacuna: --context-field goes with --pack: a mask run is re-detected with the context field it was masked with (its manifest records it)\n');
    // On a corpus Lacuna did not make: the book's paragraphs together are judged as the book, and more of them is found.
    const findings = async (...args: string[]) => {
      const result = await runCli(['verify', '--pack', 'physics-post-1900', input, '--json', ...args]);
      expect(result.code, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout);
      return { count: Object.values(report.run.findingsByConcept as Record<string, number>).reduce((sum, count) => sum + count, 0), removed: report.estimate.removedChars as number, method: report.methods[0] as string };
    };
    const alone = await findings();
    const together = await findings('--context-field', 'meta.book');
    expect(together.method).toContain('records one after another with the same meta.book together');
    expect(alone.method).not.toContain('together');
    expect(together.count).toBeGreaterThan(alone.count);
    expect(together.removed).toBeGreaterThan(alone.removed);
    // lacuna audit reads the records as mask does: together, more of them carry a finding.
    const flagged = async (...args: string[]) => {
      const out = join(dir, `audit${args.length}`);
      const result = await runCli(['audit', input, '--pack', 'physics-post-1900', '--out', out, '--quiet', ...args]);
      expect(result.code, result.stderr).toBe(0);
      return readJsonlFile(join(out, 'documents.jsonl.gz')).length;
    };
    const auditedAlone = await flagged();
    const auditedTogether = await flagged('--context-field', 'meta.book');
    expect(auditedTogether).toBeGreaterThan(auditedAlone);
    expect(auditedTogether).toBeLessThanOrEqual(records.length);
    // It counts and reports the runs as mask does, and says so of a field no record has.
    const audit = JSON.parse(readFileSync(join(dir, 'audit2', 'audit.json'), 'utf8'));
    expect(audit.context).toEqual({ field: 'meta.book', records: records.length, runs: 1, joined: records.length });
    expect(readFileSync(join(dir, 'audit2', 'audit.md'), 'utf8')).toContain(`Detected together (\`--context-field meta.book\`): ${records.length} record(s) had the field; ${records.length} of them in 1 run(s)`);
    expect(readFileSync(join(dir, 'audit2', 'report.html'), 'utf8')).toContain('<p>Detected together (<code>--context-field meta.book</code>)');
    expect(JSON.parse(readFileSync(join(dir, 'audit0', 'audit.json'), 'utf8')).context).toBeUndefined();
    const misspelt = await runCli(['audit', input, '--pack', 'physics-post-1900', '--quiet', '--context-field', 'meta.bok']);
    expect(misspelt.code).toBe(0);
    expect(misspelt.stderr).toBe("lacuna: warning: no record has the field 'meta.bok' (--context-field): every record was detected on its own\n");
  });
});
