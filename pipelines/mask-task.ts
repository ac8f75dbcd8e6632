/**
 * The per-document work of `lacuna mask`: segment → detect → decide → edit →
 * re-detect on the output. A pure function of the text and the configuration,
 * run in worker threads (or inline with --workers 0); the same document gives
 * the same outcome whatever batch or worker it lands in.
 */
import { performance } from 'node:perf_hooks';
import { DetectorChain, type DetectorName } from '../maskers/detectors/chain.js';
import { applyEdits } from '../maskers/edits.js';
import type { SpanFinding } from '../maskers/findings.js';
import type { Pack } from '../maskers/pack/schema.js';
import { decide, type Decision, type PolicyOptions } from '../maskers/policy.js';
import { segment } from '../maskers/segment/segmenter.js';
import type { BatchTask, TaskDocument } from './runtime/batches.js';

export interface MaskTaskConfig {
  pack: Pack;
  /** Concept ids to mask; all of the pack's when absent. */
  concepts?: string[];
  detectors: DetectorName[];
  policy: PolicyOptions;
}


export interface DocumentOutcome {
  decision: Decision;
  findings: SpanFinding[];
  suppressed: number;
  /** The masked text, only when the document was edited (kept text is the input; dropped has none). */
  text?: string;
  /** Findings still present in the masked text: the lexical leakage of this document. */
  residual: SpanFinding[];
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
}

export class MaskTask implements BatchTask<BatchOutcome> {
  private readonly detector: DetectorChain;

  constructor(private readonly config: MaskTaskConfig) {
    this.detector = DetectorChain.forPack(config.pack, config.detectors, config.concepts ? new Set(config.concepts) : undefined);
  }

  run(documents: TaskDocument[]): BatchOutcome {
    const timings = emptyTimings();
    let clock = performance.now();
    const lap = (stage: TaskStage) => {
      const now = performance.now();
      timings[stage] += now - clock;
      clock = now;
    };
    const outcomes = documents.map((document): DocumentOutcome => {
      // Detection runs first: most documents have no finding and need no segmentation at all.
      const detected = this.detector.detect(document.text);
      lap('detect');
      if (detected.findings.length === 0) {
        return { decision: { action: 'keep', edits: [], sentences: null, flaggedSentences: 0 }, findings: [], suppressed: detected.suppressed.length, residual: [] };
      }
      const segmentation = segment(document.text);
      lap('segment');
      const decision = decide(document.text, segmentation, detected.findings, this.config.policy);
      lap('decide');
      if (decision.action === 'drop') return { decision, findings: detected.findings, suppressed: detected.suppressed.length, residual: [] };
      // Findings that no unit covered stay in the text, so they count as leakage.
      if (decision.action === 'keep') return { decision, findings: detected.findings, suppressed: detected.suppressed.length, residual: detected.findings };
      const text = applyEdits(document.text, decision.edits);
      lap('edit');
      const residual = this.detector.detect(text).findings;
      lap('verify');
      return { decision, findings: detected.findings, suppressed: detected.suppressed.length, text, residual };
    });
    return { outcomes, timings };
  }
}
