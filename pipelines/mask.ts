/**
 * `lacuna mask`: read → detect → decide → edit → write, with verification of
 * the output and full provenance (DESIGN.md, "The mask contract").
 *
 * The input is cut into work units (corpora/work-units.ts). Each unit is masked on its own into
 * the output directory's work area (mask-unit.ts), by worker threads here or by the ranks of a
 * cluster job (runMaskRank); the merge (mask-merge.ts) makes them one run, verifies it and
 * writes the manifest last. Finished units survive a crash, so a rerun redoes only the rest and
 * gives the same bytes. Every input record ends up counted exactly once as kept, edited,
 * dropped or rejected.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, rmdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { OutputShape } from '../corpora/document.js';
import { UsageError } from '../corpora/errors.js';
import type { InputOptions } from '../corpora/input-reader.js';
import { checkSeal, countsBalance, type Manifest, type StageStats } from '../corpora/manifest.js';
import { TOOL_NAME, TOOL_VERSION, toolBuild } from '../corpora/package-info.js';
import type { InputFile } from '../corpora/readers/types.js';
import { resolveInputs, type FormatChoice, type SkippedInput } from '../corpora/sources.js';
import { environmentError } from '../corpora/user-file.js';
import { failpoint } from '../corpora/failpoints.js';
import { DEFAULT_UNIT_BYTES, planUnits, unitsOfRank, type RankSpec, type StoredRanges, type WorkUnit } from '../corpora/work-units.js';
import { contextRunCut } from '../corpora/context-cuts.js';
import { CONTEXT_MAX_CHARS } from './runtime/batches.js';
import type { WrittenFile } from '../corpora/writers/jsonl-writer.js';
import type { CorpusFormat } from '../corpora/writers/sharded-writer.js';
import { refuseForeignOutput, RunDirectory, WORK_DIR_NAME } from '../corpora/writers/run-directory.js';
import { loadPack } from '../maskers/pack/load.js';
import { conceptClosure } from '../maskers/pack/closure.js';
import type { PolicyOptions } from '../maskers/policy.js';
import type { DetectorName } from '../maskers/detectors/chain.js';
import { leakageMarkdown } from './leakage-report.js';
import { verifyCorpus, withoutTimings, type VerificationReport } from './verify.js';
import { DEFAULT_MAX_LEAK } from './leak-limit.js';
import { loadWaiver } from './waiver.js';
import { renderReportHtml } from './report-html.js';
import type { IndexParameters } from '../indexes/vector-index.js';
import { TASK_STAGES } from './mask-task.js';
import { unscreenedOutputChars, type OtherLanguagesAction } from '../maskers/language.js';
import { embeddingCacheMaxBytes } from '../indexes/embedding-cache.js';
import { encoderId, ensureDistilled } from '../indexes/semantic-models.js';
import { silentProgress, type ProgressSink } from './runtime/progress.js';
import { isUnitDone, type UnitSetup } from './mask-unit.js';
import { contextWarnings } from './context-tally.js';
import { suggestWorkField, workFieldSentence } from './work-field-hint.js';
import { mergeUnits } from './mask-merge.js';
import { runUnits } from './run-units.js';
import { splitStoredDetections } from './stored-detections.js';
import { readManifest } from './replay.js';

export interface MaskOptions {
  inputs: string[];
  pack: string;
  out: string;
  format: FormatChoice;
  /** How records become documents; recorded in the manifest so replay reads the inputs the same way. */
  reading: InputOptions;
  policy: PolicyOptions;
  detectors: DetectorName[];
  /** Worker threads, each running whole work units; 0 runs the work on the main thread. */
  workers: number;
  shardBytes: number;
  /** gzip level (1–9) of the corpus, edit and finding files. */
  gzipLevel: number;
  overwrite: boolean;
  strict: boolean;
  /**
   * A document plainly not in the pack's language (maskers/language.ts): `keep` masks it as usual
   * (its detectors read it without understanding it, and the verdict's bound counts what is left of
   * it as target text); `reject` sends it to rejects.jsonl with the reason instead. Default keep.
   */
  otherLanguages?: OtherLanguagesAction;
  /** A concept fails verification when more residual findings than this remain. */
  maxResidual: number;
  /** Largest share of the output that may be target text and still pass verification (leak-limit.ts; default DEFAULT_MAX_LEAK). */
  maxLeak?: number;
  /** Distilled embedders and cached embeddings. */
  cacheDir: string;
  /** The semantic detector's encoder: use-lite, hf:<repo> or a directory. */
  model: string;
  /** HNSW parameters of the verification index. */
  index: IndexParameters;
  /** Concepts to mask (with all they imply); all of the pack's when absent. */
  concepts?: string[];
  /** Told what a valid pack may still get wrong (a one-letter term), before the run starts. */
  onWarning?: (message: string) => void;
  /** A waiver file of reviewed false positives to clear from the verdict. */
  waiver?: string;
  /** Also write Dolma attribute files under attributes/<name>/ (see attributes.ts). */
  emitAttributes?: string;
  /** Write Lacuna's own `{id, text, meta}` instead of each input record with its text changed. */
  nestMeta?: boolean;
  /** How corpus shards are stored (default jsonl.gz). */
  outputFormat?: CorpusFormat;
  /** Target input bytes of a work unit (see corpora/work-units.ts). */
  unitBytes?: number;
  /** Merge finished units only; fail (exit 1) when some are not done. */
  mergeOnly?: boolean;
  /** `lacuna apply`: decide from this finished run's stored detections instead of detecting. */
  appliedFrom?: string;
}

