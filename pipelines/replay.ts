/**
 * `lacuna replay <run-dir>`: re-reads the run's inputs, applies its edit log,
 * and checks that the result is the run's corpus, document for document. It is
 * the proof that the edit log is complete provenance: every byte removed is
 * accounted for by an edit, and nothing else changed.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { asStored, storedDocument, withText, type CorpusRecord, type OutputShape } from '../corpora/document.js';
import { outputShapeOf } from '../corpora/corpus-reader.js';
import { UsageError } from '../corpora/errors.js';
import { digestFile } from '../corpora/hashing.js';
import { checkSeal, type Manifest } from '../corpora/manifest.js';
import { readRecords } from '../corpora/readers/records.js';
import { checkRunInputsReadable, runInputDocuments } from '../corpora/run-inputs.js';
import { JsonlWriter } from '../corpora/writers/jsonl-writer.js';
import { MANIFEST_NAME } from '../corpora/writers/run-directory.js';
import { applyEdits, isDrop, type Edit } from '../maskers/edits.js';

export interface ReplayOptions {
  runDir: string;
  /** Also write the replayed corpus here as JSONL.gz. */
  write?: string;
}

export interface ReplayMismatch {
  id: string;
  reason: string;
}

export interface ReplayResult {
  documents: number;
  identical: number;
  dropped: number;
  mismatches: ReplayMismatch[];
  mismatchCount: number;
  changedInputs: string[];
}

const MAX_REPORTED = 20;

export async function readManifest(runDir: string): Promise<Manifest> {
  const path = join(runDir, MANIFEST_NAME);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UsageError(`'${runDir}' is not a finished run: ${path} is missing`);
  }
  try {
    return JSON.parse(text) as Manifest;
  } catch (error) {
    throw new UsageError(`${path}: not valid JSON (${(error as Error).message})`);
  }
}

/** Pulls items from an async iterator one at a time, with a one-item lookahead. */
class Cursor<T> {
  private buffered: IteratorResult<T> | undefined;
  constructor(private readonly iterator: AsyncIterator<T>) {}
  async peek(): Promise<T | undefined> {
    this.buffered ??= await this.iterator.next();
    return this.buffered.done ? undefined : this.buffered.value;
  }
  async take(): Promise<T | undefined> {
    const value = await this.peek();
    this.buffered = undefined;
    return value;
  }
}

async function* concat<T>(sources: AsyncIterable<T>[]): AsyncGenerator<T> {
  for (const source of sources) yield* source;
}

/** Why a replayed record is not the stored one (id, then text, then any other field), or undefined. */
function sameDocument(a: CorpusRecord, b: CorpusRecord, shape: OutputShape): string | undefined {
  const replayed = storedDocument(a, shape, '');
  const stored = storedDocument(b, shape, '');
  if (replayed.id !== stored.id) return `corpus has '${stored.id}' where the replay has '${replayed.id}'`;
  if (replayed.text !== stored.text) {
    let at = 0;
    while (at < replayed.text.length && replayed.text[at] === stored.text[at]) at++;
    return `text differs from offset ${at} (replayed ${replayed.text.length} chars, corpus ${stored.text.length})`;
  }
  if (JSON.stringify(asStored(a, shape)) !== JSON.stringify(asStored(b, shape))) return 'other fields differ';
  return undefined;
}

export async function runReplay(options: ReplayOptions): Promise<ReplayResult> {
  const manifest = await readManifest(options.runDir);
  if (checkSeal(manifest) === 'broken') throw new UsageError(`${join(options.runDir, MANIFEST_NAME)} was changed after the run wrote it (its seal does not match); it cannot be trusted to replay`);
  await checkRunInputsReadable(manifest);
  const shape = outputShapeOf(manifest);
  const changedInputs: string[] = [];
  for (const input of manifest.inputs) {
    const digest = await digestFile(input.resolved).catch(() => undefined);
    if (!digest || digest.sha256 !== input.sha256) changedInputs.push(input.resolved);
  }
  const shardPaths = manifest.outputs.filter((output) => output.path.startsWith('corpus/')).map((output) => join(options.runDir, output.path));
  const corpus = new Cursor(concat(shardPaths.map((path) => readRecords<CorpusRecord>(path)))[Symbol.asyncIterator]());
  const edits = new Cursor(readRecords<Edit>(join(options.runDir, 'edits.jsonl.gz'))[Symbol.asyncIterator]());
  const writer = options.write ? new JsonlWriter(options.write, { exclusive: true }) : undefined;

  const result: ReplayResult = { documents: 0, identical: 0, dropped: 0, mismatches: [], mismatchCount: 0, changedInputs };
  const mismatch = (id: string, reason: string) => {
    result.mismatchCount++;
    if (result.mismatches.length < MAX_REPORTED) result.mismatches.push({ id, reason });
  };
  for await (const { seq, doc } of runInputDocuments(manifest)) {
    result.documents++;
    // Edits are joined on the record's position, not its id: ids may repeat.
    while ((await edits.peek()) !== undefined && (await edits.peek())!.seq < seq) {
      const orphan = (await edits.take())!;
      mismatch(orphan.id, `the edit log has edits for input record ${orphan.seq}, which is not a document of the input`);
    }
    const own: Edit[] = [];
    while ((await edits.peek())?.seq === seq) own.push((await edits.take())!);
    if (own.some((edit) => edit.id !== doc.id)) mismatch(doc.id, `the edit log names another id ('${own.find((edit) => edit.id !== doc.id)!.id}') for input record ${seq}`);
    if (isDrop(own)) {
      result.dropped++;
      continue;
    }
    let text: string;
    try {
      text = applyEdits(doc.text, own);
    } catch (error) {
      mismatch(doc.id, `edit log cannot be applied: ${(error as Error).message}`);
      await corpus.take();
      continue;
    }
    const replayed = withText(doc, text, shape);
    await writer?.write(replayed);
    const stored = await corpus.take();
    if (!stored) {
      mismatch(doc.id, 'the corpus ends before this document');
      continue;
    }
    const difference = sameDocument(replayed, stored, shape);
    if (difference) mismatch(doc.id, difference);
    else result.identical++;
  }
  const leftoverEdit = await edits.peek();
  if (leftoverEdit) mismatch(leftoverEdit.id, 'the edit log has edits for a document that is not in the input');
  const leftoverDoc = await corpus.peek();
  if (leftoverDoc) mismatch(storedDocument(leftoverDoc, shape, '').id, 'the corpus has a document that is not in the input');
  await writer?.close();
  return result;
}
