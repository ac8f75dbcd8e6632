/**
 * Which field of a corpus's records may name the work they come from, for a job run without
 * `--context-field`. Records of a paragraph or a few are judged far less surely alone than in the
 * work they belong to (an unseen textbook stored a paragraph a record: its target chapters lost
 * 78.8% of their characters judged record by record, 95.1% with the book's records judged
 * together), so a corpus of short records that carries such a field is told which one it is.
 *
 * This only suggests. A field that names a source, a date, a label or a language would join
 * unrelated records into one text (and the document policy could then drop them together), and no
 * statistic tells a book from a batch of records sorted by label (the Quick start sample's
 * `meta.era` runs exactly as four short books would): a field is suggested only when its name reads
 * as a work's too, and the person who knows the data decides.
 */
import { CONTEXT_MAX_CHARS } from './runtime/batches.js';

/** How one field's values run through the records, in read order. */
export interface FieldSeries {
  /** Records that had the field (a short string or a number). */
  records: number;
  /** Of those, records whose value equals the record before's. */
  repeats: number;
  /** Characters of text of the records that had the field. */
  chars: number;
  /** The first value seen, and whether any other was: a field with one value everywhere names no work. */
  first: string;
  varies: boolean;
}

export interface WorkFieldState {
  documents: number;
  chars: number;
  /** Characters of records shorter than SHORT_RECORD_CHARS. */
  shortChars: number;
  fields: Record<string, FieldSeries>;
}

/** What the job says when a field looks like one. */
export interface WorkFieldHint {
  field: string;
  /** Share of the input's characters in short records. */
  shortShare: number;
  records: number;
  repeats: number;
  /** Runs of records with one value (records − repeats, counted within work units). */
  runs: number;
}

/**
 * A record shorter than this is judged at a scale where the work's context is missing: books cut
 * into 8,000-character documents are found nearly as well as whole (physics theory books held out:
 * 93.3% against 95.7%), paragraphs alone much less (75.2%).
 */
export const SHORT_RECORD_CHARS = 4000;
/** A hint needs most of the input in short records, and enough records to see runs in. */
const MIN_SHORT_SHARE = 0.5;
const MIN_RECORDS = 20;
/** The field is on nearly every record, and most records follow one with the same value. */
const MIN_COVERAGE = 0.9;
const MIN_REPEAT_SHARE = 0.5;
/** Runs longer than this on average are a collection, not a work (a book is 0.2–2 MB of text). */
const MAX_RUN_CHARS = CONTEXT_MAX_CHARS / 2;
/** Values longer than this are text, not a name; fields beyond this many are not followed (cost per record). */
const MAX_VALUE_CHARS = 200;
const MAX_FIELDS = 64;

/** Words in a field's name that say it names a work, a document or a place in one. */
const WORK_WORDS = new Set(['book', 'books', 'title', 'work', 'doc', 'docs', 'document', 'article', 'url', 'uri', 'chapter', 'thread', 'conversation', 'parent', 'paper', 'story', 'volume', 'file', 'filename', 'path', 'page', 'part', 'section', 'gutenberg', 'isbn', 'doi', 'arxiv']);

/** Whether the last part of a dotted path reads as naming a work: `meta.book_id`, `title`, `docId`, `source_url`, `source_id`, `gutenberg_id`, `arxiv_id` (not `source`, `era`, `lang`). */
export function namesAWork(path: string): boolean {
  const name = path.slice(path.lastIndexOf('.') + 1);
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  return words.some((word) => WORK_WORDS.has(word)) || (words.includes('source') && (words.includes('id') || words.includes('url')));
}

/** The short scalar fields of a record, at the top level and one object down, as dotted paths (`meta.book`). */
function* scalarFields(source: Record<string, unknown>, skip: ReadonlySet<string>): Generator<[string, string]> {
  for (const [key, value] of Object.entries(source)) {
    if (key.includes('.')) continue;
    const scalar = scalarValue(value);
    if (scalar !== undefined) {
      if (!skip.has(key)) yield [key, scalar];
    } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [inner, innerValue] of Object.entries(value as Record<string, unknown>)) {
        const path = `${key}.${inner}`;
        const innerScalar = scalarValue(innerValue);
        if (innerScalar !== undefined && !inner.includes('.') && !skip.has(path)) yield [path, innerScalar];
      }
    }
  }
}

function scalarValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length > 0 && value.length <= MAX_VALUE_CHARS ? value : undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** Follows the fields of one work unit's records, in read order. */
export class WorkFieldTally {
  private readonly state: WorkFieldState = emptyWorkFields();
  private tracked = 0;
  private previous = new Map<string, string>();
  private readonly skip: ReadonlySet<string>;

  /** `idField`, `textField`: the reading's, never suggested. */
  constructor(idField: string, textField: string) {
    this.skip = new Set([idField, textField]);
  }

  /** `source`: the input record (absent for text files, which have no fields). */
  observe(source: Record<string, unknown> | undefined, textChars: number): void {
    const state = this.state;
    state.documents++;
    state.chars += textChars;
    if (textChars < SHORT_RECORD_CHARS) state.shortChars += textChars;
    const current = new Map<string, string>();
    if (source) {
      for (const [path, value] of scalarFields(source, this.skip)) {
        let series = state.fields[path];
        if (series === undefined) {
          if (this.tracked >= MAX_FIELDS) continue;
          this.tracked++;
          series = state.fields[path] = { records: 0, repeats: 0, chars: 0, first: value, varies: false };
        }
        series.records++;
        series.chars += textChars;
        if (this.previous.get(path) === value) series.repeats++;
        if (value !== series.first) series.varies = true;
        current.set(path, value);
      }
    }
    this.previous = current;
  }

  result(): WorkFieldState {
    return this.state;
  }
}

/** `more` added to `total` (work units in order). */
export function absorbWorkFields(total: WorkFieldState, more: WorkFieldState): void {
  total.documents += more.documents;
  total.chars += more.chars;
  total.shortChars += more.shortChars;
  for (const [path, series] of Object.entries(more.fields)) {
    const into = total.fields[path];
    if (into === undefined) total.fields[path] = { ...series };
    else {
      into.records += series.records;
      into.repeats += series.repeats;
      into.chars += series.chars;
      into.varies = into.varies || series.varies || into.first !== series.first;
    }
  }
}

/**
 * An empty state. `fields` has no prototype: a record's field may be called `constructor` or
 * `__proto__`, and must be counted as any other, not read from or written into Object.prototype.
 */
export function emptyWorkFields(): WorkFieldState {
  return { documents: 0, chars: 0, shortChars: 0, fields: Object.create(null) as Record<string, FieldSeries> };
}

/**
 * The field to suggest, if any: most of the input in short records, and a field named as a work's
 * (namesAWork) on nearly every record, whose value mostly carries on from one record to the next,
 * takes more than one value, and runs no longer than a work. Of several, the one with the most
 * runs (the finest grouping: a chapter before its book); ties by name.
 */
export function suggestWorkField(state: WorkFieldState | undefined): WorkFieldHint | undefined {
  if (!state || state.documents < MIN_RECORDS || state.chars === 0) return undefined;
  const shortShare = state.shortChars / state.chars;
  if (shortShare < MIN_SHORT_SHARE) return undefined;
  const candidates: WorkFieldHint[] = [];
  for (const [field, series] of Object.entries(state.fields)) {
    const runs = series.records - series.repeats;
    if (series.records < MIN_COVERAGE * state.documents || series.repeats < MIN_REPEAT_SHARE * series.records) continue;
    if (!series.varies || series.chars / runs > MAX_RUN_CHARS || !namesAWork(field)) continue;
    candidates.push({ field, shortShare, records: series.records, repeats: series.repeats, runs });
  }
  candidates.sort((a, b) => b.runs - a.runs || (a.field < b.field ? -1 : a.field > b.field ? 1 : 0));
  return candidates[0];
}

/** The hint in one sentence; `code` marks up an option as code (plain for a terminal warning). */
export function workFieldSentence(hint: WorkFieldHint, code: (text: string) => string = (text) => text): string {
  const share = `${Math.round(hint.shortShare * 100)}%`;
  return (
    `${share} of the input's text is in records under ${SHORT_RECORD_CHARS.toLocaleString('en-US')} characters, which the detectors judge far less surely alone than in the work they come from; ` +
    `the field '${hint.field}' has the record before's value in ${hint.repeats.toLocaleString('en-US')} of ${hint.records.toLocaleString('en-US')} records (${hint.runs.toLocaleString('en-US')} runs): ` +
    `if it names that work (a book, an article, a thread; not a source, a date or a language), ${code(`--context-field ${hint.field}`)} judges each run as the one text it forms`
  );
}
