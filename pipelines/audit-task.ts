/**
 * The per-document work of `lacuna audit`: detect, and for documents with
 * findings, segment to measure the share of sentences flagged. Nothing is edited.
 */
import { DetectorChain, type DetectorName } from '../maskers/detectors/chain.js';
import type { SpanFinding } from '../maskers/findings.js';
import type { Pack } from '../maskers/pack/schema.js';
import { flagSpans } from '../maskers/policy.js';
import { segment } from '../maskers/segment/segmenter.js';
import type { BatchTask, TaskDocument } from './runtime/batches.js';

export interface AuditTaskConfig {
  pack: Pack;
  detectors: DetectorName[];
}

export interface AuditOutcome {
  findings: SpanFinding[];
  suppressed: SpanFinding[];
  /** Sentences of the document; null when it had no finding and was never segmented. */
  sentences: number | null;
  flaggedSentences: number;
}

export class AuditTask implements BatchTask<AuditOutcome[]> {
  private readonly detector: DetectorChain;

  constructor(config: AuditTaskConfig) {
    this.detector = DetectorChain.forPack(config.pack, config.detectors);
  }

  run(documents: TaskDocument[]): AuditOutcome[] {
    return documents.map((document) => {
      const { findings, suppressed } = this.detector.detect(document.text);
      if (findings.length === 0) return { findings, suppressed, sentences: null, flaggedSentences: 0 };
      const { sentences } = segment(document.text);
      const flaggedSentences = flagSpans(sentences, findings).filter((concept) => concept !== undefined).length;
      return { findings, suppressed, sentences: sentences.length, flaggedSentences };
    });
  }
}