export interface MaskResult {
  outDir: string;
  manifest: Manifest;
  verification: VerificationReport;
  /** Paths of the main outputs, for the CLI to print. */
  files: { corpus: string; edits: string; findings: string; rejects: string; manifest: string; report: string; reportMarkdown: string; reportHtml: string };
  /** True when the output directory already held this very run, finished, and nothing was redone. */
  alreadyComplete: boolean;
}

/**
 * What the units' output depends on, hashed: the tool (its version and its code, toolBuild), the pack, every input's path, size and
 * modification time, and every option that changes a byte of a unit. A unit is reused only under
 * the same key, so a rerun after a change of input or option never mixes old units in; a
 * finished run whose manifest has the key is the same run, and a rerun leaves it alone.
 */
async function runKey(options: MaskOptions, files: InputFile[], packSha256: string, waiverSha256: string | undefined, source: Manifest | undefined): Promise<string> {
  const inputs = [];
  for (const file of files) {
    const info = file.path === '-' ? undefined : await stat(file.path);
    inputs.push([resolve(file.path), file.label, file.format, info?.size ?? null, info?.mtimeMs ?? null]);
  }
  const config = {
    reading: options.reading,
    policy: options.policy,
    detectors: options.detectors,
    concepts: options.concepts ?? null,
    shardBytes: options.shardBytes,
    gzipLevel: options.gzipLevel,
    outputFormat: options.outputFormat ?? 'jsonl.gz',
    nestMeta: options.nestMeta ?? false,
    emitAttributes: options.emitAttributes ?? null,
    model: options.detectors.includes('semantic') ? options.model : null,
    // Each unit builds and queries its own verification index with these.
    index: options.detectors.includes('semantic') ? options.index : null,
    unitBytes: options.unitBytes ?? DEFAULT_UNIT_BYTES,
    waiver: waiverSha256 ?? null,
    strict: options.strict,
    // Only when set, so the keys of runs made before the option stay what they were.
    ...(options.otherLanguages === 'reject' ? { otherLanguages: 'reject' } : {}),
    appliedFrom: source?.seal?.value ?? null,
  };
  return createHash('sha256').update(JSON.stringify({ tool: TOOL_VERSION, build: toolBuild(), pack: packSha256, inputs, config })).digest('hex').slice(0, 16);
}

/** The finished run in `out` when it is this very run (same key), else undefined. */
async function sameFinishedRun(out: string, key: string): Promise<Manifest | undefined> {
  const manifest = await readManifest(out).catch(() => undefined);
  return manifest && (manifest as { work?: { runKey?: string } }).work?.runKey === key && checkSeal(manifest) === 'intact' ? manifest : undefined;
}

/** Everything both ways of running (one command, or a rank) resolve before any work. */
interface Plan {
  files: InputFile[];
  skipped: SkippedInput[];
  loaded: Awaited<ReturnType<typeof loadPack>>;
  waiver: Awaited<ReturnType<typeof loadWaiver>> | undefined;
  concepts: string[] | undefined;
  units: WorkUnit[];
  key: string;
  workDir: string;
  setup: UnitSetup;
  shape: OutputShape;
  /** The run whose stored detections `lacuna apply` decides from. */
  source?: Manifest;
}

