/**
 * The per-document work of `lacuna mask`: segment → detect → decide → edit →
 * re-detect on the output. A pure function of the text and the configuration,
 * run in worker threads (or inline with --workers 0); the same document gives
 * the same outcome whatever batch or worker it lands in.
 */
import { performance } from 'node:perf_hooks';
import { addSemanticStats, DetectorChain, type DetectorName } from '../maskers/detectors/chain.js';
import { emptySemanticStats, SemanticDetector, type SemanticStats } from '../maskers/detectors/semantic.js';
import { loadSemanticModels, type LoadedModels } from '../indexes/semantic-models.js';
import { applyEdits } from '../maskers/edits.js';
import type { SpanFinding } from '../maskers/findings.js';
import type { Pack } from '../maskers/pack/schema.js';
import { ExcisionPolicy, type Decision, type Policy, type PolicyOptions } from '../maskers/policy.js';
import { segment } from '../maskers/segment/segmenter.js';
import { otherLanguage } from '../maskers/language.js';
import { CollateralScanner, type CollateralHit } from '../maskers/collateral.js';
import { contextRuns, detectRuns, type BatchTask, type TaskDocument } from './runtime/batches.js';

export interface MaskTaskConfig {
  pack: Pack;
  /** Concept ids to mask; all of the pack's when absent. */
  concepts?: string[];
  detectors: DetectorName[];
  policy: PolicyOptions;
  /** Where distilled embedders and cached embeddings live. */
  cacheDir: string;
  /** The semantic detector's encoder: use-lite, hf:<repo> or a directory. */
  model: string;
}


export interface DocumentOutcome {
  decision: Decision;
  findings: SpanFinding[];
  suppressed: number;
  /** The masked text, only when the document was edited (kept text is the input; dropped has none). */
  text?: string;
  /** Findings still present in the masked text: the lexical leakage of this document. */
  residual: SpanFinding[];
  /** Keep contexts and control words inside what was removed: the legitimate knowledge destroyed. */
  collateral: CollateralHit[];
  /** The output's paragraphs by passage score band (none for a dropped document or without the classifier). */
  outputBands?: number[];
  /** The input's paragraphs by passage score band, as detection measured them (stored for `lacuna apply`). */
  detectedBands?: number[];
  /** ISO 639-3 code of the document's language when it is plainly not the pack's (see maskers/language.ts). */
  language?: string;
}

/**
 * What detection measured of one document, as a run stores it (findings.jsonl.gz and
 * detections.jsonl.gz): enough to decide again under another policy without detecting again.
 */
export interface StoredDetection {
  findings: SpanFinding[];
  suppressed: number;
  scoreBands?: number[];
}

export const TASK_STAGES = ['segment', 'detect', 'decide', 'edit', 'verify'] as const;
export type TaskStage = (typeof TASK_STAGES)[number];
export type StageTimings = Record<TaskStage, number>;

export function emptyTimings(): StageTimings {
  return { segment: 0, detect: 0, decide: 0, edit: 0, verify: 0 };
}

export interface BatchOutcome {
  outcomes: DocumentOutcome[];
  /** Milliseconds spent in each stage over the batch. */
  timings: StageTimings;
  semantic: SemanticStats;
}

export class MaskTask implements BatchTask<BatchOutcome> {
  private constructor(
    private readonly config: MaskTaskConfig,
    private readonly detector: DetectorChain,
    /** Re-detects on the masked text: every detector but the semantic one, whose check is the index (verify). */
    private readonly verifier: DetectorChain,
    private readonly collateral: CollateralScanner,
    /** What acts on the findings (the detectors only measure). */
    private readonly policy: Policy,
    /** The semantic detector's models, when it runs: the unit's index verification uses them too. */
    readonly models?: LoadedModels,
  ) {}

  private semantic: Promise<SemanticDetector> | undefined;

  /** The semantic detector on its own, for scoring the passages the unit's index finds. */
  semanticVerifier(): Promise<SemanticDetector> {
    if (!this.models) throw new Error('internal error: the semantic verifier needs the semantic detector\'s models');
    this.semantic ??= SemanticDetector.create(this.config.pack, this.models, this.config.concepts ? new Set(this.config.concepts) : undefined);
    return this.semantic;
  }

  static async create(config: MaskTaskConfig): Promise<MaskTask> {
    const concepts = config.concepts ? new Set(config.concepts) : undefined;
    const models = config.detectors.includes('semantic') ? await loadSemanticModels(config.cacheDir, config.model) : undefined;
    const detector = await DetectorChain.create(config.pack, { detectors: config.detectors, concepts, models });
    const verifier = DetectorChain.forPack(config.pack, config.detectors.filter((name) => name !== 'semantic'), concepts);
    return new MaskTask(config, detector, verifier, new CollateralScanner(config.pack), new ExcisionPolicy(config.policy), models);
  }

