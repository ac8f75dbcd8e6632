/**
 * Verification of a masked corpus, part of `lacuna mask` and standalone as
 * `lacuna verify <out-dir>` for auditors.
 *
 * - Integrity (verify only): every output's sha256 and size against the
 *   manifest, and the counts against the files.
 * - Lexical: the lexical, entity and context detectors run again on the
 *   output; no unsuppressed finding may remain.
 * - Semantic: every sentence of the output is embedded by the static screen
 *   embedder into an HNSW index; each concept's exemplars and masked probes query it;
 *   the nearest passages are scored by the sentence encoder with the semantic
 *   detector's own rule. What it would flag is residual leakage.
 *
 * Per concept, residual findings above `maxResidual` fail verification.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { contextGroups } from './runtime/batches.js';
import { DEFAULT_OUTPUT_SHAPE, type OutputShape } from '../corpora/document.js';
import { corpusDocuments, outputShapeOf } from '../corpora/corpus-reader.js';
import { UsageError } from '../corpora/errors.js';
import { digestFile } from '../corpora/hashing.js';
import { checkSeal, type Manifest } from '../corpora/manifest.js';
import { isRunScaffolding, MANIFEST_NAME } from '../corpora/writers/run-directory.js';
import { readRecords } from '../corpora/readers/records.js';
import { loadSemanticModels } from '../indexes/semantic-models.js';
import { DEFAULT_INDEX_PARAMETERS, VectorIndex, type IndexParameters } from '../indexes/vector-index.js';
import { DETECTOR_NAMES, DetectorChain, type DetectorName } from '../maskers/detectors/chain.js';
import { SemanticDetector } from '../maskers/detectors/semantic.js';
import { SCORE_BANDS } from '../maskers/detectors/passage.js';
import { loadPack } from '../maskers/pack/load.js';
import type { Pack } from '../maskers/pack/schema.js';
import { semanticMethod, tallySemantic, type ScoredPassage } from './semantic-verification.js';
import { IndexMerger, UnitIndexer } from './unit-index.js';
import type { StaticEmbedder } from '../indexes/embedders/static.js';
import { segment } from '../maskers/segment/segmenter.js';
import { checkLeak, DEFAULT_MAX_LEAK, verificationStatus, type LeakCheck, type VerificationStatus } from './leak-limit.js';
import { residualPassage, verdictLine, type CollateralReport, type RunSummaryForReport } from './leakage-report.js';
import { collateralFromManifest, identityFromManifest, type RunIdentity } from './report-html.js';
import { estimateLeakage, estimateUnavailable, heldOutRates, type LeakageEstimate } from './leakage-estimate.js';
import { unscreenedOutputChars } from '../maskers/language.js';
import { loadWaiver, waiverRecord, type Waiver } from './waiver.js';
import { drawSample, measureLabels, type LabelledMeasure, type SampleResult } from './labelled-sample.js';
import { checkRunInputsReadable } from '../corpora/run-inputs.js';
import { summariseProbes, type ProbeSummary } from './probe-summary.js';
import { readManifest } from './replay.js';

export interface ResidualPassage {
  id: string;
  start: number;
  end: number;
  detector: string;
  score: number;
  /** The passage with the span marked ⟦…⟧. */
  context: string;
  /** For semantic passages: whether the detector's rule flags it (a leak) or it is only the nearest. */
  leak: boolean;
  /** What a waiver names this passage by (see residualPassage). */
  hash: string;
}

export interface ConceptVerification {
  lexical: number;
  semantic: number;
  /** Residual findings a waiver cleared (reviewed false positives); not in the counts above. */
  waived: number;
  passed: boolean;
  passages: ResidualPassage[];
}

export interface IndexReport {
  units: number;
  dimensions: number;
  parameters: IndexParameters;
  /** Share of the exact top-10 neighbours the graph search returns (sampled queries). */
  recallAt10: number;
  /** Timings: in the manifest, not in the report files. */
  buildMs?: number;
  queryMs?: number;
  candidatesScored: number;
}

