/**
 * `lacuna mask`: read → detect → decide → edit → write, with verification of
 * the output and full provenance (DESIGN.md, "The mask contract").
 *
 * The main thread reads, batches and writes, in input order; the per-document
 * work runs in a worker pool (see mask-task.ts). Every input record ends up
 * counted exactly once as kept, edited, dropped or rejected.
 */
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { withText, type OutputShape, type Reject } from '../corpora/document.js';
import { UsageError } from '../corpora/errors.js';
import { InputReader, type InputOptions } from '../corpora/input-reader.js';
import { countsBalance, type Counts, type Manifest, type StageStats } from '../corpora/manifest.js';
import { TOOL_NAME, TOOL_VERSION } from '../corpora/package-info.js';
import { resolveInputs, type FormatChoice } from '../corpora/sources.js';
import { JsonlWriter } from '../corpora/writers/jsonl-writer.js';
import { ShardedWriter, type CorpusFormat } from '../corpora/writers/sharded-writer.js';
import { RunDirectory } from '../corpora/writers/run-directory.js';
import type { Edit } from '../maskers/edits.js';
import type { Finding } from '../maskers/findings.js';
import { loadPack } from '../maskers/pack/load.js';
import { conceptClosure } from '../maskers/pack/closure.js';
import type { PolicyOptions } from '../maskers/policy.js';
import type { DetectorName } from '../maskers/detectors/chain.js';
import { CollateralCollector, LexicalResiduals, leakageMarkdown } from './leakage-report.js';
import { verifyCorpus, withoutTimings, type VerificationReport } from './verify.js';
import { loadWaiver } from './waiver.js';
import { ReportCollector } from './report-data.js';
import { AttributesWriter } from './attributes.js';
import { SCORE_BANDS } from '../maskers/detectors/passage.js';
import { renderReportHtml } from './report-html.js';
import { INDEX_FILES, type IndexParameters } from '../indexes/vector-index.js';
import { emptyTimings, MaskTask, TASK_STAGES, type BatchOutcome, type MaskTaskConfig } from './mask-task.js';
import { addSemanticStats } from '../maskers/detectors/chain.js';
import { emptySemanticStats } from '../maskers/detectors/semantic.js';
import { encoderId, ensureDistilled } from '../indexes/semantic-models.js';
import { silentProgress, type ProgressSink } from './runtime/progress.js';
import { BatchRunner, batches, timed } from './runtime/batches.js';

export interface MaskOptions {
  inputs: string[];
  pack: string;
  out: string;
  format: FormatChoice;
  /** How records become documents; recorded in the manifest so replay reads the inputs the same way. */
  reading: InputOptions;
  policy: PolicyOptions;
  detectors: DetectorName[];
  /** Worker threads; 0 runs the work on the main thread. */
  workers: number;
  shardBytes: number;
  /** gzip level (1–9) of the corpus, edit and finding files. */
  gzipLevel: number;
  overwrite: boolean;
  strict: boolean;
  /** A concept fails verification when more residual findings than this remain. */
  maxResidual: number;
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
}

export interface MaskResult {
  outDir: string;
  manifest: Manifest;
  verification: VerificationReport;
  /** Paths of the main outputs, for the CLI to print. */
  files: { corpus: string; edits: string; findings: string; rejects: string; manifest: string; report: string; reportMarkdown: string; reportHtml: string };
}

function describeOrigin(reject: Reject): string {
  if (reject.line !== undefined) return `${reject.file} line ${reject.line}`;
  if (reject.record !== undefined) return `${reject.file} record ${reject.record}`;
  return reject.file;
}

