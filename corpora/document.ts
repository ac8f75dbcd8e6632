/**
 * The records that flow through every stage (see DESIGN.md, "Core records").
 * Offsets are UTF-16 code-unit offsets into `Document.text`, which is what
 * JavaScript string indexing uses, so a span can be sliced without conversion.
 */

export interface Document {
  id: string;
  text: string;
  meta?: Record<string, unknown>;
}

/** The document with new text, same id and meta: what a masked document is. */
export function withText(doc: Document, text: string): Document {
  return doc.meta ? { id: doc.id, text, meta: doc.meta } : { id: doc.id, text };
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
