/**
 * One work unit of `lacuna mask` (see corpora/work-units.ts): read → detect → decide → edit →
 * write, into a directory of its own. The unit writes into a temporary directory and renames it
 * into place when complete, summary inside: a unit directory that exists is a finished unit, so
 * a rerun after a crash or kill -9 skips it, and two attempts at the same unit (a resubmitted
 * Slurm task beside a slow one) cannot mix their files. The output is a pure function of the
 * unit and the configuration: record positions (`seq`) and line numbers count from the unit's
 * start, and the merge (mask-merge.ts) adds the unit's base.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { withText, type InputEvent, type OutputShape, type Reject } from '../corpora/document.js';
import { UsageError } from '../corpora/errors.js';
import { InputReader, type InputOptions, type InputStats } from '../corpora/input-reader.js';
import type { ByteRange } from '../corpora/byte-source.js';
import type { Counts, StageStats } from '../corpora/manifest.js';
import { environmentError } from '../corpora/user-file.js';
import { failpoint } from '../corpora/failpoints.js';
import type { WorkUnit } from '../corpora/work-units.js';
import { JsonlWriter, type WrittenFile } from '../corpora/writers/jsonl-writer.js';
import { ShardedWriter, type CorpusFormat } from '../corpora/writers/sharded-writer.js';
import { writeFileAtomic } from '../corpora/writers/run-directory.js';
import type { Edit } from '../maskers/edits.js';
import type { Finding } from '../maskers/findings.js';
import { addSemanticStats } from '../maskers/detectors/chain.js';
import { emptySemanticStats, type SemanticStats } from '../maskers/detectors/semantic.js';
import { loadPassageModel, SCORE_BANDS } from '../maskers/detectors/passage.js';
import { addOtherLanguages, otherLanguage, otherLanguageReason, type OtherLanguages, type OtherLanguagesAction } from '../maskers/language.js';
import { attributesPath, AttributesWriter } from './attributes.js';
import { CollateralCollector, LexicalResiduals, type CollateralState, type LexicalResidualState } from './leakage-report.js';
import { ReportCollector, type ReportState } from './report-data.js';
import { emptyTimings, MaskTask, TASK_STAGES, type MaskTaskConfig, type StageTimings } from './mask-task.js';
import { detectionRecord, StoredDetectionReader } from './stored-detections.js';
import { UnitIndexer, type UnitIndexSummary } from './unit-index.js';
import type { IndexParameters } from '../indexes/vector-index.js';
import { batches, contextRuns, timed } from './runtime/batches.js';
import { emptyContextTally, tallyRuns, type ContextTally } from './context-tally.js';
import { WorkFieldTally, type WorkFieldState } from './work-field-hint.js';
import { loadWaiver } from './waiver.js';

export interface UnitSetup {
  task: MaskTaskConfig;
  reading: InputOptions;
  shape: OutputShape;
  shardBytes: number;
  gzipLevel: number;
  outputFormat: CorpusFormat;
  emitAttributes?: string;
  waiver?: string;
  strict: boolean;
  /** What to do with a document plainly not in the pack's language (MaskOptions.otherLanguages). */
  otherLanguages: OtherLanguagesAction;
  /** Where finished units live: `<out>/.lacuna-work/<run key>`. */
  workDir: string;
  /** The semantic verification index's parameters, when the semantic detector runs (see unit-index.ts). */
  index?: IndexParameters;
  /** For `lacuna apply`: each unit's stored detections, `<storedDir>/unit-NNNNNN.jsonl.gz` (see stored-detections.ts). */
  storedDir?: string;
  /** With storedDir: why stored detections that do not meet the records would not (mask.ts changedSince). */
  storedMismatch?: string;
}

/** Told the input bytes read and records done so far in the unit. */
export type UnitProgress = (bytes: number, records: number) => void;

/** A file a unit wrote, its path relative to the unit's directory. */
export type UnitFile = WrittenFile;

/** An input the unit read; `lines` of a byte range tell the next range where its line numbers start. */
export interface UnitInput extends InputStats {
  /** Set when the unit read a byte range of the file. */
  range?: ByteRange;
}

