/**
 * The records that flow through every stage (see DESIGN.md, "Core records").
 * Offsets are UTF-16 code-unit offsets into `Document.text`, which is what
 * JavaScript string indexing uses, so a span can be sliced without conversion.
 */
import { getDotted } from './dotted-path.js';

export interface Document {
  id: string;
  text: string;
  /**
   * The input record the document came from, with its text replaced by null where it was (so the
   * text is not carried twice, and every other field keeps its place); absent for text files.
   */
  source?: Record<string, unknown>;
  /** Set when the input's id was a JSON number: the output keeps it a number (12345, not "12345"). */
  numericId?: true;
  /**
   * The value of the record's context field (`--context-field`), when the run names one and the
   * record has it: records that follow one another with the same value are detected together.
   */
  context?: string;
}

/** A document as the corpus stores it: the input record with its text changed (or Lacuna's own shape). */
export type CorpusRecord = Record<string, unknown>;

/**
 * How the corpus stores documents. By default every input field stays where it was and only the
 * text changes (a Dolma document round-trips); `nestMeta` writes Lacuna's own `{id, text, meta}`.
 * The paths say where the text and id are, in the input and so in the output.
 */
export interface OutputShape {
  nestMeta: boolean;
  textField: string;
  idField: string;
  /** How shards are stored; in Parquet a field a record lacks reads back as null. */
  format?: 'jsonl.gz' | 'jsonl.zst' | 'parquet';
}

export const DEFAULT_OUTPUT_SHAPE: OutputShape = { nestMeta: false, textField: 'text', idField: 'id' };

/** A record as a shard of this shape gives it back: Parquet has no absent field, only null. */
export function asStored(record: CorpusRecord, shape: OutputShape): CorpusRecord {
  if (shape.format !== 'parquet') return record;
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== null && value !== undefined));
}

/** `record` with the value at `path` replaced, objects along the path copied, never mutated; keys keep their order. */
export function withValueAt(record: Record<string, unknown>, path: readonly string[], value: unknown): Record<string, unknown> {
  const [head, ...rest] = path;
  const copy = { ...record };
  copy[head] = rest.length === 0 ? value : withValueAt((record[head] ?? {}) as Record<string, unknown>, rest, value);
  return copy;
}

/** `record` without the field at `path` (objects along it copied; an object left empty goes too). */
export function withoutPath(record: Record<string, unknown>, path: readonly string[]): Record<string, unknown> {
  const [head, ...rest] = path;
  if (!(head in record)) return record;
  const copy = { ...record };
  const child = copy[head];
  if (rest.length === 0) delete copy[head];
  else if (child !== null && typeof child === 'object' && !Array.isArray(child)) {
    const reduced = withoutPath(child as Record<string, unknown>, rest);
    if (Object.keys(reduced).length === 0) delete copy[head];
    else copy[head] = reduced;
  }
  return copy;
}

/** The fields of a source record other than its text and id: Lacuna's `meta` (unnested when the record is Lacuna's own shape). */
export function metaOf(source: Record<string, unknown>, shape: OutputShape): Record<string, unknown> | undefined {
  const rest = withoutPath(withoutPath(source, shape.textField.split('.')), shape.idField.split('.'));
  const keys = Object.keys(rest);
  if (keys.length === 0) return undefined;
  const inner = rest.meta;
  if (keys.length === 1 && inner !== null && typeof inner === 'object' && !Array.isArray(inner)) return inner as Record<string, unknown>;
  return rest;
}

/** The document with new text, as the corpus stores it: what a masked document is. */
export function withText(doc: Document, text: string, shape: OutputShape = DEFAULT_OUTPUT_SHAPE): CorpusRecord {
  if (doc.source && !shape.nestMeta) return withValueAt(doc.source, shape.textField.split('.'), text);
  const id = doc.numericId ? Number(doc.id) : doc.id;
  const meta = doc.source ? metaOf(doc.source, shape) : undefined;
  return meta ? { id, text, meta } : { id, text };
}

/** The id and text of a stored corpus record, wherever the shape keeps them; `fallback` when it has no id. */
export function storedDocument(record: CorpusRecord, shape: OutputShape, fallback: string): { id: string; text: string } {
  const nested = shape.nestMeta;
  const text = nested ? record.text : getDotted(record, shape.textField);
  const id = nested ? record.id : getDotted(record, shape.idField);
  return { id: id === undefined || id === null ? fallback : String(id), text: typeof text === 'string' ? text : '' };
}

/** Where a record came from: enough to find it again in the input. */
export interface RecordOrigin {
  /** The input as the user named it (file path, directory member path, or "-"). */
  file: string;
  /** 1-based line for line-oriented inputs, 0-based element index for JSON arrays, absent for whole files. */
  line?: number;
  record?: number;
  /** For whole text files: the encoding the bytes were decoded from. */
  decodedAs?: 'utf-8' | 'windows-1252';
}

/** A record the run could not use, with the reason; written to rejects.jsonl. */
export interface Reject extends RecordOrigin {
  reason: string;
  /** The id, when it could be read before the record failed. */
  id?: string;
}

export type InputEvent =
  | { kind: 'doc'; doc: Document; origin: RecordOrigin }
  | { kind: 'reject'; reject: Reject };
