/**
 * The records that flow through every stage (see DESIGN.md, "Core records").
 * Offsets are UTF-16 code-unit offsets into `Document.text`, which is what
 * JavaScript string indexing uses, so a span can be sliced without conversion.
 */

export interface Document {
  id: string;
  text: string;
  meta?: Record<string, unknown>;
  /** Set when the input's id was a JSON number: the output keeps it a number (12345, not "12345"). */
  numericId?: true;
}

/** A document as the corpus stores it: its id with the JSON type the input gave it. */
export interface CorpusRecord {
  id: string | number;
  text: string;
  meta?: Record<string, unknown>;
}

/** The document with new text, same id and meta, as the corpus stores it: what a masked document is. */
export function withText(doc: Document, text: string): CorpusRecord {
  const id = doc.numericId ? Number(doc.id) : doc.id;
  return doc.meta ? { id, text, meta: doc.meta } : { id, text };
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
