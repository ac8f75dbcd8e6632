/**
 * Reading back the corpus a run wrote: its shards in order, each record's id and text found where
 * the run's output shape keeps them (see OutputShape in document.ts).
 */
import { storedDocument, type CorpusRecord, type OutputShape } from './document.js';
import type { Manifest } from './manifest.js';
import { readRecords } from './readers/records.js';

/** The output shape a run's manifest records; runs from before pass-through wrote Lacuna's own shape. */
export function outputShapeOf(manifest: Manifest): OutputShape {
  const recorded = (manifest.config as { output?: OutputShape }).output;
  return recorded ?? { nestMeta: true, textField: 'text', idField: 'id' };
}

/** Every stored document of the shards, in order, as id and text (`corpus record N` for a record without an id). */
export async function* corpusDocuments(shards: readonly string[], shape: OutputShape): AsyncGenerator<{ id: string; text: string }> {
  let position = 0;
  for (const shard of shards) {
    for await (const record of readRecords<CorpusRecord>(shard)) yield storedDocument(record, shape, `corpus record ${position++}`);
  }
}
