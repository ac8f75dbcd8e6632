/**
 * The merge step of `lacuna mask`: finished work units (mask-unit.ts) become one run. Corpus
 * shards are hard-linked into the run (no byte is copied or recompressed: at corpus scale the
 * merge must cost little), numbered in unit order; the logs (edits, findings, rejects,
 * attributes) are rewritten as single streams with record positions and line numbers counted
 * in the whole input; the per-unit summaries add up to the run's counts and reports. Units stay
 * untouched until the run's manifest is written, so a merge killed at any point is redone
 * from the same units.
 */
import { copyFile, link } from 'node:fs/promises';
import { join } from 'node:path';
import type { Reject } from '../corpora/document.js';
import { digestFile } from '../corpora/hashing.js';
import type { InputStats } from '../corpora/input-reader.js';
import type { Counts, StageStats } from '../corpora/manifest.js';
import { readJsonLines, readRecords } from '../corpora/readers/records.js';
import { environmentError } from '../corpora/user-file.js';
import { failpoint } from '../corpora/failpoints.js';
import { JsonlWriter, type WrittenFile } from '../corpora/writers/jsonl-writer.js';
import { shardName, type CorpusFormat } from '../corpora/writers/sharded-writer.js';
import type { RunDirectory } from '../corpora/writers/run-directory.js';
import { addSemanticStats } from '../maskers/detectors/chain.js';
import { emptySemanticStats, type SemanticStats } from '../maskers/detectors/semantic.js';
import { CollateralCollector, LexicalResiduals } from './leakage-report.js';
import { ReportCollector } from './report-data.js';
import { emptyTimings, TASK_STAGES, type StageTimings } from './mask-task.js';
import { addOtherLanguages, sortedLanguages, type OtherLanguages } from '../maskers/language.js';
import { readUnitSummary, unitDirName, type UnitSummary } from './mask-unit.js';
import { addContextTally, emptyContextTally, type ContextTally } from './context-tally.js';
import { absorbWorkFields, emptyWorkFields, type WorkFieldState } from './work-field-hint.js';
import { IndexMerger, type UnitIndexSummary } from './unit-index.js';
import { UsageError } from '../corpora/errors.js';

/** An input as the manifest lists it: a file read whole, or read as byte ranges by several units. */
export interface MergedInput extends InputStats {
  ranges?: [number, number][];
}

export interface MergedUnits {
  counts: Counts;
  otherLanguages: OtherLanguages;
  findingsByConcept: Record<string, number>;
  removedCharsByConcept: Record<string, number>;
  suppressed: number;
  residuals: LexicalResiduals;
  collateral: CollateralCollector;
  report: ReportCollector;
  outputBands: number[] | null;
  semantic: SemanticStats;
  read: StageStats;
  stages: StageTimings;
  writeMs: number;
  inputs: MergedInput[];
  /** Staged corpus shards, in order. */
  shards: WrittenFile[];
  /** Staged logs and attribute files. */
  logs: WrittenFile[];
  /** Records of each unit, in order: where each unit's positions start (see lacuna apply). */
  unitRecords: number[];
  /** With `--context-field`: the units' tallies summed. */
  context?: ContextTally;
  /** Without it: how the records' fields run, units in order (absent in units made by older builds). */
  workFields?: WorkFieldState;
  /** The units' semantic verification merged, when the semantic detector ran. */
  index: IndexMerger | undefined;
  /** The units' saved indexes, staged under index/part-NNNNN/. */
  indexFiles: WrittenFile[];
}

/**
 * Conservation within a unit, checked before it joins the run: its records balance, its
 * corpus holds exactly the kept and edited ones, its rejects file the rejected ones, and its
 * inputs account for every record. Summed over units, the run's counts balance too.
 */
