/**
 * `lacuna eval --target-books … --other-books …`: the shipped pack measured on whole books a user
 * brings, by the protocol `lacuna train` measures held-out books with (book-measures.ts): for each
 * book, the share of its measured characters (paragraphs of at least MEASURED_MIN_CHARS) removed in
 * the book, in documents of DOCUMENT_CHARS characters, and with each paragraph masked alone.
 *
 * Target books are books whose subject is the pack's target (written after the cutoff about the
 * field): what they keep is what a corpus would leak. Other books hold none of it (written before
 * the cutoff, or modern prose about older knowledge): what they lose is collateral. Unlabelled, a
 * target book's own older material counts as kept and an older book's rare aside as lost; the
 * passages that went wrong, worst first, say which it was. With `labels` (paragraphs a person
 * labelled, as `lacuna train --labels` reads them: paragraph-labels.ts), the labelled paragraphs are
 * scored exactly: targets removed and keeps touched at each scale.
 *
 * This is how a lab checks the pack on its own dated texts before a corpus run, and how anyone
 * repeats the README's held-out tables on books this project never had.
 */
import { readdir, stat } from 'node:fs/promises';
import { dirname, join, normalize, resolve, sep } from 'node:path';
import { UsageError } from '../corpora/errors.js';
import { errnoMessage, readUserFile } from '../corpora/user-file.js';
import { sha256Hex } from '../indexes/classifier/passage-model.js';
import { loadSemanticModels } from '../indexes/semantic-models.js';
import { DetectorChain, type DetectorName } from '../maskers/detectors/chain.js';
import { DOCUMENT_CHARS, loadPassageModel } from '../maskers/detectors/passage.js';
import { loadPack } from '../maskers/pack/load.js';
import type { Pack } from '../maskers/pack/schema.js';
import { isolatedShares, lossOf, measuredLoss, measuredParagraphs, MEASURED_MIN_CHARS, readBookText, removedFromDocument, removedInBook, removedInDocuments, removedShare, wrongSideChars, type MeasuredText } from './book-measures.js';
import { labelledSummaryLines, labelledWrongLines, readLabelledParagraphs, scoreLabelledParagraphs, type BookFinder, type LabelledResult, type LabelledRow, type LabelledText } from './paragraph-labels.js';

export type BookKind = 'target' | 'other';

export interface BookEvaluationOptions {
  targetBooks: readonly string[];
  otherBooks: readonly string[];
  pack: string;
  detectors: readonly DetectorName[];
  cacheDir: string;
  model: string;
  /**
   * Files of paragraphs labelled by hand in these books (TSV: label, book, start, end, begins); a
   * row's book is found by its path (relative to the labels file or to the working directory) or by
   * the end of a book's path ("physics/post/x.txt").
   */
  labels?: readonly string[];
  /** Called as each book starts (for progress on a terminal). */
  onBook?: (path: string, at: number, of: number) => void;
}

/** A measured paragraph that went wrong: target text kept in its book, or other text lost there. */
export interface BookPassage {
  start: number;
  end: number;
  /** Share removed in the book, in its document and alone. */
  removed: number;
  removedInDocument: number;
  removedAlone: number;
  text: string;
}

/**
 * A book the pack's passage model was trained on (same sha256): its rates here are in sample. The
 * model file records what the book lost when it was held out (`lacuna train --write`), when known.
 */
export interface TrainedOn {
  name: string;
  side: string;
  heldOut?: { inBook: number; inDocuments: number; alone: number };
}

export interface EvaluatedBook {
  path: string;
  kind: BookKind;
  sha256: string;
  /** Set when the pack's passage model was trained on this very file. */
  trainedOn?: TrainedOn;
  /** Measured paragraphs and their characters. */
  paragraphs: number;
  chars: number;
  /** Share of the measured characters removed at each scale. */
  inBook: number;
  inDocuments: number;
  alone: number;
  /** The measured paragraphs on the wrong side in the book, most characters first (at most PASSAGES_PER_BOOK). */
  passages: BookPassage[];
}