export interface VerificationReport {
  /** Set by `lacuna verify`: the pack the run used. */
  pack?: { id: string; version: string };
  /** Set by `lacuna verify` of a run: what the run's manifest says it did, for the report. */
  run?: RunSummaryForReport;
  /** Set by `lacuna verify`: the run's identity and collateral damage, for report.html. */
  identity?: RunIdentity;
  collateral?: CollateralReport;
  /** True exactly when status is 'passed'. */
  passed: boolean;
  /** PASSED, FAILED or INCONCLUSIVE (see leak-limit.ts), the verdict's first word. */
  status: VerificationStatus;
  maxResidual: number;
  /** The target text left against the run's --max-leak. */
  leak: LeakCheck;
  methods: string[];
  concepts: Record<string, ConceptVerification>;
  index: IndexReport | null;
  integrity?: { passed: boolean; problems: string[] };
  /** The detectors that re-checked the output. */
  detectors: string[];
  /** Target text left in the output, estimated from held-out rates (see leakage-estimate.ts). */
  estimate: LeakageEstimate | null;
  /** Why there is no estimate, when there is none. */
  estimateUnavailable?: string;
  waiver: ReturnType<typeof waiverRecord>;
  /** One sentence: the verdict, the methods behind it and their measured strength. */
  verdict: string;
  /** Leakage and collateral damage measured on a sample a person labelled. */
  labels?: LabelledMeasure;
  /** The probes verified against this run's corpus, when given. */
  probes?: ProbeSummary;
  /** The output's paragraphs (of passage size) by the classifier's score band: how close the kept text comes. */
  outputScores: { band: string; paragraphs: number }[] | null;
}

export interface VerifyCorpusOptions {
  pack: Pack;
  /** The concepts masked (a closure); all of the pack's when absent. */
  concepts?: string[];
  detectors: readonly DetectorName[];
  maxResidual: number;
  /** Largest share of the output that may be target text (leak-limit.ts). */
  maxLeak: number;
  cacheDir: string;
  model?: string;
  /** Lexical residuals already measured (mask measures them per document); run them here when absent. */
  lexicalResiduals?: Record<string, number>;
  /** The field whose records are detected together (`--context-field`): the run's, so the output is re-detected as it was detected. */
  contextField?: string;
  /** Of those, the ones a waiver cleared. */
  lexicalWaived?: Record<string, number>;
  /** The output's paragraphs by passage score band, when mask measured them per document. */
  outputBands?: number[];
  neighbours?: number;
  passagesPerConcept?: number;
  index?: IndexParameters;
  /** Reviewed false positives to clear from the verdict. */
  waiver?: Waiver;
  /** Where the stored records keep their id and text. */
  shape?: OutputShape;
  /**
   * The semantic verification already done unit by unit (mask: see unit-index.ts): the scored
   * passages the merged per-query nearest neighbours hold, and the index's report.
   */
  unitIndex?: { scored: ScoredPassage[]; report: IndexReport; encoder: string };
  /** Characters the masking read and removed, for the estimate of target text left. */
  removal?: {
    inputChars: number;
    singleParagraphChars?: number;
    shortDocumentChars?: number;
    removedChars: number;
    islandChars?: { small: number; large: number };
    /** Characters of the output in documents plainly not in the pack's language (unscreenedOutputChars). */
    unscreenedChars?: number;
    masked: boolean;
    detectors: readonly string[];
    byConcept?: Record<string, number>;
  };
}


/** An HNSW index over every sentence of a corpus, embedded by the static screen embedder. */
export async function sentenceIndex(shards: string[], shape: OutputShape, screen: StaticEmbedder, parameters: IndexParameters = DEFAULT_INDEX_PARAMETERS): Promise<VectorIndex> {
  const index = VectorIndex.create(screen.dimensions, parameters);
  for await (const doc of corpusDocuments(shards, shape)) {
    for (const sentence of segment(doc.text).sentences) index.add(screen.vector(doc.text.slice(sentence.start, sentence.end)), { id: doc.id, start: sentence.start, end: sentence.end });
  }
  return index;
}

