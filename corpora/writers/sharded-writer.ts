/**
 * The masked corpus as numbered shards, JSONL.gz or Parquet. A shard is closed once it
 * holds at least `shardBytes` of uncompressed JSONL, so shard boundaries depend
 * only on the records, never on timing, and reruns give identical shards.
 */
import { join } from 'node:path';
import { JsonlWriter, type WrittenFile } from './jsonl-writer.js';
import { ParquetShardWriter } from './parquet-shard.js';

export type CorpusFormat = 'jsonl.gz' | 'jsonl.zst' | 'parquet';

export function shardName(index: number, format: CorpusFormat = 'jsonl.gz'): string {
  return `part-${String(index).padStart(5, '0')}.${format}`;
}

type ShardWriter = JsonlWriter | ParquetShardWriter;

export class ShardedWriter {
  private current: ShardWriter;
  private readonly done: WrittenFile[] = [];

  constructor(
    private readonly dir: string,
    private readonly shardBytes: number,
    private readonly level?: number,
    private readonly format: CorpusFormat = 'jsonl.gz',
  ) {
    this.current = this.open(0);
  }

  private open(index: number): ShardWriter {
    const path = join(this.dir, shardName(index, this.format));
    if (this.format === 'parquet') return new ParquetShardWriter(path);
    return new JsonlWriter(path, this.format === 'jsonl.zst' ? { zstd: true } : { level: this.level });
  }

  async write(record: unknown): Promise<void> {
    await this.current.write(record);
    if (this.current.uncompressedBytes >= this.shardBytes) {
      this.done.push(await this.current.close());
      this.current = this.open(this.done.length);
    }
  }

  /** Gives the open shard up after a failure elsewhere (see JsonlWriter.abandon). */
  async abandon(): Promise<void> {
    await this.current.abandon();
  }

  /** All shards. The last one is kept even when empty, so an empty corpus is still a corpus. */
  async close(): Promise<WrittenFile[]> {
    const last = await this.current.close();
    if (last.records > 0 || this.done.length === 0) this.done.push(last);
    return this.done;
  }
}
