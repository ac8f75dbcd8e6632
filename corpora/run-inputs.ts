/**
 * The documents a finished run read, read again as the run read them (same files, same reading
 * options), each with its position in the run's input: the key its edits and findings carry.
 */
import type { Document } from './document.js';
import { UsageError } from './errors.js';
import { InputReader, type InputOptions } from './input-reader.js';
import type { Manifest } from './manifest.js';
import type { InputFile, InputFormat } from './readers/types.js';
import { errnoMessage } from './user-file.js';
import { stat } from 'node:fs/promises';

export interface SequencedDocument {
  seq: number;
  doc: Document;
}

/** Refuses, in one line, a run whose inputs cannot be read again (stdin, a missing file, a directory). */
export async function checkRunInputsReadable(manifest: Manifest): Promise<void> {
  for (const input of manifest.inputs) {
    if (input.resolved === '-') throw new UsageError('the run read stdin, which cannot be read again; this needs file inputs');
    const info = await stat(input.resolved).catch((error: unknown) => error as Error);
    if (info instanceof Error) throw new UsageError(`cannot read the run's input '${input.resolved}': ${errnoMessage(info)}`);
    if (!info.isFile()) throw new UsageError(`the run's input '${input.resolved}' is no longer a file`);
  }
}

export async function* runInputDocuments(manifest: Manifest): AsyncGenerator<SequencedDocument> {
  const { reading } = manifest.config as { reading: InputOptions };
  // A file the run read as byte ranges is read the same way again: records without an id are named by their range.
  const files: InputFile[] = manifest.inputs.flatMap((input) => {
    const file = { path: input.resolved, label: input.label, format: input.format as InputFormat };
    return input.ranges ? input.ranges.map(([start, end]) => ({ ...file, range: { start, end } })) : [file];
  });
  let seq = 0;
  for await (const event of new InputReader(files, reading).events()) {
    const position = seq++;
    if (event.kind === 'doc') yield { seq: position, doc: event.doc };
  }
}