export interface KindSummary {
  books: number;
  chars: number;
  /** How many of the books trained the pack's passage model (their rates are in sample). */
  inSample: number;
  /** Mean over the books of each scale's share (each book counts once, as the README's tables do). */
  mean: { inBook: number; inDocuments: number; alone: number };
  /** The book furthest on the wrong side at each scale: least removed of the target books, most of the others. */
  worst: { inBook: string; inDocuments: string; alone: string } | null;
}

export interface BookEvaluation {
  pack: { id: string; version: string; sha256: string };
  detectors: DetectorName[];
  documentChars: number;
  measuredMinChars: number;
  books: EvaluatedBook[];
  target: KindSummary;
  other: KindSummary;
  /** One result per labels file, in order; the paragraphs' `book` is the book's path as given. */
  labelled?: LabelledResult[];
  /** Files under a directory of books that are not books (README, LICENSE…), left out. */
  skipped?: string[];
}

const PASSAGES_PER_BOOK = 12;
const BOOK_FILE = /\.(txt|md)$/i;
/**
 * Files a directory of books holds beside them that are not books: a README, a licence, a list of
 * sources, a changelog. Measured as books they made a target book's mean lower (a SOURCES.md is
 * no relativity) or an other book's higher. A file named on its own is always measured.
 */
const NOT_A_BOOK = /^(readme|licen[cs]e|copying|sources|changelog|changes|contributing|authors|notice)([._-].*)?$/i;

/** The book files a path names: the file itself, or every .txt and .md file under a directory but READMEs and the like, sorted. */
export async function bookFiles(path: string, what: string, skipped: string[] = []): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw new UsageError(`cannot read ${what} '${path}': ${errnoMessage(error)}`);
  }
  if (info.isFile()) return [path];
  const found: string[] = [];
  for (const item of await readdir(path, { withFileTypes: true, recursive: true })) {
    if (!BOOK_FILE.test(item.name)) continue;
    const file = join(item.parentPath, item.name);
    if (NOT_A_BOOK.test(item.name)) {
      skipped.push(file);
      continue;
    }
    // A link to a book is the book (a selection of files is often a directory of links).
    if (item.isFile() || (item.isSymbolicLink() && (await stat(file).catch(() => undefined))?.isFile())) found.push(file);
  }
  if (found.length === 0) throw new UsageError(`${what} '${path}' is a directory with no book under it (a .txt or .md file other than a README, licence or the like)`);
  return found.sort();
}

/**
 * The books the pack's passage model was trained on, by sha256, with their held-out rates where the
 * model records them for the detectors measuring now.
 */
function trainingBooks(pack: Pack, detectors: readonly DetectorName[]): Map<string, TrainedOn> {
  const byHash = new Map<string, TrainedOn>();
  if (!pack.passage || !detectors.includes('passage')) return byHash;
  const training = loadPassageModel(pack.passage).training as { books?: unknown; heldOut?: { books?: unknown; detectors?: unknown } };
  const heldOut = new Map<string, { loss: number; documentLoss: number; isolatedLoss: number }>();
  // Held-out rates are comparable only when measured with the same detectors (the default ones, as `lacuna train` measures).
  const recorded = Array.isArray(training.heldOut?.detectors) ? new Set(training.heldOut.detectors) : undefined;
  const sameDetectors = recorded !== undefined && recorded.size === new Set(detectors).size && detectors.every((name) => recorded.has(name));
  if (sameDetectors && Array.isArray(training.heldOut?.books)) for (const book of training.heldOut.books) if (typeof book?.name === 'string') heldOut.set(book.name, book);
  if (!Array.isArray(training.books)) return byHash;
  for (const book of training.books) {
    if (typeof book?.sha256 !== 'string' || typeof book.name !== 'string') continue;
    const held = heldOut.get(book.name);
    byHash.set(book.sha256, { name: book.name, side: String(book.side), ...(held ? { heldOut: { inBook: held.loss, inDocuments: held.documentLoss, alone: held.isolatedLoss } } : {}) });
  }
  return byHash;
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

function excerpt(text: string, limit = 400): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= limit ? flat : `${flat.slice(0, limit - 1)}…`;
}