/** Everything the merge needs from a unit, written last, as summary.json. */
export interface UnitSummary {
  unit: number;
  counts: Counts;
  otherLanguages: OtherLanguages;
  findingsByConcept: Record<string, number>;
  removedCharsByConcept: Record<string, number>;
  suppressed: number;
  outputBands: number[] | null;
  semantic: SemanticStats;
  timings: { read: StageStats; stages: StageTimings; writeMs: number };
  inputs: UnitInput[];
  collateral: CollateralState;
  residuals: LexicalResidualState;
  report: ReportState;
  files: { corpus: UnitFile[]; edits: UnitFile; findings: UnitFile; detections: UnitFile; rejects: UnitFile; attributes: (UnitFile & { label: string })[] };
  /** The unit's semantic verification, when the semantic detector ran. */
  index: UnitIndexSummary | null;
  /** With `--context-field`: how its records were gathered (absent without it). */
  context?: ContextTally;
  /** Without `--context-field`: how the records' fields run, for the hint that one may name their work. */
  workFields?: WorkFieldState;
}

export const SUMMARY_NAME = 'summary.json';

export function unitDirName(index: number): string {
  return `unit-${String(index).padStart(6, '0')}`;
}

/** Whether the unit is finished: its directory exists (it is renamed into place complete). */
export async function isUnitDone(workDir: string, index: number): Promise<boolean> {
  return (await stat(join(workDir, unitDirName(index), SUMMARY_NAME)).catch(() => undefined)) !== undefined;
}

/** The summary of a finished unit, or undefined when the unit is not done. */
export async function readUnitSummary(workDir: string, index: number): Promise<UnitSummary | undefined> {
  const path = join(workDir, unitDirName(index), SUMMARY_NAME);
  try {
    return JSON.parse(await readFile(path, 'utf8')) as UnitSummary;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`cannot read the finished work unit '${path}': ${(error as Error).message}; delete its directory to redo it`);
  }
}

/**
 * `--other-languages reject`: a document plainly not in the pack's language becomes a reject with
 * the reason before any detector sees it (counted in `tally`, none of it written), so the rest of the
 * run, `lacuna apply` included, treats it as it treats a malformed record.
 */
async function* rejectOtherLanguages(events: AsyncIterable<InputEvent>, packLanguage: string, tally: OtherLanguages): AsyncGenerator<InputEvent> {
  for await (const event of events) {
    const language = event.kind === 'doc' ? otherLanguage(event.doc.text, packLanguage) : undefined;
    if (event.kind !== 'doc' || language === undefined) {
      yield event;
      continue;
    }
    addOtherLanguages(tally, { [language]: { documents: 1, chars: event.doc.text.length, outputChars: 0 } });
    yield { kind: 'reject', reject: { ...event.origin, id: event.doc.id, reason: otherLanguageReason(language, packLanguage) } };
  }
}

function describeOrigin(reject: Reject): string {
  if (reject.line !== undefined) return `${reject.file} line ${reject.line}`;
  if (reject.record !== undefined) return `${reject.file} record ${reject.record}`;
  return reject.file;
}

/**
 * Runs one unit with a task already built (a worker builds it once for all its units), unless
 * it is finished already. `onProgress` hears the input bytes read and
 * records done so far in the unit.
 */