  /** What the detectors find in each document, each context run (contextRuns) detected together. */
  private async detect(documents: readonly TaskDocument[], runs: [number, number][], semantic: SemanticStats): Promise<StoredDetection[]> {
    return (await detectRuns(documents, (texts) => this.detector.detectTogether(texts), runs)).map((detected) => {
      addSemanticStats(semantic, detected.semantic);
      return { findings: detected.findings, suppressed: detected.suppressed.length, ...(detected.scoreBands ? { scoreBands: detected.scoreBands } : {}) };
    });
  }

  /** `stored`, when given, holds each document's detection from an earlier run: the detectors do not run. */
  async run(documents: TaskDocument[], stored?: StoredDetection[]): Promise<BatchOutcome> {
    const timings = emptyTimings();
    const semantic = emptySemanticStats();
    let clock = performance.now();
    const lap = (stage: TaskStage) => {
      const now = performance.now();
      timings[stage] += now - clock;
      clock = now;
    };
    const outcomes: DocumentOutcome[] = [];
    // The pack reads one language: a document plainly in another is noted, so the run can say so.
    const languages = documents.map((document) => otherLanguage(document.text, this.config.pack.language));
    const runs = contextRuns(documents);
    const detections = stored ?? (await this.detect(documents, runs, semantic));
    lap('detect');
    for (const [start, end] of runs) {
      const run: DocumentOutcome[] = [];
      // What each document of the run gives the corpus (none when dropped), and whether any must be checked again.
      const outputs: (string | undefined)[] = [];
      let recheck = false;
      // Records of one work are decided as the one text they form, as they were detected.
      const runDetections = detections.slice(start, end);
      const together = end - start > 1 && runDetections.some((detected) => detected.findings.length > 0);
      const decisions = together
        ? this.policy.decideTogether(
            documents.slice(start, end).map((document) => document.text),
            runDetections.map((detected) => detected.findings),
          )
        : undefined;
      if (together) lap('decide');
      for (let at = start; at < end; at++) {
        const document = documents[at];
        const detected = detections[at];
        const suppressed = detected.suppressed;
        // Detection ran first: most documents have no finding and need no segmentation at all.
        if (!together && detected.findings.length === 0) {
          run.push({ decision: { action: 'keep', edits: [], sentences: null, flaggedSentences: 0 }, findings: [], suppressed, residual: [], collateral: [], outputBands: detected.scoreBands, detectedBands: detected.scoreBands });
          outputs.push(document.text);
          continue;
        }
        recheck = true;
        let decision: Decision;
        if (decisions) decision = decisions[at - start];
        else {
          const segmentation = segment(document.text);
          lap('segment');
          decision = this.policy.decide(document.text, segmentation, detected.findings);
          lap('decide');
        }
        // Every branch ends with a lap, so no document's checks are timed as the next one's detection.
        if (decision.action === 'drop') {
          const collateral = this.collateral.scan(document.text, decision.edits, detected.findings);
          lap('verify');
          run.push({ decision, findings: detected.findings, suppressed, residual: [], collateral, detectedBands: detected.scoreBands });
          outputs.push(undefined);
          continue;
        }
        // Findings that no unit covered (or that the policy's --min-score passed over) stay in the text.
        if (decision.action === 'keep') {
          run.push({ decision, findings: detected.findings, suppressed, residual: [], collateral: [], detectedBands: detected.scoreBands });
          outputs.push(document.text);
          continue;
        }
        const text = applyEdits(document.text, decision.edits);
        lap('edit');
        const collateral = this.collateral.scan(document.text, decision.edits, detected.findings);
        lap('verify');
        run.push({ decision, findings: detected.findings, suppressed, text, residual: [], collateral, detectedBands: detected.scoreBands });
        outputs.push(text);
      }
      // The output is checked as the input was detected: a run's surviving documents together.
      if (recheck) {
        const surviving = outputs.flatMap((text, index) => (text === undefined ? [] : [index]));
        const rechecked = surviving.length === 0 ? [] : await this.verifier.detectTogether(surviving.map((index) => outputs[index]!));
        surviving.forEach((index, at) => {
          run[index].residual = rechecked[at].findings;
          run[index].outputBands = rechecked[at].scoreBands;
        });
        lap('verify');
      }
      for (const [offset, outcome] of run.entries()) {
        const language = languages[start + offset];
        outcomes.push(language ? { ...outcome, language } : outcome);
      }
    }
    return { outcomes, timings, semantic };
  }
}
