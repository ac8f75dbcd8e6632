/** What detectors emit and policies act on (DESIGN.md, "Core records"). */

export interface Evidence {
  /** What kind of rule fired: a pack term, a variant spelling, a regex pattern... */
  rule: 'term' | 'variant' | 'pattern';
  /** The pack entry that matched, as written in the pack. */
  match: string;
}

/** A span of a document that carries target knowledge. Offsets are UTF-16, end exclusive. */
export interface Finding {
  id: string;
  start: number;
  end: number;
  concept: string;
  detector: string;
  score: number;
  evidence: Evidence;
}

/** A finding before it is attached to a document id (detectors work on text alone). */
export type SpanFinding = Omit<Finding, 'id'>;

export interface DetectorResult {
  findings: SpanFinding[];
  /** Matches dropped because they fell inside a keep context. */
  suppressed: number;
}

/** A detector only measures: text in, findings out. Acting on findings is the policy's job. */
export interface Detector {
  readonly name: string;
  detect(text: string): DetectorResult;
}

/** Sorts by start, then longer first, then concept: the one order every stage relies on. */
export function compareFindings(a: SpanFinding, b: SpanFinding): number {
  return a.start - b.start || b.end - a.end || (a.concept < b.concept ? -1 : a.concept > b.concept ? 1 : 0);
}
