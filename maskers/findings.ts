/** What detectors emit and policies act on (DESIGN.md, "Core records"). */
import type { SemanticStats } from './detectors/semantic.js';
import type { VocabularyMatch } from './detectors/vocabulary.js';

export interface Evidence {
  /**
   * What kind of rule fired: a pack term, a variant spelling, a formula
   * pattern, a person of the pack, a post-cutoff year in a sentence about
   * the concept, a context word in a passage dense with the concept, or a
   * sentence close in meaning to one of the concept's exemplars, or a
   * paragraph the pack's learned passage classifier scores as target knowledge.
   */
  rule: 'term' | 'variant' | 'pattern' | 'claim' | 'person' | 'year' | 'context' | 'exemplar' | 'passage';
  /** The pack entry that matched, as written in the pack (for a year: the year). */
  match: string;
  /** For rules that need support: what supported the finding. */
  support?: string;
  /**
   * For a context word: whether the whole document is about the concept or only the paragraphs
   * around it carry it (the weaker evidence: see the passage detector's localSupportMargin).
   */
  density?: 'document' | 'neighbours';
}

/** A span of a document that carries target knowledge. Offsets are UTF-16, end exclusive. */
export interface Finding {
  id: string;
  /** Position of the document's record in the input, as in Edit.seq. */
  seq: number;
  start: number;
  end: number;
  concept: string;
  detector: string;
  score: number;
  evidence: Evidence;
}

/** A finding before it is attached to a document id (detectors work on text alone). */
export type SpanFinding = Omit<Finding, 'id' | 'seq'>;

export interface Span {
  start: number;
  end: number;
}

export interface DetectorResult {
  findings: SpanFinding[];
  /** Matches dropped because they overlap a keep context (kept for audit reports). */
  suppressed: SpanFinding[];
  /** Keep-context spans the detector found, so later detectors can honour them too. */
  keeps?: Span[];
  /** The semantic detector's cost counters for this text. */
  semantic?: SemanticStats;
  /** The passage classifier's paragraphs by score band (see SCORE_BANDS in passage.ts). */
  scoreBands?: number[];
}

/**
 * A detector only measures: text in, findings out. Acting on findings is the
 * policy's job. `earlier` holds what the detectors before it found, for
 * detectors that weigh context (a year counts only near the concept);
 * `matches` is the pack vocabulary already matched in the text, shared by
 * the detectors of a chain (a detector scans the text itself when absent).
 */
export interface Detector {
  readonly name: string;
  /**
   * Whether the detector weighs the pack's keeps itself (the semantic detector compares each
   * sentence with the keep exemplars): its findings are then dropped only when they lie wholly
   * inside a keep context, not whenever a keep term appears in the sentence.
   */
  readonly weighsKeeps?: boolean;
  detect(text: string, earlier?: readonly SpanFinding[], matches?: readonly VocabularyMatch[]): DetectorResult | Promise<DetectorResult>;
}

/** Sorts by start, then longer first, then concept: the one order every stage relies on. */
export function compareFindings(a: SpanFinding, b: SpanFinding): number {
  return a.start - b.start || b.end - a.end || (a.concept < b.concept ? -1 : a.concept > b.concept ? 1 : 0);
}
