/**
 * Paragraphs a person labelled in whole books (TSV: label, book, start, end, begins), scored
 * against what the detectors removed from those books in the book, in documents of DOCUMENT_CHARS
 * and with each paragraph masked alone. `lacuna train --labels` scores them out of fold (each book
 * by a model trained without it); `lacuna eval --target-books … --labels` scores them with the
 * shipped pack, on books a user brings. One reader, one scorer, one summary, for both.
 *
 * A labelled target counts as removed when at least TARGET_REMOVED_SHARE of it went; a labelled
 * keep counts as touched when it lost anything: a leak is worse than a lost sentence, and a keep
 * that loses one sentence has still lost knowledge the corpus should hold.
 */
import { UsageError } from '../corpora/errors.js';
import { readUserFile } from '../corpora/user-file.js';
import { DOCUMENT_CHARS } from '../maskers/detectors/passage.js';
import type { Span } from '../maskers/segment/segmenter.js';
import { measuredParagraphs, removedShare, TARGET_REMOVED_SHARE, type MeasuredText } from './book-measures.js';

/** A book as labels name it: its name in the labels file's `book` column, its text and paragraphs. */
export interface LabelledText extends MeasuredText {
  name: string;
}

/**
 * The index of the book a row's `book` column names; throws a UsageError naming `where` (file and
 * line) when no book, or more than one, answers to it.
 */
export type BookFinder = (name: string, where: string) => number;

/** Hand-labelled paragraphs (of books that mix both sides, or of a book's losses), scored out of fold. */
export interface LabelledResult {
  file: string;
  targets: number;
  /** Target paragraphs with at least half their characters removed. */
  targetsRemoved: number;
  keeps: number;
  /** Keep paragraphs that lost any character. */
  keepsTouched: number;
  /**
   * The same two counts with each labelled paragraph masked as a document of its own (no
   * neighbours, no section), as a corpus of short records, or a reviewer checking paragraphs one
   * by one, sees it.
   */
  targetsRemovedAlone: number;
  keepsTouchedAlone: number;
  /** The same two counts with its book cut into documents of DOCUMENT_CHARS (BookResult.documentLoss). */
  targetsRemovedInDocuments: number;
  keepsTouchedInDocuments: number;
  missed: LabelledParagraph[];
  damaged: LabelledParagraph[];
  /** Each book the file labels: what it lost outside its labelled targets. */
  books: LabelledBook[];
}

/**
 * A labelled book's loss outside its labelled targets: the collateral, when every measured
 * paragraph of it that lost text carries a label (a file of a negative book's losses, labelled one
 * by one). A losing paragraph without a label counts as collateral and is counted in
 * `unlabelledLosses`, so a new loss shows as a higher number until it is labelled.
 */
export interface LabelledBook {
  name: string;
  /** Measured characters (paragraphs of at least MEASURED_MIN_CHARS). */
  chars: number;
  /** Of those, in paragraphs labelled target. */
  targetChars: number;
  /** Removed characters of measured paragraphs not labelled target. */
  lostOutsideTargets: number;
  /** Measured paragraphs that lost text and carry no label. */
  unlabelledLosses: number;
  /** Measured paragraphs that lost text and carry a label. */
  labelledLosses: number;
}

/**
 * Whether the labels are of the book's losses (most losing paragraphs labelled, as in a file
 * that labels every paragraph a negative book lost) rather than a sample of its paragraphs: only
 * then is its loss outside the labelled targets a measure of collateral.
 */
export function labelsItsLosses(book: LabelledBook): boolean {
  return book.labelledLosses > 0 && book.labelledLosses >= book.unlabelledLosses;
}

/** Share of a labelled book's text outside its labelled targets that was removed. */
export function lossOutsideTargets(book: LabelledBook): number {
  const outside = book.chars - book.targetChars;
  return outside === 0 ? 0 : book.lostOutsideTargets / outside;
}

export interface LabelledParagraph {
  book: string;
  start: number;
  end: number;
  label: 0 | 1;
  begins: string;
  /** Its text, whitespace collapsed. */
  text: string;
  /** Share of its characters removed. */
  removed: number;
  /** Share of its characters removed when it is masked as a document of its own. */
  removedAlone: number;
}

