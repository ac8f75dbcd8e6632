import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultCacheDir } from '../indexes/cache-dir.js';
import { CACHE_HOST, EmbeddingCache, embeddingCacheMaxBytes } from '../indexes/embedding-cache.js';
import { dot, normalize, type Embedder } from '../indexes/embedders/embedder.js';
import { StaticEmbedder } from '../indexes/embedders/static.js';
import { UseLiteEmbedder } from '../indexes/embedders/use-lite.js';
import { VectorIndex } from '../indexes/vector-index.js';
import { ROOT, runCli, tempDir } from './helpers.js';

const use = await UseLiteEmbedder.load();
const PARAPHRASES = ['The speed of light is the same for every observer, however they move.', 'Light moves at the same speed for all observers regardless of their motion.'];
const UNRELATED = 'The candle flame is hottest at the edge of its outer cone.';

/** A deterministic pseudo-random unit vector. */
function randomVector(dimensions: number, seed: number): Float32Array {
  const vector = new Float32Array(dimensions);
  let state = seed * 2654435761;
  for (let i = 0; i < dimensions; i++) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    vector[i] = state / 2 ** 31 - 0.5;
  }
  return normalize(vector);
}

describe('embedders', () => {
  it('USE lite (from the npm package, offline) puts paraphrases close and unrelated text far', async () => {
    const [a, b, c] = await use.embed([...PARAPHRASES, UNRELATED]);
    expect(a).toHaveLength(512);
    expect(dot(a, a)).toBeCloseTo(1, 4);
    expect(dot(a, b)).toBeGreaterThan(0.75);
    expect(dot(a, c)).toBeLessThan(0.4);
  });

  it('the static embedder distilled from it keeps the same ordering, hundreds of times cheaper', async () => {
    const screen = await StaticEmbedder.distil(use, process.env.LACUNA_CACHE_DIR ?? defaultCacheDir());
    const [a, b, c] = await screen.embed([...PARAPHRASES, UNRELATED]);
    expect(a).toHaveLength(128);
    expect(dot(a, b)).toBeGreaterThan(dot(a, c) + 0.3);
  });

  it('the cache embeds a text once per model, across instances (disk), and normalises whitespace', async () => {
    let calls = 0;
    const counting: Embedder = {
      id: 'counting-test',
      dimensions: use.dimensions,
      embed: async (texts) => {
        calls += texts.length;
        return use.embed(texts);
      },
    };
    const dir = tempDir();
    const first = new EmbeddingCache(dir, counting);
    const [vector] = await first.embed([PARAPHRASES[0], PARAPHRASES[0]]);
    expect(calls).toBe(1);
    const second = new EmbeddingCache(dir, counting);
    const [again] = await second.embed([`  ${PARAPHRASES[0].replace(/ /g, '\n ')}`]);
    expect(calls).toBe(1);
    expect(Array.from(again)).toEqual(Array.from(vector));
    expect(second.hits).toBe(1);
    // A torn record at the end (a killed run) is ignored, not misread.
    const [file] = readdirSync(dir).filter((name) => name.endsWith('.vectors')).map((name) => join(dir, name));
    const bytes = readFileSync(file);
    writeFileSync(file, Buffer.concat([bytes, bytes.subarray(0, 100)]));
    const third = new EmbeddingCache(dir, counting);
    await third.embed([PARAPHRASES[0]]);
    expect(calls).toBe(1);
  });

  it('keeps each writer in its own file, so writers at once never misalign each other, and holds only positions until asked', async () => {
    const dir = tempDir();
    let calls = 0;
    const counting: Embedder = {
      id: 'concurrent-test',
      dimensions: 512,
      async embed(texts) {
        calls += texts.length;
        return texts.map((text) => randomVector(512, text.length * 7919 + text.charCodeAt(0)));
      },
    };
    const texts = Array.from({ length: 400 }, (_, i) => `Sentence number ${i} about the weather in ${1800 + i}.`);
    // Two workers embedding at once, each with its own cache object, a torn tail left by one of them.
    const [a, b] = [new EmbeddingCache(dir, counting), new EmbeddingCache(dir, counting)];
    const [first, second] = await Promise.all([a.embed(texts.filter((_, i) => i % 2 === 0)), b.embed(texts.filter((_, i) => i % 2 === 1))]);
    const files = readdirSync(dir).filter((name) => name.endsWith('.vectors'));
    expect(files).toHaveLength(2);
    writeFileSync(join(dir, files[0]), Buffer.concat([readFileSync(join(dir, files[0])), Buffer.alloc(77, 1)]));
    const later = new EmbeddingCache(dir, counting);
    const again = await later.embed(texts);
    expect(calls).toBe(400);
    // Every vector comes back as it was made, whichever file holds it.
    texts.forEach((_, i) => expect(Array.from(again[i])).toEqual(Array.from(i % 2 === 0 ? first[i / 2] : second[(i - 1) / 2])));
    const fresh = new EmbeddingCache(dir, counting);
    await fresh.embed(texts.slice(0, 3));
    expect(fresh.resident).toEqual({ vectors: 3, located: 400, stored: 0 });
  });
});

