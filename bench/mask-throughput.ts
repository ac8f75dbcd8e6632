/**
 * `npm run bench`: throughput of `lacuna mask` against ripgrep on the same file.
 *
 * Builds a JSONL corpus of at least 100 MB from the real texts in
 * ../shared/corpora (paragraphs grouped into documents of a few KB), then in
 * the same run times `lacuna mask` and `rg -F -i -c -f <the pack's terms>`
 * over it and prints MB/s for both, their ratio, peak RSS and per-stage times.
 * Also the null pipeline (`--detectors none`: read → parse → write with the
 * same compression) and each detector set in process, one thread.
 * Not part of CI; never asserts on time. BENCH_SEMANTIC=0 skips the encoder's part.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { stripGutenberg } from '../corpora/gutenberg.js';
import { DetectorChain } from '../maskers/detectors/chain.js';
import { LexicalDetector } from '../maskers/detectors/lexical.js';
import { loadPack } from '../maskers/pack/load.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SHARED = join(ROOT, '..', 'shared', 'corpora');
const WORK = join(ROOT, 'bench', '.work');
const TARGET_BYTES = Number(process.env.BENCH_MB ?? 100) * 1e6;
/** Bytes of the corpus's texts each process of machineCeiling detects. */
const CEILING_BYTES = 10_000_000;

function textFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return textFiles(path);
      return entry.name.endsWith('.txt') ? [path] : [];
    });
}