async function plan(options: MaskOptions): Promise<Plan> {
  // A bad LACUNA_EMBEDDING_CACHE_MAX_GB is one line before anything is written, not an error in each worker.
  if (options.detectors.includes('semantic')) embeddingCacheMaxBytes();
  const { files, skipped } = await resolveInputs(options.inputs, options.format);
  const loaded = await loadPack(options.pack, options.cacheDir);
  const waiver = options.waiver ? await loadWaiver(options.waiver) : undefined;
  for (const warning of loaded.warnings) options.onWarning?.(`pack ${loaded.pack.id}: ${warning}`);
  const concepts = options.concepts ? conceptClosure(loaded.pack, options.concepts) : undefined;
  // Records of one work are judged together: no unit cuts a run of them (context-cuts.ts).
  const contextField = options.reading.contextField;
  const moveCut = contextField === undefined ? undefined : (path: string, offset: number) => contextRunCut(path, offset, options.reading, CONTEXT_MAX_CHARS);
  const source = options.appliedFrom ? await appliedSource(options.appliedFrom) : undefined;
  const units = await planUnits(files, options.unitBytes ?? DEFAULT_UNIT_BYTES, moveCut, source ? rangesReadBy(source) : undefined);
  if (source && source.work!.unitRecords!.length !== units.length) throw new UsageError(`'${options.appliedFrom}' was cut into ${source.work!.unitRecords!.length} work units and its inputs now make ${units.length}: ${changedSince(source)}`);
  const key = await runKey(options, files, loaded.sha256, waiver?.sha256, source);
  const workDir = join(options.out, WORK_DIR_NAME, key);
  const shape: OutputShape = { nestMeta: options.nestMeta ?? false, textField: options.reading.textField, idField: options.reading.idField, format: options.outputFormat ?? 'jsonl.gz' };
  const setup: UnitSetup = {
    task: { pack: loaded.pack, policy: options.policy, detectors: options.detectors, cacheDir: options.cacheDir, model: options.model, concepts },
    reading: options.reading,
    shape,
    shardBytes: options.shardBytes,
    gzipLevel: options.gzipLevel,
    outputFormat: options.outputFormat ?? 'jsonl.gz',
    emitAttributes: options.emitAttributes,
    waiver: waiver ? resolve(options.waiver!) : undefined,
    strict: options.strict,
    otherLanguages: options.otherLanguages ?? 'keep',
    index: options.detectors.includes('semantic') ? options.index : undefined,
    workDir,
    storedDir: source ? join(workDir, 'stored') : undefined,
    ...(source ? { storedMismatch: changedSince(source) } : {}),
  };
  return { files, skipped, loaded, waiver, concepts, units, key, workDir, setup, shape, source };
}

/** The finished run `lacuna apply` reads, checked: sealed, a mask run that stored its detections. */
async function appliedSource(runDir: string): Promise<Manifest> {
  const manifest = await readManifest(runDir);
  if (manifest.command !== 'mask') throw new UsageError(`'${runDir}' holds a ${manifest.command} run, not a mask run`);
  if (checkSeal(manifest) !== 'intact') throw new UsageError(`${join(runDir, 'manifest.json')} was changed after the run wrote it (its seal does not match): its detections cannot be trusted`);
  const unitRecords = manifest.work?.unitRecords;
  if (!unitRecords || !manifest.outputs.some((output) => output.path === 'detections.jsonl.gz')) throw new UsageError(`'${runDir}' was made by a Lacuna that did not store its detections; mask again instead`);
  return manifest;
}

/**
 * The byte ranges the run read each large file in, for a file of the size it had then: apply reads
 * the same units whatever this build would plan (an older build did not move cuts to the ends of
 * context runs, for one), so the stored detections of each unit meet the same records.
 */
function rangesReadBy(run: Manifest): StoredRanges {
  const byPath = new Map(run.inputs.filter((input) => input.ranges).map((input) => [input.resolved, input]));
  return (file) => {
    const input = byPath.get(resolve(file.path));
    return input && input.bytes === file.size ? input.ranges : undefined;
  };
}

