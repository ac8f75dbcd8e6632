/**
 * Turns a parsed JSON record into a Document, or says why it cannot.
 * The record itself is carried along (its text taken out), so every field a
 * builder's data has survives masking, where it was.
 */
import { withValueAt, type Document } from './document.js';
import { getDotted } from './dotted-path.js';

export interface FieldOptions {
  textField: string;
  idField: string;
  /** Dotted path of a field whose value groups records detected together (Document.context). */
  contextField?: string;
}

/**
 * A record's context value as a string: a string as it is, a number or boolean written out, an
 * object or array as JSON; none for a record without the field or with null there (it is judged
 * on its own).
 */
export function contextValue(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export type MappedRecord = { doc: Document } | { reason: string; id?: string };

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/**
 * Deeper records are rejected: writing one (JSON.stringify, a worker's structured clone) recurses
 * once per level and would overflow the stack and stop the run. No real corpus nests this deep.
 */
export const MAX_RECORD_DEPTH = 512;

/** Whether `value` nests objects/arrays deeper than `limit`, found without recursion. */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

export function mapRecord(record: unknown, fields: FieldOptions, fallbackId: string): MappedRecord {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    return { reason: `record is ${describeType(record)}, not a JSON object` };
  }
  if (nestsDeeperThan(record, MAX_RECORD_DEPTH)) return { reason: `record nests objects or arrays more than ${MAX_RECORD_DEPTH} levels deep` };
  const rawId = getDotted(record, fields.idField);
  let id: string;
  if (rawId === undefined || rawId === null) id = fallbackId;
  else if (typeof rawId === 'string' || (typeof rawId === 'number' && Number.isFinite(rawId))) id = String(rawId);
  else return { reason: `id field '${fields.idField}' is ${describeType(rawId)}, not a string or number` };

  const text = getDotted(record, fields.textField);
  if (text === undefined) return { reason: `text field '${fields.textField}' is missing`, id };
  if (typeof text !== 'string') return { reason: `text field '${fields.textField}' is ${describeType(text)}, not a string`, id };

  // The text is not kept twice: the source holds null where it was (a worker gets the text once).
  const doc: Document = { id, text, source: withValueAt(record as Record<string, unknown>, fields.textField.split('.'), null) };
  if (typeof rawId === 'number') doc.numericId = true;
  const context = fields.contextField === undefined ? undefined : contextValue(getDotted(record, fields.contextField));
  if (context !== undefined) doc.context = context;
  return { doc };
}