/** The measured paragraphs on the wrong side in the book (wrongSideChars), most characters first. */
function wrongPassages(book: MeasuredText, kind: BookKind, removed: Uint8Array, inDocuments: Uint8Array, alone: Float64Array): BookPassage[] {
  const wrong: { passage: BookPassage; cost: number }[] = [];
  measuredParagraphs(book).forEach(({ span }, at) => {
    const share = removedShare(removed, span);
    const length = span.end - span.start;
    const cost = wrongSideChars(kind === 'target', share, length);
    if (cost === 0) return;
    wrong.push({ passage: { ...span, removed: round6(share), removedInDocument: round6(removedShare(inDocuments, span)), removedAlone: round6(alone[at]), text: excerpt(book.text.slice(span.start, span.end)) }, cost });
  });
  wrong.sort((a, b) => b.cost - a.cost || a.passage.start - b.passage.start);
  return wrong.slice(0, PASSAGES_PER_BOOK).map((item) => item.passage);
}

function summarise(books: readonly EvaluatedBook[], kind: BookKind): KindSummary {
  const own = books.filter((book) => book.kind === kind && book.chars > 0);
  const mean = (scale: 'inBook' | 'inDocuments' | 'alone') => (own.length === 0 ? 0 : round6(own.reduce((sum, book) => sum + book[scale], 0) / own.length));
  // Least removed of the target books, most removed of the others; ties go to the first path.
  const worst = (scale: 'inBook' | 'inDocuments' | 'alone') => own.reduce((a, b) => ((kind === 'target' ? b[scale] < a[scale] : b[scale] > a[scale]) ? b : a)).path;
  return {
    books: own.length,
    chars: own.reduce((sum, book) => sum + book.chars, 0),
    inSample: own.filter((book) => book.trainedOn).length,
    mean: { inBook: mean('inBook'), inDocuments: mean('inDocuments'), alone: mean('alone') },
    worst: own.length === 0 ? null : { inBook: worst('inBook'), inDocuments: worst('inDocuments'), alone: worst('alone') },
  };
}

/**
 * The book a labels row names: the file at that path (relative to the labels file or to the
 * working directory), else the one book whose path ends with it ("post/x.txt"), as `lacuna train`'s
 * labels name books below the data directory.
 */
function labelledBookFinder(labelsFile: string, paths: readonly string[]): BookFinder {
  const resolved = paths.map((path) => resolve(path));
  return (name, where) => {
    if (name === '') throw new UsageError(`${where}: the book column is empty`);
    for (const candidate of [resolve(dirname(labelsFile), name), resolve(name)]) {
      const at = resolved.indexOf(candidate);
      if (at >= 0) return at;
    }
    const tail = sep + normalize(name);
    const ending = resolved.flatMap((path, at) => (path.endsWith(tail) ? [at] : []));
    if (ending.length === 1) return ending[0];
    if (ending.length === 0) throw new UsageError(`${where}: book '${name}' is not one of the books measured (--target-books, --other-books)`);
    throw new UsageError(`${where}: book '${name}' could be any of ${ending.length} books measured (${ending.slice(0, 3).map((at) => paths[at]).join(', ')}${ending.length > 3 ? ', …' : ''}); give more of its path`);
  };
}

