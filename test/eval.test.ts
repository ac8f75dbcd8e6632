/**
 * `lacuna eval`: labelled passages, each masked as a document of its own, measured as a run would
 * mask them, with the passages that went wrong.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { splitParagraphs } from '../maskers/segment/segmenter.js';
import { labelledRates, readSharedText, ROOT, runCli, SHARED, sharedAvailable, tempDir } from './helpers.js';

const SET3 = join(ROOT, 'test', 'data', 'physics-post-1900.paraphrases-3.tsv');
const DEFAULT = ['--detectors', 'lexical,entity,context,passage'];

describe('lacuna eval', () => {
  it('agrees with `lacuna audit` on which one-sentence passages the default detectors flag', async () => {
    const run = await runCli(['eval', '--pack', 'physics-post-1900', SET3, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    // A one-sentence document with a finding is dropped whole: removed and flagged are the same there.
    const audited = await labelledRates(SET3, 'physics-post-1900', DEFAULT);
    expect(result.targets).toMatchObject({ passages: audited.target.total, counted: audited.target.flagged });
    expect(result.others).toMatchObject({ passages: audited.keep.total, counted: audited.keep.flagged });
    expect(result.missed).toHaveLength(audited.target.total - audited.target.flagged);
    expect(result.touched).toHaveLength(audited.keep.flagged);
    for (const passage of result.missed) {
      expect(passage).toMatchObject({ label: 1, kind: 'paraphrase' });
      expect(passage.removed).toBeLessThan(0.5);
      const line = readFileSync(SET3, 'utf8').split('\n')[passage.line - 1];
      expect(line.split('\t')[2]).toBe(passage.text);
    }
    expect(result.files[0]).toMatchObject({ path: SET3, passages: 50 });
    expect(result.targets.share.low).toBeLessThanOrEqual(result.targets.share.estimate);
  });

  it('marks what it removed from a passage that is not target knowledge and names the finding, and writes JSON only to a new file', async () => {
    const dir = tempDir();
    const labelled = join(dir, 'mine.tsv');
    writeFileSync(
      labelled,
      [
        'label\tkind\ttext',
        '0\tbiography\tIn 1921 Einstein lectured on geometry and experience at the Prussian Academy, and the hall was full.',
        '0\tpre\tFaraday found in 1831 that a changing magnetic field induces a current in a nearby wire.',
        '1\tplain\tThe mass of a body is a measure of its energy content, as Einstein showed in 1905.',
      ].join('\n') + '\n',
    );
    const out = join(dir, 'eval.json');
    const run = await runCli(['eval', '--pack', 'physics-post-1900', labelled, '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('| all | 1/1 (100%; 95% 21%–100%) | 1/2 (50%; 95% 9%–91%) |');
    expect(run.stdout).toMatch(/## Other passages that lost text \(1\)\n\n- .+mine\.tsv:2 \[biography\] 100% removed \(.*entity person "Albert Einstein" \([a-z-]+\).*\): ⟦In 1921 Einstein lectured .+⟧\n/);
    const written = JSON.parse(readFileSync(out, 'utf8'));
    expect(written.byKind.pre.others).toMatchObject({ passages: 1, counted: 0 });
    expect(written.touched[0].findings.some((finding: { detector: string; text: string }) => finding.detector === 'entity' && finding.text === 'Einstein')).toBe(true);
    const again = await runCli(['eval', '--pack', 'physics-post-1900', labelled, '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^lacuna: .+eval\.json.+exists/);
  });

  it('refuses a malformed line with its file and line number', async () => {
    const dir = tempDir();
    const labelled = join(dir, 'bad.tsv');
    writeFileSync(labelled, 'label\tkind\ttext\n1\tplain\tLight is a wave.\nyes\tplain\tMass is energy.\n');
    const run = await runCli(['eval', '--pack', 'physics-post-1900', labelled]);
    expect(run).toMatchObject({ code: 2, stdout: '', stderr: `lacuna: ${labelled} line 3: expected "label<TAB>kind<TAB>text" with label 0 or 1\n` });
    expect(existsSync(join(dir, 'eval.json'))).toBe(false);
  });

  it('counts kinds named as Object.prototype properties as any other kind', async () => {
    const dir = tempDir();
    const labelled = join(dir, 'kinds.tsv');
    writeFileSync(labelled, 'label\tkind\ttext\n0\tconstructor\tFaraday found in 1831 that a changing magnetic field induces a current.\n1\t__proto__\tThe mass of a body is a measure of its energy content, as Einstein showed in 1905.\n');
    const run = await runCli(['eval', '--pack', 'physics-post-1900', labelled, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const byKind = JSON.parse(run.stdout).byKind;
    expect(Object.keys(byKind)).toEqual(['constructor', '__proto__']);
    expect(byKind.constructor.others).toMatchObject({ passages: 1, counted: 0 });
    expect(byKind.__proto__.targets).toMatchObject({ passages: 1, counted: 1 });
  });
});

const RELATIVITY = 'physics/post1900/einstein_relativity_pg5001.txt';
const MICHELSON_MORLEY = 'physics/pre1900/michelson_morley_relative_motion_aether_1887_pg70888.txt';

describe.runIf(sharedAvailable('lacuna eval on whole books'))('lacuna eval --target-books/--other-books', () => {
  it("measures whole books at the three scales, and a paragraph alone is what `lacuna eval` makes of it as a labelled passage", async () => {
    const dir = tempDir();
    // A directory of books is walked for .txt and .md files, links included; anything else is not a book.
    const older = join(dir, 'older');
    mkdirSync(join(older, 'deep'), { recursive: true });
    symlinkSync(join(SHARED, 'corpora', MICHELSON_MORLEY), join(older, 'deep', 'michelson-morley.txt'));
    writeFileSync(join(older, 'notes.json'), '{"not": "a book"}\n');
    const out = join(dir, 'books.json');
    // The same book named twice is one row.
    const run = await runCli(['eval', '--pack', 'physics-post-1900', '--target-books', join(SHARED, 'corpora', RELATIVITY), '--target-books', `${SHARED}/corpora/./${RELATIVITY}`, '--other-books', older, '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(readFileSync(out, 'utf8'));
    expect(result.books.map((book: { path: string; kind: string }) => [book.kind, book.path])).toEqual([
      ['target', join(SHARED, 'corpora', RELATIVITY)],
      ['other', join(older, 'deep', 'michelson-morley.txt')],
    ]);
    const [relativity, michelson] = result.books;
    // The shipped model was trained on both books, so these are in-sample rates, and the evaluation says so, with what
    // the model file records each lost when held out (`lacuna train`). This checks the protocol, not the detectors.
    expect(relativity.trainedOn).toMatchObject({ name: RELATIVITY, side: 'positive', heldOut: { inBook: expect.any(Number), inDocuments: expect.any(Number), alone: expect.any(Number) } });
    expect(michelson.trainedOn).toMatchObject({ name: MICHELSON_MORLEY, side: 'negative' });
    expect(relativity.alone).toBeGreaterThan(relativity.trainedOn.heldOut.alone);
    expect(result.target.inSample).toBe(1);
    expect(run.stdout).toContain(`| target | ${relativity.path} † | ${relativity.chars.toLocaleString('en-US')} | ${(relativity.inBook * 100).toFixed(1)}% (held out ${(relativity.trainedOn.heldOut.inBook * 100).toFixed(1)}%) |`);
    expect(run.stdout).toContain('† 2 of these books trained the pack');
    expect(relativity.inBook).toBeGreaterThanOrEqual(0.95);
    expect(relativity.inDocuments).toBeGreaterThanOrEqual(0.95);
    expect(michelson.inBook).toBeLessThanOrEqual(0.01);
    expect(result.target).toMatchObject({ books: 1, chars: relativity.chars, mean: { inBook: relativity.inBook, inDocuments: relativity.inDocuments, alone: relativity.alone } });
    expect(result.other.worst).toEqual({ inBook: michelson.path, inDocuments: michelson.path, alone: michelson.path });
    expect(run.stdout).toContain('| other: mean of 1 |');
    // Held-out rates are recorded for the default detectors: with others the book is still in sample, with no brackets.
    const other = await runCli(['eval', '--pack', 'physics-post-1900', '--detectors', 'lexical,passage', '--other-books', join(SHARED, 'corpora', MICHELSON_MORLEY), '--json']);
    expect(other.code, other.stderr).toBe(0);
    const [alone] = JSON.parse(other.stdout).books;
    expect(alone.trainedOn).toEqual({ name: MICHELSON_MORLEY, side: 'negative' });

    // Each measured paragraph (300 characters or more) as a labelled passage: `lacuna eval` masks it as a document of its
    // own, as "each paragraph alone" does, so the removed characters agree (to the rounding of each passage's share).
    const text = readSharedText(RELATIVITY);
    const paragraphs = splitParagraphs(text).filter((span) => span.end - span.start >= 300);
    expect(paragraphs.length).toBe(relativity.paragraphs);
    const tsv = join(dir, 'paragraphs.tsv');
    writeFileSync(tsv, ['label\tkind\ttext', ...paragraphs.map((span) => `1\tparagraph\t${text.slice(span.start, span.end).replace(/[\t\n\r]/g, ' ')}`)].join('\n') + '\n');
    const labelled = await runCli(['eval', '--pack', 'physics-post-1900', tsv, '--json']);
    expect(labelled.code, labelled.stderr).toBe(0);
    const passages = JSON.parse(labelled.stdout);
    expect(passages.targets.chars).toBe(relativity.chars);
    expect(Math.abs(passages.targets.removedChars / passages.targets.chars - relativity.alone)).toBeLessThan(0.002);
  });

  it('names what went wrong in a target book, worst first', async () => {
    const dir = tempDir();
    const book = join(dir, 'mixed.md');
    // Two paragraphs of Michelson and Morley's own text and one stating the target: as a target book, the older text is what it keeps.
    const older = splitParagraphs(readSharedText(MICHELSON_MORLEY)).map((span) => readSharedText(MICHELSON_MORLEY).slice(span.start, span.end)).filter((paragraph) => paragraph.length >= 300 && paragraph.length < 1500);
    const target = 'Einstein showed in 1905 that the mass of a body is a measure of its energy content: a body that gives off the energy E in the form of radiation loses the mass E/c², whatever the form of the energy. Mass and energy are equivalent, and the inertia of a body depends on the energy it holds, as the special theory of relativity requires of every law of nature.';
    writeFileSync(book, [older[0], target, older[1]].join('\n\n') + '\n');
    const run = await runCli(['eval', '--pack', 'physics-post-1900', '--target-books', book, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const [measured] = JSON.parse(run.stdout).books;
    expect(measured).toMatchObject({ kind: 'target', paragraphs: 3 });
    expect(measured.trainedOn).toBeUndefined();
    expect(measured.passages.map((passage: { text: string }) => passage.text.slice(0, 40))).toEqual(
      [older[0], older[1]]
        .sort((a, b) => b.length - a.length)
        .map((paragraph) => paragraph.replace(/\s+/g, ' ').trim().slice(0, 40)),
    );
    expect(measured.passages.every((passage: { removed: number }) => passage.removed < 0.5)).toBe(true);
  });

  it('scores paragraphs labelled by hand in the books exactly, found by their path or its end, and leaves a README out', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'shelf', 'target'), { recursive: true });
    const older = splitParagraphs(readSharedText(MICHELSON_MORLEY)).map((span) => readSharedText(MICHELSON_MORLEY).slice(span.start, span.end)).filter((paragraph) => paragraph.length >= 300 && paragraph.length < 1500);
    const target = 'Einstein showed in 1905 that the mass of a body is a measure of its energy content: a body that gives off the energy E in the form of radiation loses the mass E/c², whatever the form of the energy. Mass and energy are equivalent, and the inertia of a body depends on the energy it holds, as the special theory of relativity requires of every law of nature.';
    const paragraphs = [older[0], target, older[1]];
    writeFileSync(join(dir, 'shelf', 'target', 'mixed.md'), paragraphs.join('\n\n') + '\n');
    writeFileSync(join(dir, 'shelf', 'target', 'README.md'), '# The target shelf\n\nBooks on relativity, one file each. ' + 'Einstein and the theory of relativity. '.repeat(10) + '\n');
    const at = (index: number) => ({ start: paragraphs.slice(0, index).reduce((sum, paragraph) => sum + paragraph.length + 2, 0), end: paragraphs.slice(0, index + 1).reduce((sum, paragraph) => sum + paragraph.length + 2, 0) - 2 });
    const row = (label: number, name: string, index: number) => [label, name, at(index).start, at(index).end, paragraphs[index].replace(/\s+/g, ' ').slice(0, 30)].join('\t');
    // The target paragraph labelled a target (by its path from the labels file), the older ones a keep (by the end of its path) and,
    // wrongly, a target (by its name): the scores must land on those very paragraphs.
    writeFileSync(join(dir, 'as-written.tsv'), ['label\tbook\tstart\tend\tbegins', row(1, 'shelf/target/mixed.md', 1), row(0, 'target/mixed.md', 0), row(1, 'mixed.md', 2)].join('\n') + '\n');
    // The same target paragraph labelled a keep: it must count as a keep touched at every scale.
    writeFileSync(join(dir, 'contrary.tsv'), ['label\tbook\tstart\tend\tbegins', row(0, 'mixed.md', 1)].join('\n') + '\n');
    const run = await runCli(['eval', '--pack', 'physics-post-1900', '--target-books', join(dir, 'shelf'), '--labels', join(dir, 'as-written.tsv'), '--labels', join(dir, 'contrary.tsv'), '--json']);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.books.map((book: { path: string }) => book.path)).toEqual([join(dir, 'shelf', 'target', 'mixed.md')]);
    expect(result.skipped).toEqual([join(dir, 'shelf', 'target', 'README.md')]);
    const [asWritten, contrary] = result.labelled;
    expect(asWritten).toMatchObject({ targets: 2, targetsRemoved: 1, targetsRemovedInDocuments: 1, targetsRemovedAlone: 1, keeps: 1, keepsTouched: 0, keepsTouchedInDocuments: 0, keepsTouchedAlone: 0, damaged: [] });
    expect(asWritten.missed).toHaveLength(1);
    expect(asWritten.missed[0]).toMatchObject({ ...at(2), label: 1, removed: 0, removedAlone: 0, book: join(dir, 'shelf', 'target', 'mixed.md') });
    expect(contrary).toMatchObject({ targets: 0, keeps: 1, keepsTouched: 1, keepsTouchedInDocuments: 1, keepsTouchedAlone: 1, missed: [] });
    expect(contrary.damaged[0]).toMatchObject({ ...at(1), label: 0 });
    expect(contrary.damaged[0].removed).toBeGreaterThanOrEqual(0.5);
    const markdown = await runCli(['eval', '--pack', 'physics-post-1900', '--target-books', join(dir, 'shelf'), '--labels', join(dir, 'as-written.tsv')]);
    expect(markdown.stdout).toContain(`Hand-labelled paragraphs (${join(dir, 'as-written.tsv')}): targets removed 1/2, keeps that lost anything 0/1;`);
    expect(markdown.stdout).toContain(`Not measured, as not books: ${join(dir, 'shelf', 'target', 'README.md')}.`);
    expect(markdown.stdout).toMatch(/- target kept: .+mixed\.md \d+–\d+, removed 0% \(alone 0%\)/);
  });

  it('refuses books it cannot read, the same book on both sides, and books with labelled passages, in one line each', async () => {
    const dir = tempDir();
    const book = join(dir, 'book.txt');
    copyFileSync(join(SHARED, 'corpora', MICHELSON_MORLEY), book);
    mkdirSync(join(dir, 'empty'));
    // A directory whose only text file is its README holds no book.
    writeFileSync(join(dir, 'empty', 'README.md'), '# Books\n\nThe books of this shelf, one file each.\n');
    mkdirSync(join(dir, 'a'));
    mkdirSync(join(dir, 'b'));
    copyFileSync(book, join(dir, 'a', 'same.txt'));
    copyFileSync(book, join(dir, 'b', 'same.txt'));
    const labels = (name: string) => {
      const file = join(dir, `labels-${name.replace(/\W/g, '_')}.tsv`);
      writeFileSync(file, `label\tbook\tstart\tend\tbegins\n0\t${name}\t0\t10\t\n`);
      return file;
    };
    const cases: [string[], RegExp][] = [
      [['--target-books', join(dir, 'missing.txt')], /^lacuna: cannot read target books '.+missing\.txt': no such file or directory\n$/],
      [['--other-books', join(dir, 'empty')], /^lacuna: other books '.+empty' is a directory with no book under it \(a \.txt or \.md file other than a README, licence or the like\)\n$/],
      [['--target-books', book, '--other-books', dir], /^lacuna: '.+book\.txt' is named both as a target book and as an other book\n$/],
      [['--target-books', book, SET3], /^lacuna: give labelled passages or --target-books\/--other-books, not both\n$/],
      [[], /^lacuna: give labelled passages \(TSV files\), or books with --target-books and --other-books\n$/],
      [[SET3, '--labels', labels('book.txt')], /^lacuna: --labels labels paragraphs of books: give the books with --target-books and --other-books \(labelled passages are given as arguments\)\n$/],
      [['--other-books', book, '--labels', labels('other.txt')], /^lacuna: .+labels-other_txt\.tsv:2: book 'other\.txt' is not one of the books measured \(--target-books, --other-books\)\n$/],
      [['--other-books', join(dir, 'a'), '--other-books', join(dir, 'b'), '--labels', labels('same.txt')], /^lacuna: .+labels-same_txt\.tsv:2: book 'same\.txt' could be any of 2 books measured \(.+a\/same\.txt, .+b\/same\.txt\); give more of its path\n$/],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(['eval', '--pack', 'physics-post-1900', ...args]);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(message);
    }
  });
});
