/**
 * Labelled documents as training material for `lacuna train`: a JSON-lines file of documents
 * (arXiv abstracts, papers, web pages) under the data directory, and a TSV of labels by document key
 * beside the training spec, named in the spec's `documents:`.
 *
 * Books teach the classifier the registers books are written in; a corpus also holds research papers,
 * whose methods and mathematics name no term and which no book resembles. Measured on the physics
 * pack with 5 folds (each document scored by a model trained without it): the 20 unarXive physics
 * papers lost 77.1% of their text to the shipped model, 85% once the labelled papers and abstracts
 * of the other folds were in training; the 47 physics abstracts went from 41 to 44 mostly removed.
 *
 * A label is 1 (the document states the pack's target: a positive), 0 (it does not: a negative,
 * so its paragraphs also count in the budget the thresholds are chosen at) or `?` (unclear: left
 * out, as is every document without a label). Each labelled document is a book of its own for the
 * folds, so it is measured by a model that never saw it; the documents of one collection and side
 * weigh together as one book in training (TrainingBook.group).
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../corpora/errors.js';
import { readUserFile } from '../corpora/user-file.js';

export const DocumentCollectionSchema = z.strictObject({
  /** JSON lines, one document per line, below the data directory. */
  file: z.string().min(1),
  /** The field whose value (string or number) is the document's key in the labels. */
  key: z.string().min(1),
  /** The field, or fields joined by a blank line (a title and its abstract), that hold the text. */
  text: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  /** TSV relative to the training spec: a header line, then label (1, 0 or ?) and key, tab-separated. */
  labels: z.string().min(1),
});
export type DocumentCollection = z.infer<typeof DocumentCollectionSchema>;

export interface LabelledDocument {
  key: string;
  side: 'positive' | 'negative';
  text: string;
}

interface DocumentLabel {
  label: '1' | '0' | '?';
  line: number;
}

const LABELS = new Set(['1', '0', '?']);

/** The labels of a collection by key; every line names its key once, with 1, 0 or ?. */
export function parseDocumentLabels(text: string, file: string): Map<string, DocumentLabel> {
  const labels = new Map<string, DocumentLabel>();
  const lines = text.split(/\r?\n/);
  // The first line is a header (label, key, and whatever notes follow).
  for (let at = 1; at < lines.length; at++) {
    if (lines[at].trim() === '') continue;
    const [label, key] = lines[at].split('\t').map((field) => field.trim());
    const line = at + 1;
    if (!LABELS.has(label)) throw new UsageError(`${file}:${line}: label '${label}' is not 1 (target), 0 (not) or ? (unclear)`);
    if (!key) throw new UsageError(`${file}:${line}: no document key in the second column`);
    if (labels.has(key)) throw new UsageError(`${file}:${line}: document '${key}' is labelled twice (first on line ${labels.get(key)!.line})`);
    labels.set(key, { label: label as DocumentLabel['label'], line });
  }
  return labels;
}

/**
 * The labelled documents of a collection (1 and 0; `?` and unlabelled documents are left out), in
 * the order of the JSON-lines file. `data` is the directory `file` is below; `labels` is read as given
 * (readTrainingSpec makes it absolute, from the spec's directory).
 */
export async function readLabelledDocuments(collection: DocumentCollection, data: string): Promise<LabelledDocument[]> {
  const labelsPath = collection.labels;
  const labels = parseDocumentLabels((await readUserFile(labelsPath, 'document labels')).toString('utf8'), labelsPath);
  const path = resolve(data, collection.file);
  const lines = (await readUserFile(path, 'labelled documents')).toString('utf8').split('\n');
  const fields = typeof collection.text === 'string' ? [collection.text] : collection.text;
  const documents: LabelledDocument[] = [];
  const found = new Set<string>();
  for (let at = 0; at < lines.length; at++) {
    if (lines[at].trim() === '') continue;
    const where = `${path}:${at + 1}`;
    let row: unknown;
    try {
      row = JSON.parse(lines[at]);
    } catch {
      throw new UsageError(`${where}: not a JSON line`);
    }
    if (row === null || typeof row !== 'object' || Array.isArray(row)) throw new UsageError(`${where}: not a JSON object`);
    const record = row as Record<string, unknown>;
    const keyValue = record[collection.key];
    if (typeof keyValue !== 'string' && typeof keyValue !== 'number') throw new UsageError(`${where}: no string or number field '${collection.key}' (the collection's key)`);
    const key = String(keyValue);
    const label = labels.get(key);
    if (!label) continue;
    if (found.has(key)) throw new UsageError(`${where}: a second document with ${collection.key} '${key}'`);
    found.add(key);
    if (label.label === '?') continue;
    const parts = fields.map((field) => {
      const value = record[field];
      if (typeof value !== 'string') throw new UsageError(`${where}: no string field '${field}' (the collection's text)`);
      return value;
    });
    documents.push({ key, side: label.label === '1' ? 'positive' : 'negative', text: parts.join('\n\n') });
  }
  for (const [key, { line }] of labels) {
    if (!found.has(key)) throw new UsageError(`${labelsPath}:${line}: no document with ${collection.key} '${key}' in ${path}`);
  }
  return documents;
}
