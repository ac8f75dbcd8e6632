/**
 * The per-document work of `lacuna audit`: detect, and for documents with
 * findings, segment to measure the share of sentences flagged. Nothing is edited.
 * Documents of one context run (`--context-field`) are detected together.
 */
import { DetectorChain, type DetectorName } from '../maskers/detectors/chain.js';
import type { SpanFinding } from '../maskers/findings.js';
import type { Pack } from '../maskers/pack/schema.js';
import { flagSpans } from '../maskers/policy.js';
import { segment } from '../maskers/segment/segmenter.js';
import { otherLanguage } from '../maskers/language.js';
import { detectRuns, type BatchTask, type TaskDocument } from './runtime/batches.js';
import type { SemanticStats } from '../maskers/detectors/semantic.js';
import { loadSemanticModels } from '../indexes/semantic-models.js';

export interface AuditTaskConfig {
  pack: Pack;
  detectors: DetectorName[];
  cacheDir: string;
  model: string;
}

export interface AuditOutcome {
  findings: SpanFinding[];
  suppressed: SpanFinding[];
  /** Sentences of the document; null when it had no finding and was never segmented. */
  sentences: number | null;
  flaggedSentences: number;
  semantic: SemanticStats;
  /** ISO 639-3 code of the document's language when it is plainly not the pack's. */
  language?: string;
}

export class AuditTask implements BatchTask<AuditOutcome[]> {
  private constructor(
    private readonly detector: DetectorChain,
    private readonly language: string,
  ) {}

  static async create(config: AuditTaskConfig): Promise<AuditTask> {
    const models = config.detectors.includes('semantic') ? await loadSemanticModels(config.cacheDir, config.model) : undefined;
    return new AuditTask(await DetectorChain.create(config.pack, { detectors: config.detectors, models }), config.pack.language);
  }

  async run(documents: TaskDocument[]): Promise<AuditOutcome[]> {
    const outcomes: AuditOutcome[] = [];
    // Each context run (records of one book, article or thread) is detected together, as `lacuna mask` detects it.
    const detections = await detectRuns(documents, (texts) => this.detector.detectTogether(texts));
    for (const [at, document] of documents.entries()) {
      const language = otherLanguage(document.text, this.language);
      const { findings, suppressed, semantic } = detections[at];
      if (findings.length === 0) {
        outcomes.push({ findings, suppressed, sentences: null, flaggedSentences: 0, semantic, ...(language ? { language } : {}) });
        continue;
      }
      const { sentences } = segment(document.text);
      const flaggedSentences = flagSpans(sentences, findings).filter((concept) => concept !== undefined).length;
      outcomes.push({ findings, suppressed, sentences: sentences.length, flaggedSentences, semantic, ...(language ? { language } : {}) });
    }
    return outcomes;
  }
}