function checkUnitConservation(workDir: string, summary: UnitSummary): void {
  const { counts, files } = summary;
  const problems: string[] = [];
  if (counts.input !== counts.kept + counts.edited + counts.dropped + counts.rejected) problems.push(`counts do not balance: ${JSON.stringify(counts)}`);
  const corpusRecords = files.corpus.reduce((sum, file) => sum + file.records, 0);
  if (corpusRecords !== counts.kept + counts.edited) problems.push(`its corpus holds ${corpusRecords} records, not ${counts.kept + counts.edited}`);
  if (files.rejects.records !== counts.rejected) problems.push(`its rejects hold ${files.rejects.records} records, not ${counts.rejected}`);
  if (files.detections.records !== counts.input - counts.rejected) problems.push(`its detections hold ${files.detections.records} records, not ${counts.input - counts.rejected}`);
  const read = summary.inputs.reduce((sum, input) => sum + input.records, 0);
  if (read !== counts.input) problems.push(`its inputs gave ${read} records, its counts ${counts.input}`);
  if (problems.length > 0) throw new Error(`internal error: work unit ${join(workDir, unitDirName(summary.unit))}: ${problems.join('; ')}`);
}

/** Puts a unit's file into the run's staging without copying its bytes where the filesystem allows. */
async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS' && code !== 'EXDEV') throw environmentError(error, 'link', from);
    await copyFile(from, to).catch((copyError: unknown) => {
      throw environmentError(copyError, 'copy', from);
    });
  }
}

/** Each unit's log records, rewritten by `adjust` (which knows the unit), into one stream. */
async function rewriteLogs<T>(writer: JsonlWriter, parts: { path: string; place: UnitPlace }[], adjust: (record: T, place: UnitPlace) => T): Promise<WrittenFile> {
  for (const part of parts) for await (const record of readRecords<T>(part.path)) await writer.write(adjust(record, part.place));
  return writer.close();
}

const SEQ_PREFIX = '{"seq":';

/**
 * A unit's log, its records' `seq` counted from the unit's start, into one stream counted over the
 * whole input. The units write `seq` first, so the number is replaced in the line as written: the
 * same bytes as parsing the record and writing it again, at a fraction of the cost. A line that
 * does not start so (a unit left by an older version) is parsed and rewritten.
 */
export async function renumberLogs(writer: JsonlWriter, parts: { path: string; place: Pick<UnitPlace, 'seqBase'> }[]): Promise<WrittenFile> {
  for (const part of parts) {
    for await (const { text, lineNo } of readJsonLines(part.path)) {
      if (part.place.seqBase === 0) {
        await writer.writeLine(text + '\n');
        continue;
      }
      const end = text.startsWith(SEQ_PREFIX) ? text.indexOf(',', SEQ_PREFIX.length) : -1;
      const digits = end > 0 ? text.slice(SEQ_PREFIX.length, end) : '';
      if (/^(0|[1-9][0-9]{0,14})$/.test(digits)) {
        await writer.writeLine(`${SEQ_PREFIX}${Number(digits) + part.place.seqBase}${text.slice(end)}\n`);
        continue;
      }
      let record: { seq: number };
      try {
        record = JSON.parse(text) as { seq: number };
      } catch (error) {
        throw new UsageError(`${part.path} line ${lineNo}: ${(error as Error).message}`);
      }
      await writer.write({ ...record, seq: record.seq + part.place.seqBase });
    }
  }
  return writer.close();
}

/** What the merge keeps of a unit once its summary is absorbed: its files, and where its records and lines start. */
interface UnitPlace {
  unit: number;
  files: UnitSummary['files'];
  indexFiles: UnitIndexSummary['files'];
  seqBase: number;
  /** For a byte range of a file: lines of the file before the range. */
  lineBase?: number;
}

/**
 * Merges the finished units `unitIndices` (all of the run's, in order). Each summary is read
 * and absorbed in turn, never all at once: the merge's memory does not grow with the corpus.
 */
