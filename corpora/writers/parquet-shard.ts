/**
 * One corpus shard as a Parquet file (`--output-format parquet`), written with hyparquet-writer.
 * Parquet needs every column's type before it writes, so a shard's records are held until it
 * closes (its size is `--shard-bytes` of JSON, which bounds the memory) and then written in row
 * groups. A column's type comes from its values: text, booleans, whole numbers (INT64), other
 * numbers (DOUBLE), and JSON for objects, lists or a mix. Parquet has no absent field: a record
 * without a column reads back with null there.
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { environmentError } from '../user-file.js';
import type { WrittenFile } from './jsonl-writer.js';

const ROW_GROUP = 10_000;

type ColumnType = 'STRING' | 'BOOLEAN' | 'INT64' | 'DOUBLE' | 'JSON';

function columnType(values: readonly unknown[]): ColumnType {
  const present = values.filter((value) => value !== null && value !== undefined);
  if (present.length === 0) return 'STRING';
  if (present.every((value) => typeof value === 'string')) return 'STRING';
  if (present.every((value) => typeof value === 'boolean')) return 'BOOLEAN';
  if (present.every((value) => typeof value === 'number' && Number.isSafeInteger(value))) return 'INT64';
  if (present.every((value) => typeof value === 'number')) return 'DOUBLE';
  return 'JSON';
}

function column(type: ColumnType, values: unknown[]): unknown[] {
  const absent = (value: unknown) => value === null || value === undefined;
  if (type === 'INT64') return values.map((value) => (absent(value) ? null : BigInt(value as number)));
  return values.map((value) => (absent(value) ? null : value));
}

export class ParquetShardWriter {
  private readonly rows: Record<string, unknown>[] = [];
  records = 0;
  /** Bytes of the records as JSON Lines, so shards are cut where JSON Lines shards would be. */
  uncompressedBytes = 0;

  constructor(readonly path: string) {}

  async write(record: unknown): Promise<void> {
    this.rows.push(record as Record<string, unknown>);
    this.records++;
    this.uncompressedBytes += Buffer.byteLength(JSON.stringify(record)) + 1;
  }

  /** Nothing is open until close() writes the file: giving it up drops the rows. */
  async abandon(): Promise<void> {
    this.rows.length = 0;
  }

  async close(): Promise<WrittenFile> {
    const names: string[] = [];
    const seen = new Set<string>();
    for (const row of this.rows) for (const name of Object.keys(row)) if (!seen.has(name)) (seen.add(name), names.push(name));
    const columnData = names.map((name) => {
      const values = this.rows.map((row) => row[name]);
      const type = columnType(values);
      return { name, data: column(type, values), type, nullable: true };
    });
    const bytes = Buffer.from(parquetWriteBuffer({ columnData: columnData as never, rowGroupSize: ROW_GROUP }));
    this.rows.length = 0;
    try {
      await writeFile(this.path, bytes);
    } catch (error) {
      throw environmentError(error, 'write', this.path);
    }
    return { path: this.path, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), records: this.records };
  }
}
