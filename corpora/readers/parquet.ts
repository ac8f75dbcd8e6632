/**
 * Parquet, the format of FineWeb, RedPajama and most of the Hub: read one row group at a time
 * with hyparquet (pure JavaScript; snappy, gzip, brotli, zstd and lz4 through
 * hyparquet-compressors), so memory is bounded by a row group, not the file. Each row is a
 * record as a JSON line is: `--text-field` and `--id-field` name columns (dotted into structs).
 * Values JSON cannot hold are converted: a 64-bit integer to a number when it is exact, else to a
 * string; a timestamp to ISO 8601; bytes to text when they are UTF-8.
 */
import { isUtf8 } from 'node:buffer';
import { parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { asyncBufferFromFile } from 'hyparquet/src/node.js';
import { compressors } from 'hyparquet-compressors';
import type { RawByteTap } from '../byte-source.js';
import type { InputEvent } from '../document.js';
import { mapRecord } from '../record-mapping.js';
import type { InputFile, ReaderOptions } from './types.js';

export function jsonValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return isUtf8(value) ? Buffer.from(value).toString('utf8') : Array.from(value);
  if (Array.isArray(value)) return value.map(jsonValue);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined).map(([key, item]) => [key, jsonValue(item)]));
  return value;
}

/** Every row of a Parquet file as a JSON record, row group by row group; throws on damage. */
export async function* parquetRows(path: string): AsyncGenerator<Record<string, unknown>> {
  const buffer = await asyncBufferFromFile(path);
  const metadata = await parquetMetadataAsync(buffer);
  let row = 0;
  for (const group of metadata.row_groups) {
    const rows = Number(group.num_rows);
    for (const object of await parquetReadObjects({ file: buffer, metadata, rowStart: row, rowEnd: row + rows, compressors })) yield jsonValue(object) as Record<string, unknown>;
    row += rows;
  }
}

export async function* readParquet(file: InputFile, options: ReaderOptions, _tap: RawByteTap): AsyncGenerator<InputEvent> {
  if (file.path === '-') {
    yield { kind: 'reject', reject: { file: file.label, reason: 'Parquet cannot be read from stdin (it is read from its end); give the file' } };
    return;
  }
  let row = 0;
  try {
    for await (const record of parquetRows(file.path)) {
      const origin = { file: file.label, record: row };
      const mapped = mapRecord(record, options, `${file.label}#${row}`);
      row++;
      if ('doc' in mapped) yield { kind: 'doc', doc: mapped.doc, origin };
      else yield { kind: 'reject', reject: { ...origin, reason: mapped.reason, ...(mapped.id ? { id: mapped.id } : {}) } };
    }
  } catch (error) {
    yield { kind: 'reject', reject: { file: file.label, record: row, reason: `not a readable Parquet file after row ${row - 1} (${(error as Error).message}); the rows before it were kept` } };
  }
}
