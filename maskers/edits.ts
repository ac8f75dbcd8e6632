/**
 * Edits are spans against the original document text. Applying them is the
 * only way output text is made, in the run and in `lacuna replay` alike, so a
 * replayed edit log reproduces the output exactly.
 */

export type EditAction = 'delete' | 'redact' | 'drop';

export interface Edit {
  id: string;
  /**
   * Position of the document's record in the run's input, 0-based, rejected records counted:
   * what replay joins edits to documents on, because ids may repeat (chunked datasets).
   */
  seq: number;
  start: number;
  end: number;
  action: EditAction;
  concept: string;
  /** For redactions: the text written in place of the span. */
  replacement?: string;
  /** The unit the policy removed: sentence, paragraph or document. */
  unit: 'sentence' | 'paragraph' | 'document';
}

export type SpanEdit = Omit<Edit, 'id' | 'seq'>;

export class EditError extends Error {}

/** The text with the edits applied. Edits must be sorted, disjoint and inside the text. */
export function applyEdits(text: string, edits: readonly SpanEdit[]): string {
  const parts: string[] = [];
  let cursor = 0;
  for (const edit of edits) {
    if (edit.action === 'drop') throw new EditError('a drop edit removes the whole document and has no text to apply');
    if (edit.start < cursor || edit.end < edit.start || edit.end > text.length) {
      throw new EditError(`edit [${edit.start}, ${edit.end}) overlaps a previous edit or lies outside the text (length ${text.length})`);
    }
    parts.push(text.slice(cursor, edit.start));
    if (edit.action === 'redact') parts.push(edit.replacement ?? '');
    cursor = edit.end;
  }
  parts.push(text.slice(cursor));
  return parts.join('');
}

export function isDrop(edits: readonly SpanEdit[]): boolean {
  return edits.length === 1 && edits[0].action === 'drop';
}
