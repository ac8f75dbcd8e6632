/**
 * The lexical detector: a pack's terms and variant spellings, matched on
 * stemmed words in one pass (see phrase-matcher.ts), and its formula
 * patterns, matched on folded text by linear-time regexes. A match that
 * overlaps a keep context (a pre-cutoff look-alike such as "Galilean
 * relativity" or "relativity of moral values") is suppressed and counted.
 */
import type { Pack } from '../pack/schema.js';
import { compareFindings, type Detector, type DetectorResult, type Evidence, type SpanFinding } from '../findings.js';
import { PatternScanner } from './pattern-scanner.js';
import { phraseWords, PhraseMatcher, type PhraseMatch } from './phrase-matcher.js';

interface PhraseEntry {
  /** Concept id; empty for keep contexts. */
  concept: string;
  rule: Evidence['rule'];
  /** The pack entry, as written in the pack. */
  match: string;
  /** The form given to the matcher (a joined variant differs from `match`). */
  phrase: string;
}

interface PatternEntry {
  concept: string;
  scanner: PatternScanner;
}

interface Interval {
  start: number;
  end: number;
}

/** "space-time" and "half life" are also written "spacetime" and "halflife". */
function joinedVariant(term: string): string | undefined {
  const words = phraseWords(term);
  return words.length > 1 ? words.join('') : undefined;
}

/** Longest leftmost wins where matches overlap: "general theory of relativity" over "theory of relativity". */
function withoutOverlaps(findings: SpanFinding[]): SpanFinding[] {
  findings.sort(compareFindings);
  const kept: SpanFinding[] = [];
  let reach = -1;
  for (const finding of findings) {
    if (finding.start < reach) continue;
    kept.push(finding);
    reach = finding.end;
  }
  return kept;
}

/** Findings that overlap a keep context are dropped and counted. */
export function suppressInsideKeeps(findings: SpanFinding[], keeps: Interval[]): { findings: SpanFinding[]; suppressed: SpanFinding[] } {
  if (findings.length === 0 || keeps.length === 0) return { findings, suppressed: [] };
  const merged = mergeIntervals(keeps);
  const kept: SpanFinding[] = [];
  const suppressed: SpanFinding[] = [];
  for (const finding of findings) (overlapsAny(finding, merged) ? suppressed : kept).push(finding);
  return { findings: kept, suppressed };
}

/** Overlapping intervals merged, sorted by start. */
function mergeIntervals(spans: Interval[]): Interval[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const merged: Interval[] = [];
  for (const span of sorted) {
    const last = merged[merged.length - 1];
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ start: span.start, end: span.end });
  }
  return merged;
}

/** Whether `span` overlaps one of the disjoint, sorted `intervals`. */
function overlapsAny(span: Interval, intervals: Interval[]): boolean {
  let low = 0;
  let high = intervals.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (intervals[middle].end <= span.start) low = middle + 1;
    else high = middle;
  }
  return low < intervals.length && intervals[low].start < span.end;
}

export class LexicalDetector implements Detector {
  readonly name = 'lexical';
  private readonly entries: PhraseEntry[] = [];
  private readonly matcher: PhraseMatcher;
  private readonly patterns: PatternEntry[] = [];

  constructor(pack: Pack, concepts?: ReadonlySet<string>) {
    const add = (concept: string, rule: Evidence['rule'], match: string) => {
      this.entries.push({ concept, rule, match, phrase: match });
      const joined = joinedVariant(match);
      if (joined) this.entries.push({ concept, rule: 'variant', match, phrase: joined });
    };
    for (const context of pack.keep) for (const term of context.terms) add('', 'term', term);
    for (const concept of pack.concepts) {
      if (concepts && !concepts.has(concept.id)) continue;
      for (const term of concept.terms) add(concept.id, 'term', term);
      for (const variant of concept.variants) add(concept.id, 'variant', variant);
      for (const context of concept.keep) for (const term of context.terms) add('', 'term', term);
      for (const source of concept.patterns) this.patterns.push({ concept: concept.id, scanner: new PatternScanner(source) });
    }
    this.matcher = new PhraseMatcher(this.entries.map((entry) => entry.phrase));
  }

  /** Every target term and variant, as the pack writes it (for ripgrep baselines and reports). */
  termList(): string[] {
    return [...new Set(this.entries.filter((entry) => entry.concept !== '').map((entry) => entry.match))];
  }

  detect(text: string): DetectorResult {
    const raw: SpanFinding[] = [];
    const keeps: PhraseMatch[] = [];
    for (const match of this.matcher.scan(text)) {
      const entry = this.entries[match.phrase];
      if (entry.concept === '') keeps.push(match);
      else raw.push({ start: match.start, end: match.end, concept: entry.concept, detector: this.name, score: 1, evidence: { rule: entry.rule, match: entry.match } });
    }
    for (const pattern of this.patterns) {
      for (const found of pattern.scanner.scan(text)) {
        raw.push({ start: found.start, end: found.end, concept: pattern.concept, detector: this.name, score: 1, evidence: { rule: 'pattern', match: pattern.scanner.source } });
      }
    }
    const findings = withoutOverlaps(raw);
    const keepSpans = keeps.map((keep) => ({ start: keep.start, end: keep.end }));
    return { ...suppressInsideKeeps(findings, keepSpans), keeps: keepSpans };
  }
}