export async function evaluateBooks(options: BookEvaluationOptions): Promise<BookEvaluation> {
  const named: { path: string; kind: BookKind }[] = [];
  const skipped: string[] = [];
  for (const path of options.targetBooks) for (const file of await bookFiles(path, 'target books', skipped)) named.push({ path: file, kind: 'target' });
  for (const path of options.otherBooks) for (const file of await bookFiles(path, 'other books', skipped)) named.push({ path: file, kind: 'other' });
  // One book, one row: "a/b.txt" and "./a/b.txt" are the same file.
  const seen = new Map<string, { path: string; kind: BookKind }>();
  for (const { path, kind } of named) {
    const known = seen.get(resolve(path));
    if (known && known.kind !== kind) throw new UsageError(`'${path}' is named both as a target book and as an other book`);
    if (!known) seen.set(resolve(path), { path, kind });
  }
  const unique = [...seen.values()];
  const readBook = async (at: number): Promise<LabelledText & { bytes: Buffer }> => {
    const { path, kind } = unique[at];
    const bytes = await readUserFile(path, kind === 'target' ? 'target book' : 'other book');
    return { name: path, bytes, ...readBookText(bytes) };
  };
  // Every label is checked against its book before the first minute of measuring. The labelled
  // books are held (their labels are scored at the end); the others are read one at a time below.
  const labelledTexts: (LabelledText & { bytes: Buffer })[] = [];
  const labelled: { file: string; rows: LabelledRow[] }[] = [];
  for (const file of options.labels ?? []) {
    const bookAt = async (at: number) => (labelledTexts[at] ??= await readBook(at));
    labelled.push({ file, rows: await readLabelledParagraphs(file, bookAt, labelledBookFinder(file, unique.map((book) => book.path))) });
  }

  const loaded = await loadPack(options.pack, options.cacheDir);
  const models = options.detectors.includes('semantic') ? await loadSemanticModels(options.cacheDir, options.model) : undefined;
  const chain = await DetectorChain.create(loaded.pack, { detectors: options.detectors, models });
  const trained = trainingBooks(loaded.pack, options.detectors);
  const books: EvaluatedBook[] = [];
  // What each labelled book lost in the book and in documents (unlabelled books keep none: a corpus of books is large).
  const removedByBook: Uint8Array[] = [];
  const removedInDocumentsByBook: Uint8Array[] = [];
  for (let at = 0; at < unique.length; at++) {
    const { path, kind } = unique[at];
    options.onBook?.(path, at, unique.length);
    const book = labelledTexts[at] ?? (await readBook(at));
    const measured = measuredParagraphs(book);
    const removed = await removedInBook(chain, book);
    const inDocuments = await removedInDocuments(chain, book, DOCUMENT_CHARS);
    const alone = await isolatedShares(chain, book);
    const sha256 = sha256Hex(book.bytes);
    const trainedOn = trained.get(sha256);
    if (labelledTexts[at]) {
      removedByBook[at] = removed;
      removedInDocumentsByBook[at] = inDocuments;
    }
    books.push({
      path,
      kind,
      sha256,
      ...(trainedOn ? { trainedOn } : {}),
      paragraphs: measured.length,
      chars: measured.reduce((sum, { span }) => sum + span.end - span.start, 0),
      inBook: round6(measuredLoss(book, removed)),
      inDocuments: round6(measuredLoss(book, inDocuments)),
      alone: round6(lossOf(book, alone)),
      passages: wrongPassages(book, kind, removed, inDocuments, alone),
    });
  }
  const scored: LabelledResult[] = [];
  for (const { file, rows } of labelled) scored.push(await scoreLabelledParagraphs(file, rows, labelledTexts, removedByBook, (_book, text) => removedFromDocument(chain, text), removedInDocumentsByBook));
  return {
    pack: { id: loaded.pack.id, version: loaded.pack.version, sha256: loaded.sha256 },
    detectors: [...options.detectors],
    documentChars: DOCUMENT_CHARS,
    measuredMinChars: MEASURED_MIN_CHARS,
    books,
    target: summarise(books, 'target'),
    other: summarise(books, 'other'),
    ...(scored.length > 0 ? { labelled: scored } : {}),
    ...(skipped.length > 0 ? { skipped: [...new Set(skipped)].sort() } : {}),
  };
}

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