/** Why a run's stored detections no longer meet its inputs, as far as can be told without reading them. */
export function changedSince(run: Manifest): string {
  const build = toolBuild();
  if (run.tool.build !== undefined && run.tool.build !== build) {
    return `the inputs changed since the run, or this build of Lacuna (${TOOL_VERSION}, build ${build}) reads them into work units otherwise than the one that made it (${run.tool.version}, build ${run.tool.build}); mask again`;
  }
  return 'the inputs changed since the run';
}

async function ensureWorkDir(workDir: string): Promise<void> {
  try {
    await mkdir(workDir, { recursive: true });
  } catch (error) {
    throw environmentError(error, 'create', workDir);
  }
}

/** Load problems (an unreachable hub model) surface here, as one line, before any worker starts. */
async function prepareModels(options: MaskOptions): Promise<string | null> {
  if (!options.detectors.includes('semantic')) return null;
  const id = await encoderId(options.model, options.cacheDir);
  await ensureDistilled(options.cacheDir);
  return id;
}

export interface RankResult {
  rank: number;
  worldSize: number;
  /** Units of this rank done by this call, and found already done. */
  ran: number;
  skipped: number;
  /** Units of the whole run, and how many of them are done now. */
  totalUnits: number;
  doneUnits: number;
  /** Set when the output directory already holds this very run, finished: nothing was done. */
  alreadyComplete: boolean;
}

/**
 * One rank's share of `lacuna mask` (--rank/--world-size, or a Slurm array or Kubernetes
 * Indexed Job task): its units, into the output directory's work area, and no merge. Ranks share
 * the output directory without a lock: each unit is written under a name of its own and renamed
 * into place, so ranks never touch each other's files.
 */
export async function runMaskRank(options: MaskOptions, rank: RankSpec, progress: ProgressSink = silentProgress): Promise<RankResult> {
  const clock = performance.now();
  const planned = await plan(options);
  if (planned.files.some((file) => file.path === '-')) throw new UsageError('stdin cannot be shared between ranks: give file inputs, or run without --rank');
  const totalUnits = planned.units.length;
  if (!options.overwrite && (await sameFinishedRun(options.out, planned.key))) return { ...rank, ran: 0, skipped: 0, totalUnits, doneUnits: totalUnits, alreadyComplete: true };
  await refuseForeignOutput(options.out, options.overwrite, options.inputs);
  // Models load before the work area is made: a model that cannot load leaves no trace.
  await prepareModels(options);
  await ensureWorkDir(planned.workDir);
  if (planned.source) await splitStoredDetections(options.appliedFrom!, planned.source.work!.unitRecords!, planned.setup.storedDir!);
  const mine = unitsOfRank(planned.units, rank);
  const todo: WorkUnit[] = [];
  for (const unit of mine) if (!(await isUnitDone(planned.workDir, unit.index))) todo.push(unit);
  const totalBytes = todo.reduce((sum, unit) => sum + unit.bytes, 0);
  let records = 0;
  await runUnits(todo, planned.setup, options.workers, (bytes, done) => {
    records = done;
    progress.update({ documents: done, bytesRead: bytes, totalBytes, elapsedMs: performance.now() - clock });
  });
  progress.finish({ documents: records, bytesRead: totalBytes, totalBytes, elapsedMs: performance.now() - clock });
  let doneUnits = 0;
  for (const unit of planned.units) if (await isUnitDone(planned.workDir, unit.index)) doneUnits++;
  return { ...rank, ran: todo.length, skipped: mine.length - todo.length, totalUnits, doneUnits, alreadyComplete: false };
}

