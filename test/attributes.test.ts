/**
 * Dolma attributes (issue 14): the files Lacuna writes with --emit-attributes follow Dolma's
 * attribute format (allenai/dolma docs/data-format.md: one line per document of the documents
 * file, in order, `{id, attributes: {name: [[start, end, score]]}}`) with spans in Unicode
 * characters, as the mixer's span replacement counts them (src/shard.rs, char_indices). Applying
 * them the way the mixer does (drop filter, then each `removed` span replaced by nothing)
 * reproduces Lacuna's own corpus.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonl, readCorpus, readJsonlFile, readManifest, ROOT, runCli, tempDir } from './helpers.js';

const SAMPLE = join(ROOT, 'samples', 'physics-mini.jsonl');

/** The mixer's replacement of spans counted in characters (code points). */
function replaceSpans(text: string, spans: [number, number, number][]): string {
  const characters = [...text];
  const removed = new Array<boolean>(characters.length).fill(false);
  for (const [start, end] of spans) for (let at = start; at < end; at++) removed[at] = true;
  return characters.filter((_, at) => !removed[at]).join('');
}

describe('lacuna mask --emit-attributes', () => {
  it("writes Dolma attribute files aligned with each input, and the mixer's way of applying them gives Lacuna's corpus", async () => {
    const dir = tempDir();
    const extra = join(dir, 'extra.jsonl');
    // An astral character before the spans, a rejected line in between, and a kept document.
    const emojiText = 'The barometer 😀 fell before the storm. Special relativity abolished the ether. The rain gauge filled twice. The wind veered to the north. The thermometer stood at forty degrees.';
    writeFileSync(extra, jsonl([{ id: 'emoji', text: emojiText }]) + 'not json\n' + jsonl([{ id: 'plain', text: 'The barometer fell before the storm.' }]));
    const out = join(dir, 'run');
    expect((await runCli(['mask', SAMPLE, extra, '--pack', 'physics-post-1900', '--out', out, '--quiet', '--emit-attributes', 'cutoff'])).code).toBe(0);
    const manifest = readManifest(out);
    expect(manifest.outputs.map((output: { path: string }) => output.path)).toEqual(expect.arrayContaining(['attributes/cutoff/physics-mini.jsonl.gz', 'attributes/cutoff/extra.jsonl.gz']));
    const corpus = new Map(readCorpus(out).map((doc) => [doc.id, doc.text]));
    for (const [input, file] of [[SAMPLE, 'physics-mini.jsonl.gz'], [extra, 'extra.jsonl.gz']] as const) {
      const lines = readFileSync(input, 'utf8').trim().split('\n');
      const attributes = readJsonlFile<{ id: string | null; attributes: Record<string, [number, number, number][]> }>(join(out, 'attributes', 'cutoff', file));
      expect(attributes.length).toBe(lines.length);
      lines.forEach((line, at) => {
        let record: { id: string; text: string };
        try {
          record = JSON.parse(line);
        } catch {
          expect(attributes[at]).toEqual({ id: null, attributes: {} });
          return;
        }
        const row = attributes[at];
        expect(row.id).toBe(record.id);
        for (const name of Object.keys(row.attributes)) expect(name).toMatch(/^cutoff__physics_post_1900__[a-z_]+$/);
        // The mixer: a document with a drop span is filtered out; the removed spans are replaced by nothing.
        if (row.attributes.cutoff__physics_post_1900__drop) expect(corpus.has(record.id)).toBe(false);
        else expect(replaceSpans(record.text, row.attributes.cutoff__physics_post_1900__removed ?? [])).toBe(corpus.get(record.id));
      });
    }
    // The emoji document was edited, not dropped, and its spans count characters: the emoji is one.
    expect(corpus.get('emoji')).toBe('The barometer 😀 fell before the storm. The rain gauge filled twice. The wind veered to the north. The thermometer stood at forty degrees.');
    const emoji = readJsonlFile<{ attributes: Record<string, [number, number, number][]> }>(join(out, 'attributes', 'cutoff', 'extra.jsonl.gz'))[0];
    const [start, end] = emoji.attributes.cutoff__physics_post_1900__special_relativity[0];
    expect([...emojiText].slice(start, end).join('')).toBe('Special relativity');
    expect(emoji.attributes.cutoff__physics_post_1900__removed.length).toBe(1);
  });
});
