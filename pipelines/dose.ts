/**
 * `lacuna dose RUN --levels 0,0.001,0.01,0.1 --seed S --out DIR`: a dose ladder. For each level,
 * a corpus in which that fraction of the passages the run removed is put back, so an experimenter
 * can measure how much leakage a result survives.
 *
 * A removed passage is one edit of the run's edit log (a sentence or paragraph, or a whole
 * dropped document). Each gets a seeded hash; a level restores the passages with the lowest
 * hashes, so the levels nest (what 1% restores, 10% restores too) and the same run and seed give
 * the same bytes. Every level is written beside the others, with `restored.jsonl` listing each
 * passage put back and `manifest.json` naming the level, the seed and the counts.
 */
import { createHash } from 'node:crypto';
import type { CorpusRecord } from '../corpora/document.js';
import { withText } from '../corpora/document.js';
import { outputShapeOf } from '../corpora/corpus-reader.js';
import { UsageError } from '../corpora/errors.js';
import { digestFile } from '../corpora/hashing.js';
import type { Manifest } from '../corpora/manifest.js';
import { TOOL_NAME, TOOL_VERSION, toolBuild } from '../corpora/package-info.js';
import { readRecords } from '../corpora/readers/records.js';
import { checkRunInputsReadable, runInputDocuments } from '../corpora/run-inputs.js';
import type { WrittenFile } from '../corpora/writers/jsonl-writer.js';
import { JsonlWriter } from '../corpora/writers/jsonl-writer.js';
import { RunDirectory } from '../corpora/writers/run-directory.js';
import { ShardedWriter } from '../corpora/writers/sharded-writer.js';
import { applyEdits, isDrop, type Edit } from '../maskers/edits.js';
import { readManifest } from './replay.js';
import { join } from 'node:path';

export interface DoseOptions {
  runDir: string;
  out: string;
  /** Fractions of the removed passages to put back, each from 0 to 1. */
  levels: number[];
  seed: number;
  overwrite: boolean;
}

export interface DoseLevel {
  level: number;
  dir: string;
  restoredPassages: number;
  restoredChars: number;
  documents: number;
}

export interface DoseResult {
  removedPassages: number;
  levels: DoseLevel[];
}

/** A passage's place in the seeded order: the first 52 bits of a hash of seed, record and start. */
function rank(seed: number, edit: Pick<Edit, 'seq' | 'start'>): number {
  return parseInt(createHash('sha256').update(`${seed}\u0000${edit.seq}\u0000${edit.start}`).digest('hex').slice(0, 13), 16);
}

const levelName = (level: number) => `level-${level}`;

export async function runDose(options: DoseOptions): Promise<DoseResult> {
  const manifest: Manifest = await readManifest(options.runDir);
  if (manifest.command !== 'mask') throw new UsageError(`'${options.runDir}' holds a ${manifest.command} run, not a mask run`);
  await checkRunInputsReadable(manifest);
  for (const input of manifest.inputs) {
    if ((await digestFile(input.resolved)).sha256 !== input.sha256) throw new UsageError(`the run's input '${input.resolved}' changed since the run (sha256 differs); a dose ladder needs the inputs the run read`);
  }
  const editsPath = join(options.runDir, 'edits.jsonl.gz');
  const shape = outputShapeOf(manifest);

  // Pass 1: every removed passage's rank, and for each level the rank below which passages go back.
  const ranks: number[] = [];
  for await (const edit of readRecords<Edit>(editsPath)) ranks.push(rank(options.seed, edit));
  const sorted = Float64Array.from(ranks).sort();
  const cutoffs = options.levels.map((level) => {
    const count = Math.round(level * sorted.length);
    return count === 0 ? -1 : count >= sorted.length ? Infinity : sorted[count];
  });

  const run = await RunDirectory.prepare(options.out, options.overwrite, [options.runDir]);
  try {
    const ladders = await Promise.all(
      options.levels.map(async (level) => ({
        level,
        corpus: new ShardedWriter(await run.stagedDir(`${levelName(level)}/corpus`), manifest.config.shardBytes as number, manifest.config.gzipLevel as number, shape.format ?? 'jsonl.gz'),
        restored: new JsonlWriter(await run.staged(`${levelName(level)}/restored.jsonl`), { gzip: false }),
        restoredChars: 0,
        documents: 0,
      })),
    );
    // Pass 2: each document with the edits its level keeps applied.
    const edits = readRecords<Edit>(editsPath)[Symbol.asyncIterator]();
    let pending = await edits.next();
    for await (const { seq, doc } of runInputDocuments(manifest)) {
      const own: Edit[] = [];
      while (!pending.done && pending.value.seq === seq) {
        own.push(pending.value);
        pending = await edits.next();
      }
      for (const [at, ladder] of ladders.entries()) {
        const cutoff = cutoffs[at];
        const back = own.filter((edit) => rank(options.seed, edit) < cutoff);
        for (const edit of back) {
          await ladder.restored.write({ seq, id: doc.id, start: edit.start, end: edit.end, concept: edit.concept, unit: edit.unit, action: edit.action });
          ladder.restoredChars += (edit.action === 'drop' ? doc.text.length : edit.end - edit.start);
        }
        const kept = own.filter((edit) => !back.includes(edit));
        if (isDrop(kept)) continue;
        const record: CorpusRecord = withText(doc, applyEdits(doc.text, kept), shape);
        await ladder.corpus.write(record);
        ladder.documents++;
      }
    }
    if (!pending.done) throw new UsageError(`${editsPath}: edits for input record ${pending.value.seq}, which the inputs do not have; the run and its inputs disagree (lacuna replay ${options.runDir} says where)`);

    const written: WrittenFile[] = [];
    const levels: DoseLevel[] = [];
    for (const ladder of ladders) {
      const shards = await ladder.corpus.close();
      const restored = await ladder.restored.close();
      const name = levelName(ladder.level);
      const levelManifest = {
        tool: { name: TOOL_NAME, version: TOOL_VERSION, build: toolBuild() },
        command: 'dose',
        run: { dir: options.runDir, seal: manifest.seal?.value ?? null, pack: manifest.pack },
        level: ladder.level,
        seed: options.seed,
        removedPassages: ranks.length,
        restoredPassages: restored.records,
        restoredChars: ladder.restoredChars,
        documents: ladder.documents,
        restored: { path: 'restored.jsonl', sha256: restored.sha256, records: restored.records },
        corpus: shards.map((shard) => ({ ...run.manifestOutput(shard), path: run.manifestOutput(shard).path.slice(name.length + 1) })),
      };
      written.push(...shards, restored, await run.writeFile(`${name}/manifest.json`, JSON.stringify(levelManifest, null, 2) + '\n'));
      levels.push({ level: ladder.level, dir: join(options.out, name), restoredPassages: restored.records, restoredChars: ladder.restoredChars, documents: ladder.documents });
    }
    const outputs = written.map((file) => run.manifestOutput(file));
    await run.commit(outputs.map((output) => output.path), { tool: { name: TOOL_NAME, version: TOOL_VERSION, build: toolBuild() }, command: 'dose', run: { dir: options.runDir, seal: manifest.seal?.value ?? null }, config: { levels: options.levels, seed: options.seed }, removedPassages: ranks.length, levels: levels.map(({ dir: _dir, ...rest }) => rest), outputs });
    return { removedPassages: ranks.length, levels };
  } catch (error) {
    await run.abort();
    throw error;
  }
}