function decode(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/** Documents of roughly 2–6 KB: runs of consecutive paragraphs of a real text. */
function documentsOf(path: string): { id: string; text: string }[] {
  const text = stripGutenberg(decode(readFileSync(path))).text;
  const paragraphs = text.split(/\r?\n\s*\r?\n/).filter((paragraph) => paragraph.trim().length > 0);
  const docs: { id: string; text: string }[] = [];
  let current: string[] = [];
  let size = 0;
  for (const paragraph of paragraphs) {
    current.push(paragraph);
    size += paragraph.length;
    if (size >= 2000 + (docs.length % 5) * 1000) {
      docs.push({ id: `${relative(SHARED, path)}#${docs.length}`, text: current.join('\n\n') });
      current = [];
      size = 0;
    }
  }
  if (current.length > 0) docs.push({ id: `${relative(SHARED, path)}#${docs.length}`, text: current.join('\n\n') });
  return docs;
}

async function buildCorpus(path: string): Promise<{ bytes: number; documents: number }> {
  if (existsSync(path) && statSync(path).size >= TARGET_BYTES) {
    const documents = readFileSync(path, 'utf8').split('\n').length - 1;
    return { bytes: statSync(path).size, documents };
  }
  const docs = textFiles(SHARED).flatMap(documentsOf);
  const out = createWriteStream(path);
  let bytes = 0;
  let documents = 0;
  for (let copy = 0; bytes < TARGET_BYTES; copy++) {
    for (const doc of docs) {
      const line = JSON.stringify({ id: `${doc.id}/${copy}`, text: doc.text }) + '\n';
      bytes += Buffer.byteLength(line);
      documents++;
      if (!out.write(line)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
  return { bytes, documents };
}

function time(command: string, args: string[]): { seconds: number; status: number | null; stdout: string } {
  const start = performance.now();
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = (performance.now() - start) / 1000;
  if (result.error) throw result.error;
  return { seconds, status: result.status, stdout: result.stdout };
}

async function main(): Promise<void> {
  if (!existsSync(SHARED)) {
    console.error(`bench: ${SHARED} is missing; the benchmark builds its corpus from the shared real texts`);
    process.exit(2);
  }
  mkdirSync(WORK, { recursive: true });
  const corpus = join(WORK, 'corpus.jsonl');
  const { bytes, documents } = await buildCorpus(corpus);
  const mb = bytes / 1e6;
  console.log(`corpus: ${corpus}: ${mb.toFixed(1)} MB, ${documents} documents from ${textFiles(SHARED).length} texts in ${SHARED}`);

  const { pack } = await loadPack('physics-post-1900');
  const lexical = new LexicalDetector(pack);
  const terms = lexical.termList();
  const termsFile = join(WORK, 'terms.txt');
  writeFileSync(termsFile, terms.join('\n') + '\n');

  const rows: [string, number, string][] = [];
  const chain = DetectorChain.forPack(pack);
  const hasRipgrep = spawnSync('rg', ['--version']).status === 0;
  let ripgrepRate: number | undefined;
  if (hasRipgrep) {
    time('rg', ['-F', '-i', '-c', '-f', termsFile, corpus]); // warm the page cache
    const rg = time('rg', ['-F', '-i', '-c', '-f', termsFile, corpus]);
    ripgrepRate = mb / rg.seconds;
    rows.push([`rg -F -i -c -f terms (${terms.length} terms)`, rg.seconds, `${rg.stdout.trim()} matching lines`]);
  } else console.log('ripgrep (rg) not found: install the Debian package ripgrep for the baseline');

  // Detection alone, one thread, in this process: the per-worker rate of each detector set.
  const texts = readFileSync(corpus, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { text: string }).text);
  const textMB = texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0) / 1e6;
  const rules = DetectorChain.forPack(pack, ['lexical', 'entity', 'context']);
  const passageOnly = DetectorChain.forPack(pack, ['passage']);
  const defaultDetection = (text: string) => chain.detect(text);
  let defaultDetectionSeconds = 0;
  for (const [label, detect] of [
    ['lexical detector alone (1 thread, in process)', (text: string) => lexical.detect(text)],
    ['lexical + entity + context (1 thread, in process)', (text: string) => rules.detect(text)],
    ['passage classifier alone (1 thread, in process)', (text: string) => passageOnly.detect(text)],
    ['default detectors: lexical + entity + context + passage (1 thread, in process)', defaultDetection],
  ] as const) {
    const start = performance.now();
    // Awaited one by one: a chain's later detectors run after its first await.
    for (const text of texts) await detect(text);
    const seconds = (performance.now() - start) / 1000;
    rows.push([label, seconds * (mb / textMB), `${(textMB / seconds).toFixed(1)} MB/s of text per worker`]);
    if (detect === defaultDetection) defaultDetectionSeconds = seconds;
  }

  // The semantic stage against the raw encoder it is built on, measured now on the same machine.
  if (process.env.BENCH_SEMANTIC !== '0') for (const line of await semanticBench(texts)) console.log(line);

  const workers = availableParallelism();
  const runs: { label: string; args: string[] }[] = [
    { label: `null pipeline: lacuna mask --detectors none (read → parse → write, same compression; ${workers} workers)`, args: ['--detectors', 'none'] },
    { label: `lacuna mask, default detectors (${workers} workers)`, args: [] },
    { label: 'lacuna mask, default detectors, --workers 1', args: ['--workers', '1'] },
    { label: 'lacuna mask, lexical + entity + context', args: ['--detectors', 'lexical,entity,context'] },
  ];
  const manifests: { label: string; manifest: any }[] = [];
  for (const run of runs) {
    const out = join(WORK, 'out');
    const result = time(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'mask', corpus, '--pack', 'physics-post-1900', '--out', out, '--overwrite', '--quiet', ...run.args]);
    if (result.status !== 0) throw new Error(`${run.label} exited with ${result.status}`);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    manifests.push({ label: run.label, manifest });
    rows.push([run.label, result.seconds, `peak RSS ${(manifest.timings.peakRssBytes / 1e6).toFixed(0)} MB`]);
  }

  console.log('');
  console.log('| what | seconds | MB/s | vs ripgrep | notes |');
  console.log('|---|---:|---:|---:|---|');
  for (const [label, seconds, notes] of rows) {
    const rate = mb / seconds;
    const ratio = ripgrepRate ? (rate / ripgrepRate).toFixed(3) : 'n/a';
    console.log(`| ${label} | ${seconds.toFixed(2)} | ${rate.toFixed(1)} | ${ratio} | ${notes} |`);
  }
  const nullSeconds = rows.find(([label]) => label.startsWith('null pipeline'))?.[1];
  const defaultSeconds = rows.find(([label]) => label.startsWith('lacuna mask, default detectors ('))?.[1];
  if (nullSeconds && defaultSeconds) console.log(`\nlacuna mask with the default detectors runs at ${(nullSeconds / defaultSeconds).toFixed(2)}× the null pipeline (same input, workers and compression)`);
  console.log('');
  for (const { label, manifest } of manifests) {
    const stages = Object.entries(manifest.stages as Record<string, { ms: number }>)
      .map(([stage, stats]) => `${stage} ${(stats.ms / 1000).toFixed(2)}s`)
      .join(', ');
    const detectRate = mb / Math.max(manifest.stages.detect.ms / 1000, 1e-9);
    console.log(`${label}: ${manifest.counts.input} docs (${manifest.counts.edited} edited, ${manifest.counts.dropped} dropped); detection (all detectors) ${detectRate.toFixed(1)} MB/s per worker; stages (summed over workers): ${stages}`);
  }
  // The apply step alone: a second policy from the last default run's stored detections, against a fresh run with it.
  const defaultRun = join(WORK, 'default-run');
  time(process.execPath, [CLI_PATH, 'mask', corpus, '--pack', 'physics-post-1900', '--out', defaultRun, '--overwrite', '--quiet']);
  const freshParagraph = time(process.execPath, [CLI_PATH, 'mask', corpus, '--pack', 'physics-post-1900', '--out', join(WORK, 'out'), '--overwrite', '--quiet', '--unit', 'paragraph']);
  const applied = time(process.execPath, [CLI_PATH, 'apply', defaultRun, '--out', join(WORK, 'applied'), '--overwrite', '--quiet', '--unit', 'paragraph']);
  console.log(`\napply: --unit paragraph from stored detections ${applied.seconds.toFixed(2)} s against a fresh mask with it ${freshParagraph.seconds.toFixed(2)} s (${(freshParagraph.seconds / applied.seconds).toFixed(2)}× faster)`);
  console.log(await contextBench(corpus));
  const one = rows.find(([label]) => label === 'lacuna mask, default detectors, --workers 1')?.[1];
  if (one && defaultSeconds) console.log(`\nworkers: ${workers} workers run ${(one / defaultSeconds).toFixed(2)}× one worker (efficiency per core ${(one / defaultSeconds / workers).toFixed(2)})`);
  console.log(await machineCeiling(corpus, workers));
  const nullRun = manifests.find(({ label }) => label.startsWith('null pipeline'))?.manifest;
  const defaultManifest = manifests.find(({ label }) => label.startsWith('lacuna mask, default detectors ('))?.manifest;
  if (nullSeconds && defaultSeconds && nullRun && defaultManifest && defaultDetectionSeconds > 0) console.log(ratioBudget({ nullSeconds, defaultSeconds, nullCpuMs: nullRun.timings.cpuMs, maskCpuMs: defaultManifest.timings.cpuMs, detectionRate: textMB / defaultDetectionSeconds }));
  if (process.env.BENCH_SCALE !== '0') await scaleBench(corpus, mb, nullSeconds);
  if (process.env.BENCH_SEMANTIC !== '0') console.log(await semanticWorkersBench(corpus));
}

/**
 * `--context-field` against the same records without it: the corpus's first 12,000 documents cut
 * at blank lines into paragraph records, each with its document's id as the field, so every
 * document is a run of records judged together (detected and decided as the document).
 */
async function contextBench(corpus: string): Promise<string> {
  const records = join(WORK, 'paragraph-records.jsonl');
  const lines: string[] = [];
  for (const line of readFileSync(corpus, 'utf8').split('\n').filter(Boolean).slice(0, 12_000)) {
    const { id, text } = JSON.parse(line) as { id: string; text: string };
    text.split(/\n[^\S\n]*\n\s*/).forEach((paragraph, at) => {
      if (paragraph.trim()) lines.push(JSON.stringify({ id: `${id}:${at}`, text: paragraph, meta: { doc: id } }));
    });
  }
  writeFileSync(records, lines.join('\n') + '\n');
  const mask = (...args: string[]) => {
    const result = time(process.execPath, [CLI_PATH, 'mask', records, '--pack', 'physics-post-1900', '--out', join(WORK, 'out'), '--overwrite', '--quiet', ...args]);
    if (result.status !== 0) throw new Error(`mask ${args.join(' ')} exited with ${result.status}`);
    return result.seconds;
  };
  const alone = mask();
  const together = mask('--context-field', 'meta.doc');
  return `\n--context-field: ${lines.length} paragraph records of 12,000 documents, ${together.toFixed(2)} s with the documents' ids as the field against ${alone.toFixed(2)} s without (${(alone / together).toFixed(2)}× the speed)`;
}

/**
 * Workers where detection dominates: the semantic detector on, over a slice of the corpus cut
 * into work units of 64 KB, one worker against two (fresh caches, so no vector is served from a run before).
 */
async function semanticWorkersBench(corpus: string): Promise<string> {
  const { copyFileSync, mkdtempSync, rmSync, writeFileSync: write } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { defaultCacheDir } = await import('../indexes/cache-dir.js');
  const lines = readFileSync(corpus, 'utf8').split('\n');
  const slice: string[] = [];
  let bytes = 0;
  for (const line of lines) {
    if (bytes >= 1_000_000) break;
    slice.push(line);
    bytes += Buffer.byteLength(line) + 1;
  }
  const path = join(WORK, 'semantic-slice.jsonl');
  write(path, slice.join('\n') + '\n');
  const seconds: number[] = [];
  let units = 0;
  for (const workers of [1, 2]) {
    const cache = mkdtempSync(join(tmpdir(), 'lacuna-bench-cache-'));
    // The distilled screen embedder is reused (semanticBench made it); cached vectors are not.
    for (const name of readdirSync(defaultCacheDir())) if (name.endsWith('.f32')) copyFileSync(join(defaultCacheDir(), name), join(cache, name));
    const run = time(process.execPath, [CLI_PATH, 'mask', path, '--pack', 'physics-post-1900', '--out', join(WORK, 'semantic-out'), '--overwrite', '--quiet', '--detectors', 'lexical,entity,context,passage,semantic', '--unit-bytes', '64KB', '--workers', String(workers), '--cache-dir', cache]);
    rmSync(cache, { recursive: true, force: true });
    if (run.status !== 0) throw new Error(`semantic mask with ${workers} workers exited with ${run.status}`);
    seconds.push(run.seconds);
    units = JSON.parse(readFileSync(join(WORK, 'semantic-out', 'manifest.json'), 'utf8')).work.units;
  }
  return `\nworkers where detection dominates (semantic detector on, ${(bytes / 1e6).toFixed(2)} MB in ${units} units): 1 worker ${seconds[0].toFixed(1)} s, 2 workers ${seconds[1].toFixed(1)} s: ${(seconds[0] / seconds[1]).toFixed(2)}× (efficiency per core ${(seconds[0] / seconds[1] / 2).toFixed(2)})`;
}

const CLI_PATH = join(ROOT, 'dist', 'cli', 'main.js');

/** Wall seconds and peak RSS (kB, largest process) of `lacuna mask` run as `ranks` concurrent ranks and a merge. */
async function rankedRun(corpus: string, out: string, ranks: number): Promise<{ seconds: number; rssKb: number }> {
  const { spawn } = await import('node:child_process');
  const { rmSync } = await import('node:fs');
  rmSync(out, { recursive: true, force: true });
  const base = [CLI_PATH, 'mask', corpus, '--pack', 'physics-post-1900', '--out', out, '--quiet', '--workers', '1'];
  const start = performance.now();
  let rssKb = 0;
  const timed = (args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn('/usr/bin/time', ['-f', '%M', process.execPath, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('close', (code) => {
        rssKb = Math.max(rssKb, Number(stderr.trim().split('\n').at(-1)));
        if (code === 0) resolve();
        else reject(new Error(`${args.join(' ')} exited with ${code}: ${stderr}`));
      });
    });
  await Promise.all(Array.from({ length: ranks }, (_, rank) => timed([...base, '--rank', String(rank), '--world-size', String(ranks)])));
  await timed([...base, '--merge-only']);
  return { seconds: (performance.now() - start) / 1000, rssKb };
}

/** Ranks, and peak RSS at 100 MB against 1 GB (the same texts, repeated): memory must not grow with the corpus. */
async function scaleBench(corpus: string, mb: number, nullSeconds: number | undefined): Promise<void> {
  const out = join(WORK, 'scale');
  const lines = ['', '| ranks (concurrent processes, 1 worker each, then --merge-only) | seconds | MB/s | speed-up vs 1 rank | efficiency per core | peak RSS of a process |', '|---|---:|---:|---:|---:|---:|'];
  const cores = availableParallelism();
  let single = 0;
  for (const ranks of [1, 2, 4]) {
    const run = await rankedRun(corpus, out, ranks);
    single ||= run.seconds;
    // Ranks beyond the cores share them: efficiency is per core used, not per rank.
    const speedUp = single / run.seconds;
    lines.push(`| ${ranks} | ${run.seconds.toFixed(2)} | ${(mb / run.seconds).toFixed(1)} | ${speedUp.toFixed(2)} | ${(speedUp / Math.min(ranks, cores)).toFixed(2)} | ${(run.rssKb / 1024).toFixed(0)} MB |`);
  }
  if (nullSeconds) lines.push(`(null pipeline in this run: ${(mb / nullSeconds).toFixed(1)} MB/s)`);
  const big = join(WORK, 'corpus-1g.jsonl');
  if (!existsSync(big) || statSync(big).size < 1e9) {
    const { appendFileSync, rmSync } = await import('node:fs');
    rmSync(big, { force: true });
    const bytes = readFileSync(corpus);
    for (let copy = 0; copy * bytes.length < 1e9; copy++) appendFileSync(big, bytes);
  }
  const measure = (path: string) => {
    const run = spawnSync('/usr/bin/time', ['-f', '%M %e', process.execPath, CLI_PATH, 'mask', path, '--pack', 'physics-post-1900', '--out', out, '--overwrite', '--quiet'], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`mask ${path} exited with ${run.status}: ${run.stderr}`);
    const [rss, seconds] = run.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
    return { rssMb: rss / 1024, seconds, mb: statSync(path).size / 1e6 };
  };
  const small = measure(corpus);
  const large = measure(big);
  lines.push('', '| corpus | MB | seconds | MB/s | peak RSS |', '|---|---:|---:|---:|---:|');
  for (const [label, run] of [['100 MB', small], ['1 GB', large]] as const) lines.push(`| ${label} | ${run.mb.toFixed(0)} | ${run.seconds.toFixed(1)} | ${(run.mb / run.seconds).toFixed(1)} | ${run.rssMb.toFixed(0)} MB |`);
  lines.push(`peak RSS at 1 GB / at 100 MB: ${(large.rssMb / small.rssMb).toFixed(2)}`);
  console.log(lines.join('\n'));
}

if (process.argv[2] === '--detect-slice') await detectSlice(process.argv[3]);
else await main();

/**
 * Sentences/s of the semantic detector over a slice of the corpus, next to the
 * raw throughput of its encoder on the same sentences (the ratio is the
 * pipeline's overhead, or its gain when the screen spares the encoder), the
 * share of sentences that reached the encoder, and the index's build and query
 * times. Uses a fresh cache so nothing is served from earlier runs.
 */
async function semanticBench(texts: string[]): Promise<string[]> {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { loadSemanticModels, ensureDistilled } = await import('../indexes/semantic-models.js');
  const { SemanticDetector } = await import('../maskers/detectors/semantic.js');
  const { VectorIndex } = await import('../indexes/vector-index.js');
  const { segment } = await import('../maskers/segment/segmenter.js');
  const { defaultCacheDir } = await import('../indexes/cache-dir.js');
  const { pack } = await loadPack('physics-post-1900');
  await ensureDistilled(defaultCacheDir());
  const cacheDir = mkdtempSync(join(tmpdir(), 'lacuna-bench-'));
  const { copyFileSync, readdirSync: list } = await import('node:fs');
  for (const name of list(defaultCacheDir())) if (name.endsWith('.f32')) copyFileSync(join(defaultCacheDir(), name), join(cacheDir, name));
  const models = await loadSemanticModels(cacheDir);
  const detector = await SemanticDetector.create(pack, models);
  // A slice the encoder can get through in a few minutes: documents in corpus order, about 1,500 sentences.
  const slice: string[] = [];
  let sentences = 0;
  for (const text of texts) {
    if (sentences >= 1500) break;
    slice.push(text);
    sentences += segment(text).sentences.length;
  }
  let start = performance.now();
  let embedded = 0;
  let total = 0;
  for (const text of slice) {
    const result = await detector.detect(text, []);
    embedded += result.semantic?.sentencesEmbedded ?? 0;
    total += result.semantic?.sentences ?? 0;
  }
  const semanticSeconds = (performance.now() - start) / 1000;
  const sample = slice.flatMap((text) => segment(text).sentences.map((sentence) => text.slice(sentence.start, sentence.end))).slice(0, 300);
  const { UseLiteEmbedder } = await import('../indexes/embedders/use-lite.js');
  const raw = await UseLiteEmbedder.load();
  start = performance.now();
  await raw.embed(sample);
  const rawRate = sample.length / ((performance.now() - start) / 1000);
  const index = VectorIndex.create(models.screen.dimensions);
  const all = texts.slice(0, 4000).flatMap((text) => segment(text).sentences.map((sentence) => text.slice(sentence.start, sentence.end)));
  start = performance.now();
  for (const [label, sentence] of all.entries()) index.add(models.screen.vector(sentence), { id: String(label), start: 0, end: sentence.length });
  const buildSeconds = (performance.now() - start) / 1000;
  const queries = pack.concepts.flatMap((concept) => concept.exemplars).map((exemplar) => models.screen.vector(exemplar));
  start = performance.now();
  for (const query of queries) index.query(query, 20);
  const queryMs = (performance.now() - start) / queries.length;
  const recall = index.recall(queries.slice(0, 20), 10);
  const rate = total / semanticSeconds;
  return [
    `semantic detector: ${total} sentences in ${semanticSeconds.toFixed(1)} s = ${rate.toFixed(1)} sentences/s; ${embedded} (${((embedded / total) * 100).toFixed(1)}%) reached the encoder`,
    `raw encoder (${raw.id}, same machine, batches of 32): ${rawRate.toFixed(1)} sentences/s; semantic stage / raw encoder = ${(rate / rawRate).toFixed(2)}`,
    `index: ${all.length} sentences (static embedder, build incl. embedding) ${buildSeconds.toFixed(1)} s = ${(all.length / buildSeconds).toFixed(0)} sentences/s; query ${queryMs.toFixed(2)} ms (k=20, ef=200); recall@10 vs exact ${recall.toFixed(3)}`,
  ];
}


/**
 * The `--detect-slice` mode of this script: the default detectors over the first CEILING_BYTES of
 * the corpus's texts, in this process, printing the seconds detection took (not the loading).
 */
async function detectSlice(corpus: string): Promise<void> {
  const texts: string[] = [];
  let bytes = 0;
  for (const line of readFileSync(corpus, 'utf8').split('\n')) {
    if (!line || bytes >= CEILING_BYTES) break;
    const text = (JSON.parse(line) as { text: string }).text;
    texts.push(text);
    bytes += Buffer.byteLength(text);
  }
  const { pack } = await loadPack('physics-post-1900');
  const chain = DetectorChain.forPack(pack);
  const start = performance.now();
  for (const text of texts) await chain.detect(text);
  console.log(((performance.now() - start) / 1000).toFixed(3));
}

/**
 * What the machine itself allows `workers` workers: the same detection run as that many independent
 * processes at once (no threads, no pool, nothing shared but the hardware) against one alone. Where
 * this is well under `workers`, the cores share what detection is bound by (caches, memory
 * bandwidth, a hypervisor's scheduling), and no worker pool can do better.
 */
async function machineCeiling(corpus: string, workers: number): Promise<string> {
  const { spawn } = await import('node:child_process');
  const script = fileURLToPath(import.meta.url);
  const detect = () =>
    new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, [script, '--detect-slice', corpus], { stdio: ['ignore', 'pipe', 'inherit'] });
      let stdout = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.on('close', (code) => (code === 0 ? resolve(Number(stdout.trim())) : reject(new Error(`--detect-slice exited with ${code}`))));
    });
  const alone = await detect();
  const together = await Promise.all(Array.from({ length: workers }, detect));
  const speedUp = together.reduce((sum, seconds) => sum + alone / seconds, 0);
  return `\nmachine: ${workers} independent processes, each detecting the same ${CEILING_BYTES / 1e6} MB with the default detectors, run at ${speedUp.toFixed(2)}× one alone (one alone ${alone.toFixed(2)} s; together ${together.map((seconds) => seconds.toFixed(2)).join(', ')} s): the most ${workers} workers can give on this machine`;
}