export async function verifyCorpus(shards: string[], options: VerifyCorpusOptions): Promise<VerificationReport> {
  const { pack } = options;
  const chosen = options.concepts ? new Set(options.concepts) : undefined;
  const concepts: Record<string, ConceptVerification> = Object.fromEntries(
    pack.concepts.filter((concept) => !chosen || chosen.has(concept.id)).map((concept) => [concept.id, { lexical: 0, semantic: 0, waived: 0, passed: true, passages: [] as ResidualPassage[] }]),
  );
  const perConcept = options.passagesPerConcept ?? 10;
  const together = options.contextField ? `, records one after another with the same ${options.contextField} together` : '';
  const methods = [`re-detection on the masked output by ${options.detectors.filter((name) => name !== 'semantic').join(', ') || 'no detector'}${together}`];
  const lexicalNames = options.detectors.filter((name) => name !== 'semantic');
  const semanticOn = options.detectors.includes('semantic') && pack.concepts.some((concept) => concept.exemplars.length > 0);
  const lexical = options.lexicalResiduals ? undefined : DetectorChain.forPack(pack, lexicalNames, chosen);
  if (options.lexicalResiduals) for (const [concept, count] of Object.entries(options.lexicalResiduals)) if (concepts[concept]) concepts[concept].lexical = count;
  if (options.lexicalWaived) for (const [concept, count] of Object.entries(options.lexicalWaived)) if (concepts[concept]) concepts[concept].waived = count;
  const waived = (passage: ResidualPassage) => options.waiver?.reasons.has(passage.hash) === true;

  const models = semanticOn && !options.unitIndex ? await loadSemanticModels(options.cacheDir, options.model) : undefined;
  const parameters = options.index ?? DEFAULT_INDEX_PARAMETERS;
  const semantic = models ? await SemanticDetector.create(pack, models, chosen) : undefined;
  // One index per shard, never one over the whole output: the merge of the shards' nearest
  // passages per query is exact, and memory stays that of a shard (see unit-index.ts).
  const merger = models ? new IndexMerger() : undefined;
  let bands = options.outputBands ? [...options.outputBands] : undefined;
  // Mask measures lexical residuals per document as it writes; without an index there is then nothing to read.
  const mustRead = lexical !== undefined || models !== undefined;
  const shape = options.shape ?? DEFAULT_OUTPUT_SHAPE;
  for (const [at, shard] of mustRead ? shards.entries() : []) {
    const indexer = models ? new UnitIndexer(models.screen, parameters) : undefined;
    // Records of one context run (--context-field) are re-detected together, as the run detected them.
    for await (const run of contextGroups(corpusDocuments([shard], shape, options.contextField))) {
      for (const doc of run) indexer?.add(doc.id, doc.text);
      if (!lexical) continue;
      const rechecks = await lexical.detectTogether(run.map((doc) => doc.text));
      for (const [slot, rechecked] of rechecks.entries()) {
        const doc = run[slot];
        if (rechecked.scoreBands) {
          bands ??= new Array<number>(SCORE_BANDS.length).fill(0);
          rechecked.scoreBands.forEach((count, band) => (bands![band] += count));
        }
        for (const finding of rechecked.findings) {
          const concept = concepts[finding.concept];
          const passage = residualPassage(doc.id, doc.text, finding.start, finding.end, finding.detector, finding.score, true);
          if (waived(passage)) {
            concept.waived++;
            continue;
          }
          concept.lexical++;
          if (concept.passages.length < perConcept) concept.passages.push(passage);
        }
      }
    }
    if (indexer && merger) merger.absorb(at, await indexer.finish(undefined, [shard], shape, pack, chosen, semantic!));
  }

  let indexReport: IndexReport | null = null;
  const semanticResult = options.unitIndex ?? (merger && models ? { ...merger.result(parameters), encoder: models.encoder.modelId } : undefined);
  if (semanticOn && semanticResult) {
    methods.push(semanticMethod(semanticResult.encoder));
    tallySemantic(semanticResult.scored, concepts, waived, perConcept);
    indexReport = semanticResult.report;
  }
  for (const concept of Object.values(concepts)) concept.passed = concept.lexical + concept.semantic <= options.maxResidual;
  const report: VerificationReport = { passed: false, status: 'inconclusive', leak: checkLeak({ estimate: null }, options.maxLeak), maxResidual: options.maxResidual, methods, concepts, index: indexReport, detectors: [...options.detectors], estimate: null, outputScores: bands ? SCORE_BANDS.map((band, at) => ({ band, paragraphs: bands![at] })) : null, waiver: waiverRecord(options.waiver, Object.values(concepts).reduce((sum, concept) => sum + concept.waived, 0)), verdict: '' };
  const removal = options.removal;
  const rates = heldOutRates(pack);
  const unavailable = removal ? estimateUnavailable(rates, removal.detectors) : 'the characters masking removed are not known';
  if (unavailable) report.estimateUnavailable = unavailable;
  else report.estimate = estimateLeakage(removal!.inputChars, removal!.removedChars, rates!, { masked: removal!.masked, removedByConcept: removal!.byConcept, singleParagraphChars: removal!.singleParagraphChars, shortDocumentChars: removal!.shortDocumentChars, islandChars: removal!.islandChars, unscreenedChars: removal!.unscreenedChars });
  settleVerdict(report, options.maxLeak);
  return report;
}