/** A deterministic embedder written once, for this process and for child processes alike. */
const STAND_IN = `({ id: 'store-test', dimensions: 64, async embed(texts) { return texts.map((text) => { const v = new Float32Array(64); let h = 7; for (const c of text) h = (h * 31 + c.charCodeAt(0)) >>> 0; for (let i = 0; i < 64; i++) v[i] = Math.sin(h * (i + 1)); return v; }); } })`;

describe('embedding store', () => {
  it('merges the files of writers that are gone into one sorted store, never a running writer\'s, and finds every vector there', async () => {
    const dir = tempDir();
    const texts = Array.from({ length: 2400 }, (_, i) => `Sentence ${i} of the store test, about the barometer in ${1800 + (i % 90)}.`);
    let calls = 0;
    const standIn = new Function(`return ${STAND_IN}`)() as Embedder;
    const counting: Embedder = { id: standIn.id, dimensions: standIn.dimensions, embed: async (batch) => ((calls += batch.length), standIn.embed(batch)) };
    // A writer of this process, still running: its file must stay.
    await new EmbeddingCache(dir, counting).embed(texts.slice(2300));
    expect(calls).toBe(100);
    calls = 0;
    // Three runs that are over: child processes, each a writer of its own, with overlapping texts.
    for (let run = 0; run < 3; run++) {
      const mine = JSON.stringify(texts.slice(run * 700, run * 700 + 1000));
      const script = `import(${JSON.stringify(join(ROOT, 'dist/indexes/embedding-cache.js'))}).then(async ({ EmbeddingCache }) => { await new EmbeddingCache(${JSON.stringify(dir)}, ${STAND_IN}).embed(${mine}); });`;
      execFileSync(process.execPath, ['-e', script]);
    }
    const before = readdirSync(dir).filter((name) => name.endsWith('.vectors'));
    // Each run, as it started, merged the files of the runs before it: the last run's file and ours are left.
    expect(before).toHaveLength(2);
    const reader = new EmbeddingCache(dir, counting);
    const vectors = await reader.embed(texts);
    expect(calls).toBe(0);
    const after = readdirSync(dir);
    expect(after.filter((name) => name.endsWith('.vectors'))).toEqual(before.filter((name) => name.includes(`-${process.pid}-`)));
    expect(after.filter((name) => name.endsWith('.store'))).toHaveLength(1);
    expect(after.some((name) => name.includes('.tmp-') || name.endsWith('.compacting'))).toBe(false);
    // 2,400 texts once each: 2,300 in the store (the runs that are over), 100 keys of the running writer in memory.
    expect(reader.resident.stored).toBe(2300);
    expect(reader.resident.located).toBe(100);
    const expected = await standIn.embed(texts);
    vectors.forEach((vector, i) => expect(Array.from(vector), texts[i]).toEqual(Array.from(expected[i])));
    // A new writer's texts are merged into the existing store the next time it pays.
    const script = `import(${JSON.stringify(join(ROOT, 'dist/indexes/embedding-cache.js'))}).then(async ({ EmbeddingCache }) => { await new EmbeddingCache(${JSON.stringify(dir)}, ${STAND_IN}).embed(${JSON.stringify(Array.from({ length: 900 }, (_, i) => `A later sentence ${i}.`))}); });`;
    execFileSync(process.execPath, ['-e', script]);
    const later = new EmbeddingCache(dir, counting);
    await later.embed(['A later sentence 5.', texts[0]]);
    expect(calls).toBe(0);
    expect(later.resident.stored).toBe(3200);
    expect(existsSync(join(dir, readdirSync(dir).find((name) => name.endsWith('.store'))!))).toBe(true);
  });
});