export async function runMask(options: MaskOptions, progress: ProgressSink = silentProgress): Promise<MaskResult> {
  const startedAt = new Date();
  const clock = performance.now();
  const cpuAtStart = process.cpuUsage();
  const planned = await plan(options);
  const { loaded, waiver, concepts, shape } = planned;
  const finished = options.overwrite || planned.files.some((file) => file.path === '-') ? undefined : await sameFinishedRun(options.out, planned.key);
  if (finished) {
    // A run killed after its manifest and before it cleared its units leaves them behind.
    await removeWorkArea(options.out, [planned.key]);
    const complete = await alreadyComplete(options.out, finished);
    // A finished run whose report cannot be read is refused below as any finished run is.
    if (complete) return complete;
  }
  // Models load before the output directory is made: a model that cannot load leaves no trace.
  const embeddingModel = await prepareModels(options);
  const run = await RunDirectory.prepare(options.out, options.overwrite, options.inputs);
  const semanticOn = options.detectors.includes('semantic');

  try {
    await ensureWorkDir(planned.workDir);
    if (planned.source) await splitStoredDetections(options.appliedFrom!, planned.source.work!.unitRecords!, planned.setup.storedDir!);
    const done: boolean[] = [];
    for (const unit of planned.units) done.push(await isUnitDone(planned.workDir, unit.index));
    const todo = planned.units.filter((unit) => !done[unit.index]);
    if (options.mergeOnly && todo.length > 0) {
      const missing = todo.map((unit) => unit.index);
      throw new UsageError(`${missing.length} of ${planned.units.length} work units are not done (${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}); run their ranks again, or run without --merge-only to do them here`, 1);
    }
    // Progress counts the bytes of units already done; the records are this invocation's.
    const doneBytes = planned.units.filter((unit) => done[unit.index]).reduce((sum, unit) => sum + unit.bytes, 0);
    const totalBytes = planned.units.reduce((sum, unit) => sum + unit.bytes, 0);
    let records = 0;
    const snapshot = (bytes: number) => ({ documents: records, bytesRead: doneBytes + bytes, totalBytes, elapsedMs: performance.now() - clock });
    await runUnits(todo, planned.setup, options.workers, (bytes, recordsSoFar) => {
      records = recordsSoFar;
      progress.update(snapshot(bytes));
    });
    progress.finish(snapshot(totalBytes - doneBytes));

    const mergeStart = performance.now();
    const merged = await mergeUnits(run, planned.workDir, planned.units.map((unit) => unit.index), { conceptIds: loaded.pack.concepts.map((concept) => concept.id), format: options.outputFormat ?? 'jsonl.gz', gzipLevel: options.gzipLevel });
    const contextTally = options.reading.contextField ? { field: options.reading.contextField, ...(merged.context ?? { records: 0, runs: 0, joined: 0 }) } : undefined;
    // A field no record has is most often a misspelt one: the run is what it would be without it, and says so.
    if (options.reading.contextField) for (const warning of contextWarnings(options.reading.contextField, merged.context, merged.counts.input - merged.counts.rejected)) options.onWarning?.(warning);
    // Short records judged one by one leak most; a field that may name their work is pointed out.
    const workField = suggestWorkField(merged.workFields);
    if (workField) options.onWarning?.(workFieldSentence(workField));
    const { counts, findingsByConcept, removedCharsByConcept, suppressed, residuals, collateral, outputBands, semantic } = merged;
    const shards = merged.shards;
    const written: WrittenFile[] = [...shards, ...merged.logs];
    const mergeMs = performance.now() - mergeStart;
    if (!countsBalance(counts)) throw new Error(`internal error: counts do not balance: ${JSON.stringify(counts)}`);
    const reportData = merged.report;
    const workTimings = merged.stages;
    const writeMs = merged.writeMs;
    const readStats = merged.read;
    const inputStats = merged.inputs;

    failpoint('before-verify');
    const verifyStart = performance.now();
    const damage = collateral.report();
    const verifyShards = shards.map((shard) => shard.path);
    const verification = await verifyCorpus(verifyShards, {
      pack: loaded.pack,
      concepts,
      detectors: options.detectors,
      maxResidual: options.maxResidual,
      maxLeak: options.maxLeak ?? DEFAULT_MAX_LEAK,
      cacheDir: options.cacheDir,
      model: options.model,
      index: options.index,
      lexicalResiduals: residuals.counts,
      ...(options.reading.contextField ? { contextField: options.reading.contextField } : {}),
      lexicalWaived: residuals.waived,
      shape,
      outputBands: outputBands ?? undefined,
      waiver,
      removal: { inputChars: damage.inputChars, singleParagraphChars: damage.singleParagraphChars, shortDocumentChars: damage.shortDocumentChars, removedChars: damage.removedChars, islandChars: damage.islandChars, unscreenedChars: unscreenedOutputChars(merged.otherLanguages), masked: true, detectors: options.detectors, byConcept: removedCharsByConcept },
      unitIndex: merged.index && embeddingModel ? { ...merged.index.result(options.index), encoder: embeddingModel } : undefined,
    });
    for (const [id, concept] of Object.entries(verification.concepts)) concept.passages.unshift(...(residuals.passages[id] ?? []));
    const verifyMs = performance.now() - verifyStart;
    written.push(...merged.indexFiles);
    const summary = { pack: { id: loaded.pack.id, version: loaded.pack.version }, counts, findingsByConcept, removedCharsByConcept, suppressed, ...(contextTally ? { context: contextTally } : {}), ...(workField ? { workField } : {}) };
    // Timings live only in the manifest: the report must be the same bytes on every rerun.
    const reported = withoutTimings(verification);
    const reportJson = JSON.stringify({ tool: { name: TOOL_NAME, version: TOOL_VERSION }, ...summary, verification: reported, collateral: damage }, null, 2) + '\n';
    const html = renderReportHtml({
      identity: {
        command: 'mask',
        tool: `${TOOL_NAME} ${TOOL_VERSION}`,
        inputs: inputStats.map((input) => ({ label: input.label, sha256: input.sha256, bytes: input.bytes })),
        pack: { id: loaded.pack.id, version: loaded.pack.version, sha256: loaded.sha256 },
        passageModel: loaded.pack.passage && options.detectors.includes('passage') ? { sha256: loaded.pack.passage.sha256 } : null,
        embeddingModel,
        waiver: waiver ? { path: waiver.path, sha256: waiver.sha256 } : null,
      },
      summary,
      verification: reported,
      collateral: damage,
      data: reportData.report(),
    });
    written.push(await run.writeFile('report.json', reportJson), await run.writeFile('report.md', leakageMarkdown(summary, reported, damage)), await run.writeFile('report.html', html));
    const outputs = written.map((file) => run.manifestOutput(file));
    const stages: Record<string, StageStats> = {
      read: { items: readStats.items, ms: round(readStats.ms) },
      ...Object.fromEntries(TASK_STAGES.map((stage) => [stage, { items: counts.input - counts.rejected, ms: round(workTimings[stage]) }])),
      write: { items: counts.kept + counts.edited, ms: round(writeMs) },
      merge: { items: planned.units.length, ms: round(mergeMs) },
      indexAndVerify: { items: verification.index?.units ?? 0, ms: round(verifyMs) },
    };
    const finishedAt = new Date();
    const manifest: Manifest = {
      tool: { name: TOOL_NAME, version: TOOL_VERSION, build: toolBuild(), node: process.version },
      command: 'mask',
      inputs: inputStats.map((input) => ({ ...input, resolved: input.path === '-' ? '-' : resolve(input.path) })),
      skippedInputs: planned.skipped,
      pack: {
        id: loaded.pack.id,
        version: loaded.pack.version,
        sha256: loaded.sha256,
        source: loaded.source,
        builtin: loaded.builtin,
        warnings: loaded.warnings,
        // The learned passage model the pack pins (null when the pack has none or it did not run).
        passageModel: loaded.pack.passage && options.detectors.includes('passage') ? { path: loaded.pack.passage.model, sha256: loaded.pack.passage.sha256, threshold: loaded.pack.passage.threshold } : null,
      },
      embeddingModel,
      config: {
        // The inputs as named on the command line, resolved: what `lacuna apply` reads again.
        inputArgs: options.inputs.map((input) => (input === '-' ? '-' : resolve(input))),
        format: options.format,
        reading: options.reading,
        policy: options.policy,
        shardBytes: options.shardBytes,
        gzipLevel: options.gzipLevel,
        model: options.model,
        index: options.index,
        concepts: concepts ?? null,
        semantic: semanticOn ? loaded.pack.semantic : null,
        maxResidual: options.maxResidual,
        maxLeak: options.maxLeak ?? DEFAULT_MAX_LEAK,
        strict: options.strict,
        otherLanguages: options.otherLanguages ?? 'keep',
        emitAttributes: options.emitAttributes ?? null,
        output: shape,
        detectors: options.detectors,
      },
      outputs,
      counts,
      languages: { pack: loaded.pack.language, other: merged.otherLanguages },
      ...(contextTally ? { context: contextTally } : {}),
      removedCharsByConcept,
      findings: { total: Object.values(findingsByConcept).reduce((a, b) => a + b, 0), suppressed, byConcept: findingsByConcept },
      verification: {
        verdict: verification.verdict,
        passed: verification.passed,
        status: verification.status,
        leak: verification.leak,
        estimate: verification.estimate,
        estimateUnavailable: verification.estimateUnavailable ?? null,
        outputScores: verification.outputScores,
        waiver: verification.waiver,
        maxResidual: verification.maxResidual,
        methods: verification.methods,
        concepts: Object.fromEntries(Object.entries(verification.concepts).map(([id, concept]) => [id, { lexical: concept.lexical, semantic: concept.semantic, waived: concept.waived, passed: concept.passed }])),
        index: verification.index,
      },
      stages,
      collateral: { removedChars: damage.removedChars, inputChars: damage.inputChars, singleParagraphChars: damage.singleParagraphChars, shortDocumentChars: damage.shortDocumentChars, islandChars: damage.islandChars, removedShare: damage.removedShare, destroyed: Object.fromEntries(Object.entries(damage.destroyed).map(([what, entry]) => [what, entry.count])) },
      semantic: semanticOn ? { ...semantic, fractionEmbedded: semantic.sentences > 0 ? Math.round((semantic.sentencesEmbedded / semantic.sentences) * 10000) / 10000 : 0 } : null,
      timings: { startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(), wallMs: round(performance.now() - clock), cpuMs: cpuMsSince(cpuAtStart), peakRssBytes: process.resourceUsage().maxRSS * 1024, workers: options.workers },
      work: { runKey: planned.key, unitBytes: options.unitBytes ?? DEFAULT_UNIT_BYTES, units: planned.units.length, unitsRunHere: todo.length, unitRecords: merged.unitRecords, appliedFrom: planned.source ? { run: resolve(options.appliedFrom!), seal: planned.source.seal!.value } : null },
    };
    await run.commit(outputs.map((output) => output.path), manifest);
    failpoint('after-manifest');
    // The units are in the run now (linked, or rewritten into its logs); their directory goes.
    await removeWorkArea(options.out);
    return { outDir: options.out, manifest, verification, files: outputPaths(options.out), alreadyComplete: false };
  } catch (error) {
    // Finished units stay for the rerun; a work area with none goes (rmdir removes only an empty folder),
    // before the run's own undoing, which removes an output directory it made only when empty.
    await rmdir(planned.workDir).catch(() => undefined);
    await rmdir(join(options.out, WORK_DIR_NAME)).catch(() => undefined);
    await run.abort();
    throw error;
  }
}

