/**
 * Turns a parsed JSON record into a Document, or says why it cannot.
 * Other fields of the record are carried along as `meta`, so a builder's
 * metadata survives masking.
 */
import type { Document } from './document.js';
import { getDotted } from './dotted-path.js';

export interface FieldOptions {
  textField: string;
  idField: string;
}

export type MappedRecord = { doc: Document } | { reason: string; id?: string };

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/**
 * The record without the field at `path`. Objects along the path are copied,
 * never mutated. Removing the text field matters: a copy of the unmasked text
 * left in meta would leak everything the mask removed.
 */
function withoutPath(record: Record<string, unknown>, path: string[]): Record<string, unknown> {
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

function metaOf(record: Record<string, unknown>, fields: FieldOptions): Record<string, unknown> | undefined {
  const rest = withoutPath(withoutPath(record, fields.textField.split('.')), fields.idField.split('.'));
  const keys = Object.keys(rest);
  if (keys.length === 0) return undefined;
  // Lacuna's own shape ({id, text, meta}) round-trips without nesting meta in meta.
  const inner = rest.meta;
  if (keys.length === 1 && inner !== null && typeof inner === 'object' && !Array.isArray(inner)) {
    return inner as Record<string, unknown>;
  }
  return rest;
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

  const meta = metaOf(record as Record<string, unknown>, fields);
  const doc: Document = meta ? { id, text, meta } : { id, text };
  if (typeof rawId === 'number') doc.numericId = true;
  return { doc };
}