describe('embedding cache limit', () => {
  const RECORD = 32 + 64 * 4;
  const counted = () => {
    const standIn = new Function(`return ${STAND_IN}`)() as Embedder;
    const calls = { count: 0 };
    const embedder: Embedder = { id: standIn.id, dimensions: standIn.dimensions, embed: async (batch) => ((calls.count += batch.length), standIn.embed(batch)) };
    return { embedder, calls };
  };
  const cacheBytes = (dir: string) => readdirSync(dir).reduce((sum, name) => sum + readFileSync(join(dir, name)).length, 0);

  it('stops writing, and says why, at the bytes it may hold, and goes on embedding what it cannot keep', async () => {
    const dir = tempDir();
    const { embedder, calls } = counted();
    const texts = Array.from({ length: 9 }, (_, i) => `Sentence ${i} about the tides at Brest in ${1820 + i}.`);
    const first = new EmbeddingCache(dir, embedder, { maxBytes: 5 * RECORD, quiet: true });
    const kept = await first.embed(texts.slice(0, 3));
    expect(first.writesStopped).toBeUndefined();
    // Four more would take the files past five records: they are embedded and returned, not kept.
    const notKept = await first.embed(texts.slice(3, 7));
    expect(notKept).toHaveLength(4);
    expect(first.writesStopped).toMatch(/holds 0\.00 of the 0\.00 GB it may \(LACUNA_EMBEDDING_CACHE_MAX_GB\)/);
    expect(cacheBytes(dir)).toBe(3 * RECORD);
    // Once stopped, it stays stopped: two more that would fit are not written either.
    await first.embed(texts.slice(7, 9));
    expect(cacheBytes(dir)).toBe(3 * RECORD);
    expect(calls.count).toBe(9);
    // A later cache reads the three it kept and embeds the rest again; at its limit on opening, it writes nothing.
    const later = new EmbeddingCache(dir, embedder, { maxBytes: 3 * RECORD, quiet: true });
    const again = await later.embed(texts);
    expect(Array.from(again[0])).toEqual(Array.from(kept[0]));
    expect([later.hits, later.misses]).toEqual([3, 6]);
    expect(later.writesStopped).toMatch(/holds/);
    expect(cacheBytes(dir)).toBe(3 * RECORD);
    // With room, a cache writes again.
    const roomy = new EmbeddingCache(dir, embedder, { maxBytes: 100 * RECORD, quiet: true });
    await roomy.embed(texts);
    expect(roomy.writesStopped).toBeUndefined();
    expect(cacheBytes(dir)).toBe(9 * RECORD);
  });

  it('works without a disk it can write: the run goes on, uncached', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'blocker'), 'a file where the cache directory should be');
    const { embedder, calls } = counted();
    const cache = new EmbeddingCache(join(dir, 'blocker', 'embeddings'), embedder, { quiet: true });
    const vectors = await cache.embed(['The barometer fell before the storm.', 'The barometer fell before the storm.']);
    expect(vectors).toHaveLength(2);
    expect(cache.writesStopped).toMatch(/cannot create .*blocker.*a path component is not a directory/);
    // What it embedded stays in memory for the run; nothing reached a disk.
    await cache.embed(['The barometer fell before the storm.']);
    expect(calls.count).toBe(1);
    await new EmbeddingCache(join(dir, 'blocker', 'embeddings'), embedder, { quiet: true }).embed(['The barometer fell before the storm.']);
    expect(calls.count).toBe(2);
  });

  it('reads its limit from LACUNA_EMBEDDING_CACHE_MAX_GB, and a bad value is one line before any work', async () => {
    expect(embeddingCacheMaxBytes(undefined)).toBe(20e9);
    expect(embeddingCacheMaxBytes('0.5')).toBe(5e8);
    expect(embeddingCacheMaxBytes('0')).toBe(0);
    expect(() => embeddingCacheMaxBytes('twenty')).toThrow("LACUNA_EMBEDDING_CACHE_MAX_GB: 'twenty' is not a number of gigabytes");
    expect(() => embeddingCacheMaxBytes('-1')).toThrow(/not a number of gigabytes/);
    const dir = tempDir();
    writeFileSync(join(dir, 'in.jsonl'), JSON.stringify({ id: 'a', text: 'The barometer fell before the storm.' }) + '\n');
        const result = await runCli(['mask', join(dir, 'in.jsonl'), '--pack', 'physics-post-1900', '--out', join(dir, 'out'), '--quiet', '--detectors', 'lexical,semantic', '--cache-dir', join(dir, 'cache')], { env: { LACUNA_EMBEDDING_CACHE_MAX_GB: 'lots' } });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual(["lacuna: LACUNA_EMBEDDING_CACHE_MAX_GB: 'lots' is not a number of gigabytes (0 or more; 0 writes nothing to the cache)"]);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});