export async function runMask(options: MaskOptions, progress: ProgressSink = silentProgress): Promise<MaskResult> {
  const startedAt = new Date();
  const clock = performance.now();
  const { files, skipped } = await resolveInputs(options.inputs, options.format);
  const loaded = await loadPack(options.pack);
  const waiver = options.waiver ? await loadWaiver(options.waiver) : undefined;
  for (const warning of loaded.warnings) options.onWarning?.(`pack ${loaded.pack.id}: ${warning}`);
  const run = await RunDirectory.prepare(options.out, options.overwrite, options.inputs);

  const concepts = options.concepts ? conceptClosure(loaded.pack, options.concepts) : undefined;
  const taskConfig: MaskTaskConfig = { pack: loaded.pack, policy: options.policy, detectors: options.detectors, cacheDir: options.cacheDir, model: options.model, concepts };
  const semanticOn = options.detectors.includes('semantic');
  // Load problems (an unreachable hub model) surface here, as one line, before any worker starts.
  const embeddingModel = semanticOn ? await encoderId(options.model, options.cacheDir) : null;
  if (semanticOn) await ensureDistilled(options.cacheDir);
  const runner = new BatchRunner<MaskTaskConfig, BatchOutcome>({ kind: 'mask', config: taskConfig }, options.workers, () => MaskTask.create(taskConfig));
  const semantic = emptySemanticStats();

  const reader = new InputReader(files, options.reading);
  const corpus = new ShardedWriter(await run.stagedDir('corpus'), options.shardBytes, options.gzipLevel, options.outputFormat ?? 'jsonl.gz');
  const editsWriter = new JsonlWriter(await run.staged('edits.jsonl.gz'), { level: options.gzipLevel });
  const findingsWriter = new JsonlWriter(await run.staged('findings.jsonl.gz'), { level: options.gzipLevel });
  const rejectsWriter = new JsonlWriter(await run.staged('rejects.jsonl'), { gzip: false });
  const attributes = options.emitAttributes ? new AttributesWriter(run, options.emitAttributes, loaded.pack.id, options.gzipLevel) : undefined;

  const counts: Counts = { input: 0, kept: 0, edited: 0, dropped: 0, rejected: 0 };
  const findingsByConcept: Record<string, number> = Object.fromEntries(loaded.pack.concepts.map((concept) => [concept.id, 0]));
  const removedCharsByConcept: Record<string, number> = Object.fromEntries(loaded.pack.concepts.map((concept) => [concept.id, 0]));
  let suppressed = 0;
  const residuals = new LexicalResiduals(loaded.pack.concepts.map((concept) => concept.id), waiver);
  const collateral = new CollateralCollector();
  const reportData = new ReportCollector();
  const shape: OutputShape = { nestMeta: options.nestMeta ?? false, textField: options.reading.textField, idField: options.reading.idField, format: options.outputFormat ?? 'jsonl.gz' };
  const outputBands = new Array<number>(SCORE_BANDS.length).fill(0);
  let bandsMeasured = false;
  const workTimings = emptyTimings();
  let writeMs = 0;
  const readStats: StageStats = { items: 0, ms: 0 };

  const snapshot = (documents: number) => ({ documents, bytesRead: reader.bytesRead, totalBytes: reader.totalBytes, elapsedMs: performance.now() - clock });
  try {
    for await (const done of runner.run(batches(timed(reader.events(), readStats)))) {
      const writeStart = performance.now();
      const { batch, result } = done;
      for (const stage of TASK_STAGES) workTimings[stage] += result.timings[stage];
      addSemanticStats(semantic, result.semantic);
      for (const item of batch.items) {
        const seq = counts.input++;
        if (item.event.kind === 'reject') {
          const reject = item.event.reject;
          if (options.strict) throw new UsageError(`${describeOrigin(reject)}: ${reject.reason} (--strict stops at the first rejected record)`);
          counts.rejected++;
          reportData.reject(reject.file);
          await attributes?.reject(reject.file, reject.id);
          await rejectsWriter.write(reject);
          continue;
        }
        const doc = item.event.doc;
        const outcome = result.outcomes[item.slot];
        suppressed += outcome.suppressed;
        for (const finding of outcome.findings) {
          findingsByConcept[finding.concept]++;
          const record: Finding = { id: doc.id, seq, ...finding };
          await findingsWriter.write(record);
        }
        let removed = 0;
        for (const edit of outcome.decision.edits) {
          removed += edit.end - edit.start;
          removedCharsByConcept[edit.concept] += edit.end - edit.start;
          const record: Edit = { id: doc.id, seq, ...edit };
          await editsWriter.write(record);
        }
        collateral.add(doc.id, doc.text, removed, outcome.collateral);
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
          await corpus.write(withText(doc, outcome.text!, shape));
        } else {
          counts.kept++;
          residuals.add(doc.id, doc.text, outcome.residual);
          await corpus.write(withText(doc, doc.text, shape));
        }
      }
      progress.update(snapshot(counts.input));
      writeMs += performance.now() - writeStart;
    }
    progress.finish(snapshot(counts.input));

    const writeClose = performance.now();
    const shards = await corpus.close();
    const written = [...shards, await editsWriter.close(), await findingsWriter.close(), await rejectsWriter.close(), ...((await attributes?.close()) ?? [])];
    writeMs += performance.now() - writeClose;
    if (!countsBalance(counts)) throw new Error(`internal error: counts do not balance: ${JSON.stringify(counts)}`);

    const verifyStart = performance.now();
    const damage = collateral.report();
    const verification = await verifyCorpus(shards.map((shard) => shard.path), {
      pack: loaded.pack,
      concepts,
      detectors: options.detectors,
      maxResidual: options.maxResidual,
      cacheDir: options.cacheDir,
      model: options.model,
      index: options.index,
      lexicalResiduals: residuals.counts,
      lexicalWaived: residuals.waived,
      shape,
      outputBands: bandsMeasured ? outputBands : undefined,
      waiver,
      removal: { inputChars: damage.inputChars, removedChars: damage.removedChars, masked: true, detectors: options.detectors, byConcept: removedCharsByConcept },
      indexDir: semanticOn ? await run.stagedDir('index') : undefined,
    });
    for (const [id, concept] of Object.entries(verification.concepts)) concept.passages.unshift(...(residuals.passages[id] ?? []));
    const verifyMs = performance.now() - verifyStart;
    if (semanticOn) {
      for (const name of Object.values(INDEX_FILES)) written.push(await run.describeStaged(`index/${name}`));
    }
    const summary = { pack: { id: loaded.pack.id, version: loaded.pack.version }, counts, findingsByConcept, removedCharsByConcept, suppressed };
    // Timings live only in the manifest: the report must be the same bytes on every rerun.
    const reported = withoutTimings(verification);
    const reportJson = JSON.stringify({ tool: { name: TOOL_NAME, version: TOOL_VERSION }, ...summary, verification: reported, collateral: damage }, null, 2) + '\n';
    const html = renderReportHtml({
      identity: {
        command: 'mask',
        tool: `${TOOL_NAME} ${TOOL_VERSION}`,
        inputs: reader.stats.map((input) => ({ label: input.label, sha256: input.sha256, bytes: input.bytes })),
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
      indexAndVerify: { items: verification.index?.units ?? 0, ms: round(verifyMs) },
    };
    const finishedAt = new Date();
    const manifest: Manifest = {
      tool: { name: TOOL_NAME, version: TOOL_VERSION, node: process.version },
      command: 'mask',
      inputs: reader.stats.map((input) => ({ ...input, resolved: input.path === '-' ? '-' : resolve(input.path) })),
      skippedInputs: skipped,
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
        strict: options.strict,
        emitAttributes: options.emitAttributes ?? null,
        output: shape,
        detectors: options.detectors,
      },
      outputs,
      counts,
      removedCharsByConcept,
      findings: { total: Object.values(findingsByConcept).reduce((a, b) => a + b, 0), suppressed, byConcept: findingsByConcept },
      verification: {
        verdict: verification.verdict,
        passed: verification.passed,
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
      collateral: { removedChars: damage.removedChars, inputChars: damage.inputChars, removedShare: damage.removedShare, destroyed: Object.fromEntries(Object.entries(damage.destroyed).map(([what, entry]) => [what, entry.count])) },
      semantic: semanticOn ? { ...semantic, fractionEmbedded: semantic.sentences > 0 ? Math.round((semantic.sentencesEmbedded / semantic.sentences) * 10000) / 10000 : 0 } : null,
      timings: { startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(), wallMs: round(performance.now() - clock), peakRssBytes: process.resourceUsage().maxRSS * 1024, workers: runner.workers },
    };
    await run.commit(outputs.map((output) => output.path), manifest);
    const at = (path: string) => `${options.out.replace(/\/+$/, '')}/${path}`;
    return {
      outDir: options.out,
      manifest,
      verification,
      files: { corpus: at('corpus/'), edits: at('edits.jsonl.gz'), findings: at('findings.jsonl.gz'), rejects: at('rejects.jsonl'), manifest: at('manifest.json'), report: at('report.json'), reportMarkdown: at('report.md'), reportHtml: at('report.html') },
    };
  } catch (error) {
    await run.abort();
    throw error;
  } finally {
    await runner.close();
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