/** One row of a labelled-paragraphs file, checked against the books. */
export interface LabelledRow {
  /** Line number in the file (1-based), for messages. */
  line: number;
  label: 0 | 1;
  /** Index of its book in the books given. */
  book: number;
  span: Span;
  begins: string;
}

/**
 * Reads labelled paragraphs (TSV: label, book, start, end, begins; offsets into the book's text
 * after its Project Gutenberg header and footer are stripped) and checks every row against the
 * books: the label is 0 or 1, `find` knows the book, the offsets lie in it and `begins`
 * matches the text at `start`, so a label never silently lands on another paragraph. Called
 * before training, so a wrong file stops the run in a second, not after a minute of training.
 */
export async function readLabelledParagraphs(file: string, books: readonly LabelledText[] | ((at: number) => Promise<LabelledText>), find: BookFinder): Promise<LabelledRow[]> {
  // A function reads a book when a row first names it: `lacuna eval` holds only the labelled books, not every book it measures.
  const bookAt = typeof books === 'function' ? books : async (at: number) => books[at];
  const rows = (await readUserFile(file, 'labelled paragraphs')).toString('utf8').split('\n');
  const result: LabelledRow[] = [];
  for (const [index, row] of rows.entries()) {
    if (index === 0 || row.trim() === '') continue;
    const where = `${file}:${index + 1}`;
    const [label, name, start, end, begins] = row.replace(/\r$/, '').split('\t');
    if (label !== '0' && label !== '1') throw new UsageError(`${where}: label '${label}' is not 0 (keep) or 1 (target); columns are label, book, start, end, begins`);
    const at = find(name ?? '', where);
    const book = await bookAt(at);
    const span = { start: Number(start), end: Number(end) };
    if (!Number.isInteger(span.start) || !Number.isInteger(span.end) || span.start < 0 || span.end <= span.start || span.end > book.text.length) {
      throw new UsageError(`${where}: start '${start}' and end '${end}' are not offsets of a span of ${name} (0 to ${book.text.length})`);
    }
    const text = book.text.slice(span.start, span.end).replace(/\s+/g, ' ');
    if (!text.startsWith(begins ?? '')) throw new UsageError(`${where}: the text at ${start} of ${name} does not begin '${begins}'`);
    result.push({ line: index + 1, label: label === '1' ? 1 : 0, book: at, span, begins: begins ?? '' });
  }
  return result;
}

/** Scores labelled paragraphs (read by readLabelledParagraphs) against what a run removed from their books. */
export async function scoreLabelledParagraphs(
  file: string,
  rows: readonly LabelledRow[],
  books: readonly LabelledText[],
  removedByBook: readonly Uint8Array[],
  /** Characters removed from `text` masked as a document of its own, by the detectors that measured book `book`. */
  removedAlone: (book: number, text: string) => Promise<number>,
  /** What each book lost cut into documents of DOCUMENT_CHARS (none: the counts stay 0). */
  removedInDocuments: readonly Uint8Array[] = [],
): Promise<LabelledResult> {
  const result: LabelledResult = { file, targets: 0, targetsRemoved: 0, keeps: 0, keepsTouched: 0, targetsRemovedAlone: 0, keepsTouchedAlone: 0, targetsRemovedInDocuments: 0, keepsTouchedInDocuments: 0, missed: [], damaged: [], books: [] };
  // Labels of each book, by paragraph start, to measure the book as a whole once all are read.
  const labelsByBook = new Map<number, Map<number, { end: number; label: 0 | 1 }>>();
  for (const { label, book: at, span, begins } of rows) {
    const name = books[at].name;
    const original = books[at].text.slice(span.start, span.end);
    const text = original.replace(/\s+/g, ' ');
    const alone = original.length === 0 ? 0 : (await removedAlone(at, original)) / original.length;
    const inDocument = removedInDocuments[at] ? removedShare(removedInDocuments[at], span) : 0;
    const paragraph: LabelledParagraph = { book: name, ...span, label, begins, text, removed: removedShare(removedByBook[at], span), removedAlone: alone };
    if (!labelsByBook.has(at)) labelsByBook.set(at, new Map());
    labelsByBook.get(at)!.set(span.start, { end: span.end, label: paragraph.label });
    if (paragraph.label === 1) {
      result.targets++;
      if (paragraph.removed >= TARGET_REMOVED_SHARE) result.targetsRemoved++;
      else result.missed.push(paragraph);
      if (alone >= TARGET_REMOVED_SHARE) result.targetsRemovedAlone++;
      if (inDocument >= TARGET_REMOVED_SHARE) result.targetsRemovedInDocuments++;
    } else {
      result.keeps++;
      if (paragraph.removed > 0) {
        result.keepsTouched++;
        result.damaged.push(paragraph);
      }
      if (alone > 0) result.keepsTouchedAlone++;
      if (inDocument > 0) result.keepsTouchedInDocuments++;
    }
  }
  for (const [at, labels] of labelsByBook) result.books.push(labelledBook(books[at], removedByBook[at], labels));
  return result;
}