describe('static embedder table', () => {
  // A stand-in for USE lite with 40 tokens of 130 dimensions: distilling it takes milliseconds, not the encoder's seconds.
  const base = {
    id: 'stand-in-base',
    dimensions: 130,
    vocabulary: Array.from({ length: 40 }, (_, i) => [`token${i}`, -1 - i / 10] as [string, number]),
    tokenize: (text: string) => Array.from(text, (char) => 6 + (char.charCodeAt(0) % 34)),
    embedTokens: async (sequences: readonly number[][]) => sequences.map((ids) => randomVector(130, ids[0] + 1)),
  } as unknown as UseLiteEmbedder;

  it('is saved in the cache directory, and where that cannot be written the run goes on with the table it distilled', async () => {
    const dir = tempDir();
    const saved = await StaticEmbedder.distil(base, join(dir, 'cache'));
    expect(readdirSync(join(dir, 'cache')).filter((name) => name.endsWith('.f32'))).toHaveLength(1);
    writeFileSync(join(dir, 'blocker'), 'a file where the cache directory should be');
    const unsaved = await StaticEmbedder.distil(base, join(dir, 'blocker', 'cache'));
    const [a, b] = await Promise.all([saved.embed(['token fifteen']), unsaved.embed(['token fifteen'])]);
    expect(Array.from(b[0])).toEqual(Array.from(a[0]));
    expect(readdirSync(dir).sort()).toEqual(['blocker', 'cache']);
  });
});

describe('embedding store lock', () => {
  it('is never compacted while another live process holds the lock, and a lock left by a process that is gone is taken over', async () => {
    const dir = tempDir();
    const child = (texts: string[]) =>
      spawnSync(process.execPath, ['-e', `import(${JSON.stringify(join(ROOT, 'dist/indexes/embedding-cache.js'))}).then(async ({ EmbeddingCache }) => { await new EmbeddingCache(${JSON.stringify(dir)}, ${STAND_IN}).embed(${JSON.stringify(texts)}); });`]);
    const standIn = new Function(`return ${STAND_IN}`)() as Embedder;
    const lock = join(dir, 'store-test.compacting');
    mkdirSync(lock);
    writeFileSync(join(lock, 'owner'), `${CACHE_HOST} ${process.pid}\n`);
    child(['One sentence.', 'Two sentences.']);
    child(['Three sentences.']);
    const held = new EmbeddingCache(dir, standIn);
    await held.embed(['One sentence.']);
    expect(held.resident).toMatchObject({ stored: 0, located: 3 });
    expect(readdirSync(dir).filter((name) => name.endsWith('.vectors'))).toHaveLength(2);
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(join(lock, 'owner'), `${CACHE_HOST} ${gone}\n`);
    const taken = new EmbeddingCache(dir, standIn);
    await taken.embed(['Three sentences.']);
    expect(taken.resident).toMatchObject({ stored: 3, located: 0 });
    expect(readdirSync(dir).sort()).toEqual(['store-test.store']);
  });
});

describe('vector index', () => {
  it('finds what exact search finds (recall@10 ≥ 0.95 on random 128-d data), and round-trips through disk', async () => {
    const index = VectorIndex.create(128);
    for (let i = 0; i < 3000; i++) index.add(randomVector(128, i + 1), { id: `doc-${i}`, start: i, end: i + 1 });
    const queries = Array.from({ length: 30 }, (_, i) => randomVector(128, 10_000 + i));
    const recall = index.recall(queries, 10);
    console.info(`HNSW recall@10 on 3000 random vectors (M=16, ef=200): ${recall.toFixed(3)}`);
    expect(recall).toBeGreaterThanOrEqual(0.95);
    const dir = tempDir();
    await index.save(dir);
    const loaded = await VectorIndex.load(dir);
    expect(loaded.size).toBe(3000);
    expect(loaded.query(queries[0], 5)).toEqual(index.query(queries[0], 5));
    expect(loaded.query(queries[0], 1)[0].unit).toMatchObject({ id: expect.stringMatching(/^doc-\d+$/) });
  });
});