/**
 * Decides the report's status against `maxLeak` and writes its verdict; call it again whenever
 * what the verdict reads changes (integrity checked, labels measured).
 */
export function settleVerdict(report: VerificationReport, maxLeak: number): void {
  report.leak = checkLeak(report, maxLeak);
  report.status = verificationStatus(report, report.leak);
  report.passed = report.status === 'passed';
  report.verdict = verdictLine(report);
}

/** The report without its timings (which vary from run to run), for files that must be reproducible. */
export function withoutTimings(report: VerificationReport): VerificationReport {
  if (!report.index) return report;
  const { buildMs: _build, queryMs: _query, ...index } = report.index;
  return { ...report, index: index as IndexReport };
}

/** Files under the run directory, relative and with forward slashes, not following links; run scaffolding left out. */
async function filesUnder(runDir: string, prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(join(runDir, prefix), { withFileTypes: true })) {
    if (!prefix && isRunScaffolding(entry.name)) continue;
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) found.push(...(await filesUnder(runDir, path)));
    else found.push(path);
  }
  return found;
}

/**
 * Checks that the run directory is what its manifest says: the manifest's seal, every output's
 * sha256, size and kind (a regular file, not a link), no file the manifest does not list (a
 * shard added afterwards would be read by anyone loading corpus/), and the counts.
 * Returns the problems and the outputs found intact.
 */
export async function checkIntegrity(runDir: string, manifest: Manifest): Promise<{ problems: string[]; intact: Set<string> }> {
  const problems: string[] = [];
  const intact = new Set<string>();
  const seal = checkSeal(manifest);
  if (seal === 'missing') problems.push(`${MANIFEST_NAME}: has no seal, so changes to it cannot be detected`);
  if (seal === 'broken') problems.push(`${MANIFEST_NAME}: changed after the run wrote it (its seal does not match its content)`);
  const listed = new Set(manifest.outputs.map((output) => output.path));
  for (const path of await filesUnder(runDir)) {
    if (path !== MANIFEST_NAME && !listed.has(path)) problems.push(`${path}: not listed in the manifest (not written by this run)`);
  }
  for (const output of manifest.outputs) {
    const path = join(runDir, output.path);
    const kind = await lstat(path).catch(() => undefined);
    if (kind && !kind.isFile()) {
      problems.push(`${output.path}: not a regular file (a link or a directory)`);
      continue;
    }
    const digest = kind ? await digestFile(path).catch(() => undefined) : undefined;
    if (!digest) problems.push(`${output.path}: missing`);
    else if (digest.sha256 !== output.sha256) problems.push(`${output.path}: sha256 differs from the manifest (altered after the run)`);
    else if (digest.bytes !== output.bytes) problems.push(`${output.path}: size differs from the manifest`);
    else intact.add(output.path);
  }
  const { counts } = manifest;
  if (counts.input !== counts.kept + counts.edited + counts.dropped + counts.rejected) problems.push(`counts do not balance: ${JSON.stringify(counts)}`);
  const corpusRecords = manifest.outputs.filter((output) => output.path.startsWith('corpus/')).reduce((sum, output) => sum + (output.records ?? 0), 0);
  if (corpusRecords !== counts.kept + counts.edited) problems.push(`corpus holds ${corpusRecords} records, the counts say ${counts.kept + counts.edited}`);
  const rejects = manifest.outputs.find((output) => output.path === 'rejects.jsonl');
  if (rejects && rejects.records !== counts.rejected) problems.push(`rejects.jsonl holds ${rejects.records} records, the counts say ${counts.rejected}`);
  return { problems, intact };
}

/** Why a changed shard cannot be read as records, or '' when it can. */
async function readsToTheEnd(path: string): Promise<string> {
  try {
    for await (const _record of readRecords(path));
    return '';
  } catch (error) {
    return error instanceof UsageError ? error.message.replace(`${path}: `, '') : (error as Error).message;
  }
}

export interface VerifyOptions {
  runDir: string;
  /** Reviewed false positives to clear from the verdict. */
  waiver?: string;
  /** A labelled sample (from --sample) to measure leakage and collateral damage with. */
  labels?: string;
  /** A `lacuna probes build --corpus RUN` directory whose verification the report shows. */
  probes?: string;
  cacheDir: string;
  maxResidual?: number;
  /** Largest share of the output that may be target text (default: the run's, else DEFAULT_MAX_LEAK). */
  maxLeak?: number;
  detectors?: DetectorName[];
  index?: IndexParameters;
}

