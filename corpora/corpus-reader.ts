/**
 * Reading back the corpus a run wrote: its shards in order, each record's id and text found where
 * the run's output shape keeps them (see OutputShape in document.ts).
 */
import { storedDocument, type CorpusRecord, type OutputShape } from './document.js';
import type { Manifest } from './manifest.js';
import { readRecords } from './readers/records.js';
import { getDotted } from './dotted-path.js';
import { contextValue } from './record-mapping.js';

/** The output shape a run's manifest records; runs from before pass-through wrote Lacuna's own shape. */
export function outputShapeOf(manifest: Manifest): OutputShape {
  const recorded = (manifest.config as { output?: OutputShape }).output;
  return recorded ?? { nestMeta: true, textField: 'text', idField: 'id' };
}

/**
 * Every stored document of the shards, in order, as id and text (`corpus record N` for a record
 * without an id), and with `contextField` its context value (Document.context): found at that path,
 * or under `meta` where the run wrote Lacuna's own shape.
 */
export async function* corpusDocuments(shards: readonly string[], shape: OutputShape, contextField?: string): AsyncGenerator<{ id: string; text: string; context?: string }> {
  let position = 0;
  for (const shard of shards) {
    for await (const record of readRecords<CorpusRecord>(shard)) {
      const doc = storedDocument(record, shape, `corpus record ${position++}`);
      if (contextField === undefined) {
        yield doc;
        continue;
      }
      const raw = getDotted(record, contextField) ?? (shape.nestMeta && record.meta !== null && typeof record.meta === 'object' ? getDotted(record.meta, contextField) : undefined);
      const context = contextValue(raw);
      yield context === undefined ? doc : { ...doc, context };
    }
  }
}