/**
 * What stands between `lacuna mask` and 0.8× the null pipeline, from the two runs' own CPU times
 * (manifest timings.cpuMs: the process and its worker threads). Mask's CPU time beyond the null
 * pipeline's is what detection costs inside the pipeline. At the cores mask keeps busy (its CPU
 * over its wall time), 0.8× leaves a CPU budget of that many cores for nullSeconds / 0.8; what the
 * null pipeline's own work does not use of it is what detection may cost, and the ratio of the two
 * is how much faster detection would have to be.
 */
function ratioBudget(measured: { nullSeconds: number; defaultSeconds: number; nullCpuMs?: number; maskCpuMs?: number; detectionRate: number }): string {
  const { nullSeconds, defaultSeconds, nullCpuMs, maskCpuMs, detectionRate } = measured;
  if (nullCpuMs === undefined || maskCpuMs === undefined) return '';
  const target = 0.8;
  const nullCpu = nullCpuMs / 1000;
  const maskCpu = maskCpuMs / 1000;
  const detectionCpu = maskCpu - nullCpu;
  const busy = maskCpu / defaultSeconds;
  const allowed = (busy * nullSeconds) / target - nullCpu;
  const verdict =
    allowed <= 0
      ? `at ${busy.toFixed(2)} cores busy, the null pipeline's own work leaves no room for detection at ${target}×`
      : `at the ${busy.toFixed(2)} cores it keeps busy, ${target}× leaves detection ${allowed.toFixed(1)} s of CPU: ${(detectionCpu / allowed).toFixed(1)}× less than it takes, about ${(detectionRate * (detectionCpu / allowed)).toFixed(0)} MB/s of text per worker in process (today ${detectionRate.toFixed(1)})`;
  return `\nCPU time: null pipeline ${nullCpu.toFixed(1)} s in ${nullSeconds.toFixed(1)} s of wall time (${(nullCpu / nullSeconds).toFixed(2)} cores busy), lacuna mask ${maskCpu.toFixed(1)} s in ${defaultSeconds.toFixed(1)} s (${busy.toFixed(2)}); detection costs mask ${detectionCpu.toFixed(1)} s of CPU (${((detectionCpu / maskCpu) * 100).toFixed(0)}%); ${verdict}`;
}
