/**
 * Reads a JSONL(.gz/.zst) file that Lacuna wrote itself (corpus shards, edit
 * and finding logs) as parsed records. Unlike the input readers it does not
 * reject and go on: a bad line in our own output is corruption, and says so.
 */
import { openDecoded, RawByteTap } from '../byte-source.js';
import { UsageError } from '../errors.js';
import { LineSplitter, type ByteLine } from '../line-splitter.js';
import { errnoMessage } from '../user-file.js';
import { parquetRows } from './parquet.js';

export async function* readRecords<T>(path: string): AsyncGenerator<T> {
  // A corpus shard written as Parquet (--output-format parquet).
  if (path.endsWith('.parquet')) {
    try {
      for await (const row of parquetRows(path)) yield row as T;
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`${path}: ${(error as NodeJS.ErrnoException).code ? errnoMessage(error) : `not readable Parquet (${(error as Error).message})`}`);
    }
    return;
  }
  for await (const { text, lineNo } of readJsonLines(path)) {
    try {
      yield JSON.parse(text) as T;
    } catch (error) {
      throw new UsageError(`${path} line ${lineNo}: ${(error as Error).message}`);
    }
  }
}

/** The non-empty lines of a JSONL(.gz/.zst) file Lacuna wrote, unparsed, with their line numbers. */
export async function* readJsonLines(path: string): AsyncGenerator<{ text: string; lineNo: number }> {
  const decoded = await openDecoded(path, new RawByteTap()).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read '${path}': ${error.code ?? error.message}`);
  });
  const splitter = new LineSplitter();
  const lineOf = (line: ByteLine) => ({ text: line.bytes.toString('utf8'), lineNo: line.lineNo });
  try {
    for await (const chunk of decoded.bytes) {
      for (const line of splitter.push(chunk)) if (line.bytes.length > 0) yield lineOf(line);
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${path}: damaged after line ${splitter.linesSeen} (${(error as Error).message})`);
  }
  const last = splitter.finish();
  if (last && last.bytes.length > 0) yield lineOf(last);
}