/** Whether no record had the context field. */
/** How a run key names its directory in the work area (see runKey): only such directories are ever deleted there. */
const RUN_KEY_DIR = /^[0-9a-f]{16}$/;

/**
 * Clears the work area once a run is finished: the units of `keys` (default: every run key's,
 * this run's units being in the run now and other configurations' left by killed runs, which no
 * finished run here can use). Only directories named as run keys go; anything else someone put
 * in `.lacuna-work/` stays, and so does the folder then.
 */
async function removeWorkArea(out: string, keys?: string[]): Promise<void> {
  const area = join(out, WORK_DIR_NAME);
  const entries = keys ?? (await readdir(area).catch(() => [] as string[]));
  for (const key of entries.filter((entry) => RUN_KEY_DIR.test(entry))) await rm(join(area, key), { recursive: true, force: true });
  await rmdir(area).catch(() => undefined);
}

/** The result of a rerun that found this very run finished: its manifest and report, nothing redone (undefined when the report cannot be read). */
async function alreadyComplete(out: string, manifest: Manifest): Promise<MaskResult | undefined> {
  try {
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as { verification: VerificationReport };
    return { outDir: out, manifest, verification: report.verification, files: outputPaths(out), alreadyComplete: true };
  } catch {
    return undefined;
  }
}

function outputPaths(out: string): MaskResult['files'] {
  const at = (path: string) => `${out.replace(/\/+$/, '')}/${path}`;
  return { corpus: at('corpus/'), edits: at('edits.jsonl.gz'), findings: at('findings.jsonl.gz'), rejects: at('rejects.jsonl'), manifest: at('manifest.json'), report: at('report.json'), reportMarkdown: at('report.md'), reportHtml: at('report.html') };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/**
 * CPU milliseconds (user and system) this process has used since `start`: its worker threads
 * included, since they are threads of it. Against the wall time, how many cores the run kept busy.
 */
function cpuMsSince(start: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(start);
  return round((user + system) / 1000);
}