function labelledBook(book: LabelledText, removed: Uint8Array, labels: ReadonlyMap<number, { end: number; label: 0 | 1 }>): LabelledBook {
  const result: LabelledBook = { name: book.name, chars: 0, targetChars: 0, lostOutsideTargets: 0, unlabelledLosses: 0, labelledLosses: 0 };
  for (const { span } of measuredParagraphs(book)) {
    const length = span.end - span.start;
    const labelled = labels.get(span.start);
    const label = labelled?.end === span.end ? labelled.label : undefined;
    const share = removedShare(removed, span);
    result.chars += length;
    if (share > 0 && label !== undefined) result.labelledLosses++;
    if (label === 1) {
      result.targetChars += length;
      continue;
    }
    result.lostOutsideTargets += Math.round(share * length);
    if (share > 0 && label === undefined) result.unlabelledLosses++;
  }
  return result;
}


/** A passage on one line, cut at `limit` characters: a report is read, not searched. */
export function excerpt(text: string, limit = 400): string {
  const line = text.replace(/\|/g, '\\|');
  return line.length <= limit ? line : `${line.slice(0, limit)}…`;
}

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

/** What a labels file measured, as the lines of a report (Markdown). */
export function labelledSummaryLines(labelled: LabelledResult): string[] {
  const lines = [
    `Hand-labelled paragraphs (${labelled.file}): targets removed ${labelled.targetsRemoved}/${labelled.targets}, keeps that lost anything ${labelled.keepsTouched}/${labelled.keeps}; in documents of ${DOCUMENT_CHARS.toLocaleString('en-US')} characters: ${labelled.targetsRemovedInDocuments}/${labelled.targets} and ${labelled.keepsTouchedInDocuments}/${labelled.keeps}; each paragraph masked alone: ${labelled.targetsRemovedAlone}/${labelled.targets} and ${labelled.keepsTouchedAlone}/${labelled.keeps}.`,
  ];
  const ofLosses = labelled.books.filter(labelsItsLosses);
  if (ofLosses.length > 0) lines.push('Text lost outside the labelled targets, for the books whose losses it labels:');
  for (const book of ofLosses) {
    const unlabelled = book.unlabelledLosses > 0 ? ` (${book.unlabelledLosses} losing paragraphs unlabelled, counted as lost)` : '';
    lines.push(`- ${book.name}: ${percent(lossOutsideTargets(book))} of the ${book.chars - book.targetChars} characters outside its labelled targets${unlabelled}`);
  }
  return lines;
}

/** The labelled paragraphs a run got wrong, one line each (Markdown list items): targets kept, then keeps touched. */
export function labelledWrongLines(labelled: LabelledResult): string[] {
  return [...labelled.missed, ...labelled.damaged].map(
    (paragraph) => `- ${paragraph.label === 1 ? 'target kept' : 'keep touched'}: ${paragraph.book} ${paragraph.start}–${paragraph.end}, removed ${(paragraph.removed * 100).toFixed(0)}% (alone ${(paragraph.removedAlone * 100).toFixed(0)}%): ${excerpt(paragraph.text)}`,
  );
}