/** The evaluation as Markdown: a row per book, each kind's mean, then the passages that went wrong. */
export function bookEvaluationMarkdown(result: BookEvaluation): string {
  const cell = (book: EvaluatedBook, scale: 'inBook' | 'inDocuments' | 'alone') => {
    if (book.chars === 0) return '–';
    const held = book.trainedOn?.heldOut;
    return held ? `${percent(book[scale])} (held out ${percent(held[scale])})` : percent(book[scale]);
  };
  const row = (book: EvaluatedBook) => `| ${book.kind} | ${book.path.replace(/\|/g, '\\|')}${book.trainedOn ? ' †' : ''} | ${book.chars.toLocaleString('en-US')} | ${cell(book, 'inBook')} | ${cell(book, 'inDocuments')} | ${cell(book, 'alone')} |`;
  const meanRow = (kind: BookKind, summary: KindSummary) => `| ${kind}: mean of ${summary.books} | | ${summary.chars.toLocaleString('en-US')} | ${percent(summary.mean.inBook)} | ${percent(summary.mean.inDocuments)} | ${percent(summary.mean.alone)} |`;
  const lines = [
    `# lacuna eval: ${result.pack.id} ${result.pack.version}, whole books`,
    '',
    `Detectors: ${result.detectors.join(', ')}. Share of each book's characters removed, measured on its paragraphs of at least ${result.measuredMinChars} characters: in the book (masked whole, never dropped whole), in documents of ${result.documentChars.toLocaleString('en-US')} characters (masked as \`lacuna mask\` masks a record), and with each paragraph masked alone. Target books should lose most of their text; other books as little as possible.`,
    '',
    '| kind | book | measured characters | in its book | in documents | each paragraph alone |',
    '|---|---|---:|---:|---:|---:|',
    ...result.books.map(row),
  ];
  if (result.target.books > 0) lines.push(meanRow('target', result.target));
  if (result.other.books > 0) lines.push(meanRow('other', result.other));
  lines.push('');
  const inSample = result.target.inSample + result.other.inSample;
  if (inSample > 0) {
    const bracketed = result.books.some((book) => book.trainedOn?.heldOut);
    const held = bracketed
      ? " In brackets, what the model file records the book lost when it was held out (`lacuna train`, each book scored by a model trained without it)."
      : ' The model file records held-out rates for the default detectors only, so none is shown beside these.';
    lines.push(`† ${inSample} of these books trained the pack's passage model (the same file, by sha256): their rates are in sample, and the means with them.${held}`, '');
  }
  if (result.skipped) lines.push(`Not measured, as not books: ${result.skipped.map((path) => path.replace(/\|/g, '\\|')).join(', ')}.`, '');
  for (const labelled of result.labelled ?? []) {
    const inSample = labelled.books.filter((book) => result.books.find((measured) => measured.path === book.name)?.trainedOn).length;
    const note = inSample > 0 ? [`(${inSample} of the ${labelled.books.length} books these labels are in trained the pack's passage model: these counts are in sample.)`] : [];
    lines.push(...labelledSummaryLines(labelled), ...note, '');
  }
  for (const labelled of result.labelled ?? []) {
    if (labelled.missed.length + labelled.damaged.length === 0) continue;
    lines.push(`## Labelled paragraphs on the wrong side (${labelled.file})`, '', ...labelledWrongLines(labelled), '');
  }
  for (const book of result.books) {
    if (book.passages.length === 0) continue;
    lines.push(`## ${book.path}: ${book.kind === 'target' ? 'target text kept in the book' : 'text lost in the book'}`, '');
    for (const passage of book.passages) {
      lines.push(`- ${passage.start}–${passage.end}, removed ${percent(passage.removed)} in the book, ${percent(passage.removedInDocument)} in its document, ${percent(passage.removedAlone)} alone: ${passage.text.replace(/\|/g, '\\|')}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
