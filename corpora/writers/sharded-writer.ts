/**
 * The masked corpus as numbered JSONL.gz shards. A shard is closed once it
 * holds at least `shardBytes` of uncompressed JSONL, so shard boundaries depend
 * only on the records, never on timing, and reruns give identical shards.
 */
import { join } from 'node:path';
import { JsonlWriter, type WrittenFile } from './jsonl-writer.js';

export function shardName(index: number): string {
  return `part-${String(index).padStart(5, '0')}.jsonl.gz`;
}

export class ShardedWriter {
  private current: JsonlWriter;
  private readonly done: WrittenFile[] = [];

  constructor(
    private readonly dir: string,
    private readonly shardBytes: number,
    private readonly level?: number,
  ) {
    this.current = new JsonlWriter(join(dir, shardName(0)), { level });
  }

  async write(record: unknown): Promise<void> {
    await this.current.write(record);
    if (this.current.uncompressedBytes >= this.shardBytes) {
      this.done.push(await this.current.close());
      this.current = new JsonlWriter(join(this.dir, shardName(this.done.length)), { level: this.level });
    }
  }

  /** All shards. The last one is kept even when empty, so an empty corpus is still a corpus. */
  async close(): Promise<WrittenFile[]> {
    const last = await this.current.close();
    if (last.records > 0 || this.done.length === 0) this.done.push(last);
    return this.done;
  }
}