export async function mergeUnits(run: RunDirectory, workDir: string, unitIndices: number[], options: { conceptIds: string[]; format: CorpusFormat; gzipLevel: number }): Promise<MergedUnits> {
  const unitPath = (place: UnitPlace, path: string) => join(workDir, unitDirName(place.unit), path);
  const places: UnitPlace[] = [];
  const linesSoFar = new Map<string, number>();
  let records = 0;

  const counts: Counts = { input: 0, kept: 0, edited: 0, dropped: 0, rejected: 0 };
  const findingsByConcept: Record<string, number> = Object.fromEntries(options.conceptIds.map((id) => [id, 0]));
  const removedCharsByConcept: Record<string, number> = Object.fromEntries(options.conceptIds.map((id) => [id, 0]));
  let suppressed = 0;
  const otherLanguages: OtherLanguages = {};
  const residuals = new LexicalResiduals(options.conceptIds);
  const collateral = new CollateralCollector();
  const report = new ReportCollector();
  let outputBands: number[] | null = null;
  const semantic = emptySemanticStats();
  const read: StageStats = { items: 0, ms: 0 };
  const stages = emptyTimings();
  let writeMs = 0;
  const inputs: MergedInput[] = [];
  let indexMerger: IndexMerger | undefined;
  let context: ContextTally | undefined;
  let workFields: WorkFieldState | undefined;
  for (const index of unitIndices) {
    const summary = await readUnitSummary(workDir, index);
    if (!summary) throw new UsageError(`work unit ${index} is not done (${join(workDir, unitDirName(index))} is missing); run the job again to redo it`);
    checkUnitConservation(workDir, summary);
    const ranged = summary.inputs.find((input) => input.range);
    // A range at offset 0 starts the file (again, if the file was named twice).
    if (ranged?.range?.start === 0) linesSoFar.set(ranged.path, 0);
    if (summary.index) (indexMerger ??= new IndexMerger()).absorb(index, summary.index);
    places.push({ unit: index, files: summary.files, indexFiles: summary.index?.files ?? [], seqBase: records, ...(ranged ? { lineBase: linesSoFar.get(ranged.path) ?? 0 } : {}) });
    if (ranged) linesSoFar.set(ranged.path, (linesSoFar.get(ranged.path) ?? 0) + ranged.lines);
    records += summary.counts.input;
    for (const key of Object.keys(counts) as (keyof Counts)[]) counts[key] += summary.counts[key];
    for (const [concept, count] of Object.entries(summary.findingsByConcept)) findingsByConcept[concept] = (findingsByConcept[concept] ?? 0) + count;
    for (const [concept, chars] of Object.entries(summary.removedCharsByConcept)) removedCharsByConcept[concept] = (removedCharsByConcept[concept] ?? 0) + chars;
    suppressed += summary.suppressed;
    addOtherLanguages(otherLanguages, summary.otherLanguages ?? {});
    residuals.absorb(summary.residuals);
    collateral.absorb(summary.collateral);
    report.absorb(summary.report, places.at(-1)!.seqBase);
    if (summary.outputBands) {
      outputBands ??= summary.outputBands.map(() => 0);
      summary.outputBands.forEach((count, band) => (outputBands![band] += count));
    }
    addSemanticStats(semantic, summary.semantic);
    if (summary.context) addContextTally((context ??= emptyContextTally()), summary.context);
    if (summary.workFields) absorbWorkFields((workFields ??= emptyWorkFields()), summary.workFields);
    read.items += summary.timings.read.items;
    read.ms += summary.timings.read.ms;
    for (const stage of TASK_STAGES) stages[stage] += summary.timings.stages[stage];
    writeMs += summary.timings.writeMs;
    for (const input of summary.inputs) {
      const previous = inputs[inputs.length - 1];
      // The next range of the file the last entry is reading (not the same file named again).
      if (input.range && previous?.ranges && previous.path === input.path && previous.ranges[previous.ranges.length - 1][1] === input.range.start) {
        previous.records += input.records;
        previous.rejected += input.rejected;
        previous.lines += input.lines;
        previous.ranges.push([input.range.start, input.range.end]);
        continue;
      }
      const { range, ...stats } = input;
      inputs.push({ ...stats, ...(range ? { ranges: [[range.start, range.end]] } : {}) });
    }
  }
  // A file read in ranges was hashed range by range; the manifest cites the whole file's digest.
  for (const input of inputs) if (input.ranges) Object.assign(input, await digestFile(input.path));

  const shards: WrittenFile[] = [];
  const corpusDir = await run.stagedDir('corpus');
  const withRecords = places.flatMap((place) => place.files.corpus.filter((file) => file.records > 0).map((file) => ({ place, file })));
  // An empty corpus is still a corpus: the first unit's (empty) shard stands for it.
  const parts = withRecords.length > 0 ? withRecords : [{ place: places[0], file: places[0].files.corpus[0] }];
  for (const [at, { place, file }] of parts.entries()) {
    const path = join(corpusDir, shardName(at, options.format));
    await linkOrCopy(unitPath(place, file.path), path);
    shards.push({ path, bytes: file.bytes, sha256: file.sha256, records: file.records });
  }

  // Each unit's index, numbered among the units that have one, as shards are.
  const indexFiles: WrittenFile[] = [];
  for (const [part, place] of places.filter((each) => each.indexFiles.length > 0).entries()) {
    const partDir = await run.stagedDir(`index/part-${String(part).padStart(5, '0')}`);
    for (const file of place.indexFiles) {
      const path = join(partDir, file.path.slice('index/'.length));
      await linkOrCopy(unitPath(place, file.path), path);
      indexFiles.push({ path, bytes: file.bytes, sha256: file.sha256, records: file.records });
    }
  }
  failpoint('merge-after-corpus');
  const logs: WrittenFile[] = [];
  const partsOf = (pick: (files: UnitSummary['files']) => { path: string }) => places.map((place) => ({ path: unitPath(place, pick(place.files).path), place }));
  const level = options.gzipLevel;
  logs.push(await renumberLogs(new JsonlWriter(await run.staged('edits.jsonl.gz'), { level }), partsOf((files) => files.edits)));
  logs.push(await renumberLogs(new JsonlWriter(await run.staged('findings.jsonl.gz'), { level }), partsOf((files) => files.findings)));
  logs.push(await renumberLogs(new JsonlWriter(await run.staged('detections.jsonl.gz'), { level }), partsOf((files) => files.detections)));
  logs.push(
    await rewriteLogs<Reject>(new JsonlWriter(await run.staged('rejects.jsonl'), { gzip: false }), partsOf((files) => files.rejects), (reject, place) =>
      reject.line !== undefined && place.lineBase !== undefined ? { ...reject, line: reject.line + place.lineBase } : reject,
    ),
  );
  const attributeFiles = new Map<string, { path: string; place: UnitPlace }[]>();
  for (const place of places) for (const file of place.files.attributes) (attributeFiles.get(file.path) ?? attributeFiles.set(file.path, []).get(file.path)!).push({ path: unitPath(place, file.path), place });
  for (const path of [...attributeFiles.keys()].sort()) logs.push(await rewriteLogs(new JsonlWriter(await run.staged(path), { level }), attributeFiles.get(path)!, (record: unknown) => record));

  return { counts, otherLanguages: sortedLanguages(otherLanguages), findingsByConcept, removedCharsByConcept, suppressed, residuals, collateral, report, outputBands, semantic, read, stages, writeMs, inputs, shards, logs, index: indexMerger, indexFiles, unitRecords: places.map((place, at) => (places[at + 1]?.seqBase ?? records) - place.seqBase), ...(context ? { context } : {}), ...(workFields ? { workFields } : {}) };
}