/** A stratified sample of a mask run's passages for a person to label (see labelled-sample.ts). */
export async function runSample(runDir: string, perStratum: number, seed: number): Promise<{ tsv: string; strata: SampleResult['strata'] }> {
  const manifest = await readManifest(runDir);
  if (manifest.command !== 'mask') throw new UsageError(`'${runDir}' holds a ${manifest.command} run, not a mask run`);
  await checkRunInputsReadable(manifest);
  const loaded = await loadPack(manifest.pack.source);
  return drawSample(runDir, manifest, loaded.pack, perStratum, seed);
}

export async function runVerify(options: VerifyOptions): Promise<VerificationReport> {
  const manifest = await readManifest(options.runDir);
  if (manifest.command !== 'mask') throw new UsageError(`'${options.runDir}' holds a ${manifest.command} run, not a mask run`);
  const { problems, intact } = await checkIntegrity(options.runDir, manifest);
  const loaded = await loadPack(manifest.pack.source, options.cacheDir);
  if (loaded.sha256 !== manifest.pack.sha256) problems.push(`pack ${manifest.pack.source} differs from the one the run used (sha256)`);
  else if (loaded.pack.version !== manifest.pack.version || loaded.pack.id !== manifest.pack.id) problems.push(`the manifest names pack ${manifest.pack.id} ${manifest.pack.version}, but the pack with its sha256 is ${loaded.pack.id} ${loaded.pack.version}`);
  const config = manifest.config as { detectors?: DetectorName[]; maxResidual?: number; maxLeak?: number; model?: string; index?: IndexParameters; concepts?: string[] | null; reading?: { contextField?: string } };
  // Leakage is measured on every shard that can be read, altered ones included (what they hold
  // now is what a reader of the corpus gets); one that cannot be read is an integrity failure.
  const shards: string[] = [];
  for (const output of manifest.outputs.filter((item) => item.path.startsWith('corpus/'))) {
    const path = join(options.runDir, output.path);
    if (!intact.has(output.path)) {
      // Missing or not a regular file: already a problem, and nothing to read.
      if (!(await lstat(path).catch(() => undefined))?.isFile()) continue;
      const unreadable = await readsToTheEnd(path);
      if (unreadable) {
        problems.push(`${output.path}: cannot be read (${unreadable})`);
        continue;
      }
    }
    shards.push(path);
  }
  const detectors = options.detectors ?? config.detectors ?? [...DETECTOR_NAMES];
  // Runs made before --max-leak existed carry none: they are held to the default.
  const maxLeak = options.maxLeak ?? config.maxLeak ?? DEFAULT_MAX_LEAK;
  const report = await verifyCorpus(shards, {
    pack: loaded.pack,
    detectors,
    waiver: options.waiver ? await loadWaiver(options.waiver) : undefined,
    shape: outputShapeOf(manifest),
    // The estimate rests on what the run removed, with the detectors the run masked with.
    removal: manifest.collateral ? { inputChars: manifest.collateral.inputChars, singleParagraphChars: manifest.collateral.singleParagraphChars, shortDocumentChars: manifest.collateral.shortDocumentChars, removedChars: manifest.collateral.removedChars, islandChars: manifest.collateral.islandChars, unscreenedChars: unscreenedOutputChars(manifest.languages?.other), masked: true, detectors: config.detectors ?? [], byConcept: manifest.removedCharsByConcept } : undefined,
    maxResidual: options.maxResidual ?? config.maxResidual ?? 0,
    maxLeak,
    cacheDir: options.cacheDir,
    model: config.model,
    index: options.index ?? config.index,
    concepts: config.concepts ?? undefined,
    ...(config.reading?.contextField ? { contextField: config.reading.contextField } : {}),
  });
  report.integrity = { passed: problems.length === 0, problems };
  report.pack = { id: loaded.pack.id, version: loaded.pack.version };
  report.run = { pack: report.pack, counts: manifest.counts, findingsByConcept: manifest.findings?.byConcept ?? {}, removedCharsByConcept: manifest.removedCharsByConcept, suppressed: manifest.findings?.suppressed ?? 0, ...(manifest.context ? { context: manifest.context } : {}) };
  report.identity = identityFromManifest(manifest, 'verify', report.waiver);
  report.collateral = collateralFromManifest(manifest);
  if (options.labels) report.labels = await measureLabels(options.labels);
  if (options.probes) report.probes = await summariseProbes(options.probes, options.runDir);
  settleVerdict(report, maxLeak);
  return report;
}
