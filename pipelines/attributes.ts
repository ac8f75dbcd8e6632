/**
 * Lacuna's decisions as Dolma attributes (`lacuna mask --emit-attributes NAME`), so that dolma's
 * mixer (or a datatrove filter reading the same files) can apply them to the original documents.
 *
 * Dolma's format (allenai/dolma, docs/data-format.md): for each documents file an attributes file
 * of the same name under `attributes/<NAME>/`, one line per document in the same order,
 * `{"id", "attributes": {"<NAME>__<tagger>__<attribute>": [[start, end, score], ...]}}`. The mixer
 * indexes spans by Unicode character (src/shard.rs walks `char_indices`), while Lacuna's offsets
 * are UTF-16 code units, so spans are converted here. The tagger is the pack's id, and names use
 * `_` for `-` so that the mixer's JSONPath filters can name them without brackets:
 *
 * - `<NAME>__<pack>__<concept>`: every finding of the concept, scored;
 * - `<NAME>__<pack>__removed`: what Lacuna's policy removed, score 1 (a `span_replacement`
 *   with an empty replacement reproduces Lacuna's edits);
 * - `<NAME>__<pack>__drop`: `[[0, length, 1]]` when Lacuna dropped the whole document.
 *
 * A record Lacuna rejected still gets its line (empty attributes), so the files stay aligned.
 */
import { join } from 'node:path';
import { JsonlWriter, type WrittenFile } from '../corpora/writers/jsonl-writer.js';
import type { SpanEdit } from '../maskers/edits.js';
import type { SpanFinding } from '../maskers/findings.js';

type Span = [number, number, number];

/** UTF-16 offsets → Unicode character offsets for one text; the identity when it has no astral characters. */
function characterOffsets(text: string): (offset: number) => number {
  if (!/[\ud800-\udbff]/.test(text)) return (offset) => offset;
  const characters = new Uint32Array(text.length + 1);
  let count = 0;
  for (let at = 0; at < text.length; at++) {
    characters[at] = count;
    const code = text.charCodeAt(at);
    // The low half of a pair is not a character of its own.
    if (!(code >= 0xdc00 && code <= 0xdfff && at > 0 && text.charCodeAt(at - 1) >= 0xd800 && text.charCodeAt(at - 1) <= 0xdbff)) count++;
  }
  characters[text.length] = count;
  return (offset) => characters[offset];
}

function underscored(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_');
}

/** The attributes file a documents file gets: the same name, compressed as Lacuna can (gzip), under attributes/NAME/. */
export function attributesPath(name: string, label: string): string {
  const file = label.endsWith('.gz') ? label : `${label.replace(/\.(zst|zstd)$/i, '')}.gz`;
  return join('attributes', name, file);
}

export class AttributesWriter {
  private readonly writers = new Map<string, JsonlWriter>();

  private readonly prefix: string;

  /** `staged` gives the path to write a file at, relative to the run's (or work unit's) directory. */
  constructor(
    private readonly staged: (relativePath: string) => Promise<string>,
    private readonly name: string,
    pack: string,
    private readonly level: number,
  ) {
    this.prefix = `${name}__${underscored(pack)}__`;
  }

  private async writerFor(label: string): Promise<JsonlWriter> {
    const known = this.writers.get(label);
    if (known) return known;
    const writer = new JsonlWriter(await this.staged(attributesPath(this.name, label)), { level: this.level });
    this.writers.set(label, writer);
    return writer;
  }

  async reject(label: string, id: string | undefined): Promise<void> {
    await (await this.writerFor(label)).write({ id: id ?? null, attributes: {} });
  }

  async document(label: string, id: string | number, text: string, action: 'keep' | 'edit' | 'drop', edits: readonly SpanEdit[], findings: readonly SpanFinding[]): Promise<void> {
    const at = characterOffsets(text);
    const attributes: Record<string, Span[]> = {};
    const key = (attribute: string) => this.prefix + underscored(attribute);
    for (const finding of findings) (attributes[key(finding.concept)] ??= []).push([at(finding.start), at(finding.end), finding.score]);
    if (action === 'drop') attributes[key('drop')] = [[0, at(text.length), 1]];
    else if (edits.length > 0) attributes[key('removed')] = edits.map((edit) => [at(edit.start), at(edit.end), 1]);
    await (await this.writerFor(label)).write({ id, attributes });
  }

  /** Gives every open file up after a failure elsewhere (see JsonlWriter.abandon). */
  async abandon(): Promise<void> {
    await Promise.all([...this.writers.values()].map((writer) => writer.abandon()));
  }

  async close(): Promise<WrittenFile[]> {
    const written: WrittenFile[] = [];
    for (const label of [...this.writers.keys()].sort()) written.push(await this.writers.get(label)!.close());
    return written;
  }
}