export async function runMaskUnit(unit: WorkUnit, setup: UnitSetup, task: MaskTask, onProgress: UnitProgress = () => undefined): Promise<void> {
  const finalDir = join(setup.workDir, unitDirName(unit.index));
  if (await isUnitDone(setup.workDir, unit.index)) return;
  const tempDir = `${finalDir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await mkdir(join(tempDir, 'corpus'), { recursive: true });
  } catch (error) {
    throw environmentError(error, 'create', tempDir);
  }
  try {
    const summary = await writeUnit(unit, setup, task, tempDir, onProgress);
    await writeFileAtomic(join(tempDir, SUMMARY_NAME), JSON.stringify(summary) + '\n');
    failpoint('unit-before-rename');
    try {
      await rename(tempDir, finalDir);
    } catch (error) {
      // Another attempt finished the same unit first: its files are the same bytes; keep them.
      if (!(await stat(join(finalDir, SUMMARY_NAME)).catch(() => undefined))) throw environmentError(error, 'rename', tempDir);
      await rm(tempDir, { recursive: true, force: true });
    }
  } catch (error) {
    await rm(tempDir, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
}

/** Where the attributes writer puts a file in the unit's directory. */
function stagedIn(dir: string): (relativePath: string) => Promise<string> {
  return async (relativePath) => {
    const path = join(dir, relativePath);
    await mkdir(dirname(path), { recursive: true });
    return path;
  };
}

async function writeUnit(unit: WorkUnit, setup: UnitSetup, task: MaskTask, dir: string, onProgress: UnitProgress): Promise<UnitSummary> {
  const conceptIds = setup.task.pack.concepts.map((concept) => concept.id);
  const waiver = setup.waiver ? await loadWaiver(setup.waiver) : undefined;
  const reader = new InputReader(unit.files, setup.reading);
  const corpus = new ShardedWriter(join(dir, 'corpus'), setup.shardBytes, setup.gzipLevel, setup.outputFormat);
  const editsWriter = new JsonlWriter(join(dir, 'edits.jsonl.gz'), { level: setup.gzipLevel });
  const findingsWriter = new JsonlWriter(join(dir, 'findings.jsonl.gz'), { level: setup.gzipLevel });
  const detectionsWriter = new JsonlWriter(join(dir, 'detections.jsonl.gz'), { level: setup.gzipLevel });
  const indexer = setup.index && task.models ? new UnitIndexer(task.models.screen, setup.index) : undefined;
  const stored = setup.storedDir ? new StoredDetectionReader(join(setup.storedDir, `${unitDirName(unit.index)}.jsonl.gz`), setup.storedMismatch) : undefined;
  const rejectsWriter = new JsonlWriter(join(dir, 'rejects.jsonl'), { gzip: false });
  const attributes = setup.emitAttributes ? new AttributesWriter(stagedIn(dir), setup.emitAttributes, setup.task.pack.id, setup.gzipLevel) : undefined;

  const counts: Counts = { input: 0, kept: 0, edited: 0, dropped: 0, rejected: 0 };
  const findingsByConcept: Record<string, number> = Object.fromEntries(conceptIds.map((id) => [id, 0]));
  const removedCharsByConcept: Record<string, number> = Object.fromEntries(conceptIds.map((id) => [id, 0]));
  let suppressed = 0;
  const otherLanguages: OtherLanguages = {};
  const residuals = new LexicalResiduals(conceptIds, waiver);
  // Documents are counted at the pack's passage model's scale (documentScale), as its detector judges
  // them; a run without that detector never loads the model for it.
  const passage = setup.task.detectors.includes('passage') ? setup.task.pack.passage : undefined;
  const collateral = new CollateralCollector(passage ? loadPassageModel(passage).smoothingSpan : undefined);
  const reportData = new ReportCollector(unit.index);
  const outputBands = new Array<number>(SCORE_BANDS.length).fill(0);
  let bandsMeasured = false;
  const context: ContextTally | undefined = setup.reading.contextField ? emptyContextTally() : undefined;
  const workFields = setup.reading.contextField ? undefined : new WorkFieldTally(setup.reading.idField, setup.reading.textField);
  const stages = emptyTimings();
  const semantic = emptySemanticStats();
  const read: StageStats = { items: 0, ms: 0 };
  let writeMs = 0;

  // Filled in the try below; after it, the unit's files are closed and named.
  let shards: UnitFile[];
  let written: { edits: UnitFile; findings: UnitFile; detections: UnitFile; rejects: UnitFile };
  let attributeFiles: UnitFile[];
  let index: Awaited<ReturnType<UnitIndexer['finish']>> | null;
  try {
    const events = timed(reader.events(), read);
    const screened = setup.otherLanguages === 'reject' ? rejectOtherLanguages(events, setup.task.pack.language, otherLanguages) : events;
    for await (const batch of batches(screened)) {
      const result = await task.run(batch.documents, stored ? await stored.forBatch(batch.items, counts.input) : undefined);
      // Each document's context run (the texts it was detected with), for the scale it is counted at.
      const runOf: string[][] = [];
      const runs = contextRuns(batch.documents);
      for (const [start, end] of runs) {
        const texts = batch.documents.slice(start, end).map((document) => document.text);
        for (let at = start; at < end; at++) runOf[at] = texts;
      }
      if (context) tallyRuns(batch.documents, context, runs);
      const writeStart = performance.now();
      for (const stage of TASK_STAGES) stages[stage] += result.timings[stage];
      addSemanticStats(semantic, result.semantic);
      for (const item of batch.items) {
        const seq = counts.input++;
        if (item.event.kind === 'reject') {
          const reject = item.event.reject;
          if (setup.strict) throw new UsageError(`${describeOrigin(reject)}: ${reject.reason} (--strict stops at the first rejected record)`);
          counts.rejected++;
          reportData.reject(reject.file);
          await attributes?.reject(reject.file, reject.id);
          await rejectsWriter.write(reject);
          continue;
        }
        const doc = item.event.doc;
        const outcome = result.outcomes[item.slot];
        workFields?.observe(doc.source, doc.text.length);
        suppressed += outcome.suppressed;
        if (outcome.language) {
          const outputChars = outcome.decision.action === 'drop' ? 0 : outcome.decision.action === 'edit' ? outcome.text!.length : doc.text.length;
          addOtherLanguages(otherLanguages, { [outcome.language]: { documents: 1, chars: doc.text.length, outputChars } });
        }
        await detectionsWriter.write(detectionRecord(seq, outcome));
        for (const finding of outcome.findings) {
          findingsByConcept[finding.concept]++;
          // `seq` first: the merge renumbers it without parsing the line (mask-merge.ts).
          const record: Finding = { seq, id: doc.id, ...finding };
          await findingsWriter.write(record);
        }
        for (const edit of outcome.decision.edits) {
          removedCharsByConcept[edit.concept] += edit.end - edit.start;
          const record: Edit = { seq, id: doc.id, ...edit };
          await editsWriter.write(record);
        }
        collateral.add(doc.id, doc.text, outcome.decision.edits, outcome.collateral, runOf[item.slot]);
        reportData.document(item.event.origin.file, seq, doc.id, doc.text, outcome.decision.action, outcome.decision.edits, outcome.findings);
        await attributes?.document(item.event.origin.file, doc.numericId ? Number(doc.id) : doc.id, doc.text, outcome.decision.action, outcome.decision.edits, outcome.findings);
        if (outcome.outputBands) {
          bandsMeasured = true;
          outcome.outputBands.forEach((count, band) => (outputBands[band] += count));
        }
        if (outcome.decision.action === 'drop') counts.dropped++;
        else if (outcome.decision.action === 'edit') {
          counts.edited++;
          residuals.add(doc.id, outcome.text!, outcome.residual);
          await corpus.write(withText(doc, outcome.text!, setup.shape));
          indexer?.add(doc.id, outcome.text!);
        } else {
          counts.kept++;
          residuals.add(doc.id, doc.text, outcome.residual);
          await corpus.write(withText(doc, doc.text, setup.shape));
          indexer?.add(doc.id, doc.text);
        }
      }
      onProgress(reader.bytesRead, counts.input);
      failpoint('unit-after-first-batch');
      writeMs += performance.now() - writeStart;
    }
    const closeStart = performance.now();
    const relative = (file: WrittenFile): UnitFile => ({ path: file.path.slice(dir.length + 1).split('\\').join('/'), bytes: file.bytes, sha256: file.sha256, records: file.records });
    shards = (await corpus.close()).map(relative);
    await stored?.finish();
    written = { edits: relative(await editsWriter.close()), findings: relative(await findingsWriter.close()), detections: relative(await detectionsWriter.close()), rejects: relative(await rejectsWriter.close()) };
    attributeFiles = ((await attributes?.close()) ?? []).map(relative);
    const concepts = setup.task.concepts ? new Set(setup.task.concepts) : undefined;
    index = indexer ? await indexer.finish(dir, shards.map((shard) => join(dir, shard.path)), setup.shape, setup.task.pack, concepts, await task.semanticVerifier()) : null;
    writeMs += performance.now() - closeStart;
  } catch (error) {
    // A unit that stops (--strict, a full disk) closes what it opened before its directory is removed.
    await Promise.allSettled([corpus.abandon(), editsWriter.abandon(), findingsWriter.abandon(), detectionsWriter.abandon(), rejectsWriter.abandon(), attributes?.abandon()]);
    throw error;
  }
  const labels = new Map(unit.files.map((file) => [attributesPath(setup.emitAttributes ?? '', file.label), file.label]));
  return {
    unit: unit.index,
    counts,
    otherLanguages,
    findingsByConcept,
    removedCharsByConcept,
    suppressed,
    outputBands: bandsMeasured ? outputBands : null,
    semantic,
    timings: { read, stages, writeMs },
    inputs: reader.stats.map((stats, at) => ({
      path: stats.path,
      label: stats.label,
      format: stats.format,
      ...(unit.files[at].range ? { range: unit.files[at].range } : {}),
      bytes: stats.bytes,
      sha256: stats.sha256,
      records: stats.records,
      rejected: stats.rejected,
      lines: stats.lines,
      ...(stats.decodedAs ? { decodedAs: stats.decodedAs } : {}),
    })),
    collateral: collateral.state(),
    residuals: residuals.state(),
    report: reportData.state(),
    files: { corpus: shards, ...written, attributes: attributeFiles.map((file) => ({ ...file, label: labels.get(file.path) ?? file.path })) },
    index,
    ...(context ? { context } : {}),
    ...(workFields ? { workFields: workFields.result() } : {}),
  };
}
