/**
 * Exact, case-insensitive matching of a pack's terms, variant spellings and
 * regex patterns, on word boundaries, with keep contexts suppressing what lies
 * inside them. One automaton holds every term of every concept.
 */
import type { Pack } from '../pack/schema.js';
import { compareFindings, type Detector, type DetectorResult, type Evidence, type SpanFinding } from '../findings.js';
import { isWordChar } from './fold.js';
import { TermAutomaton, type TermMatch } from './term-automaton.js';

interface TermEntry {
  concept: string;
  rule: Evidence['rule'];
  match: string;
  /** Whether the term begins/ends with a word character, so a word boundary is required there. */
  boundedStart: boolean;
  boundedEnd: boolean;
}

interface PatternEntry {
  concept: string;
  source: string;
  regex: RegExp;
}

function entry(concept: string, rule: Evidence['rule'], match: string): TermEntry {
  const trimmed = match.trim();
  return {
    concept,
    rule,
    match,
    boundedStart: isWordChar(trimmed.charCodeAt(0)),
    boundedEnd: isWordChar(trimmed.charCodeAt(trimmed.length - 1)),
  };
}

function onWordBoundaries(text: string, match: TermMatch, term: TermEntry): boolean {
  if (term.boundedStart && match.start > 0 && isWordChar(text.charCodeAt(match.start - 1))) return false;
  if (term.boundedEnd && match.end < text.length && isWordChar(text.charCodeAt(match.end))) return false;
  return true;
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

interface Interval {
  start: number;
  end: number;
}

/** Overlapping keep matches merged into disjoint intervals sorted by start. */
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

/** Whether `span` lies inside one of the disjoint, sorted `intervals`. */
function insideAny(span: Interval, intervals: Interval[]): boolean {
  let low = 0;
  let high = intervals.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (intervals[middle].start <= span.start) low = middle + 1;
    else high = middle;
  }
  const candidate = intervals[low - 1];
  return candidate !== undefined && span.end <= candidate.end;
}

export class LexicalDetector implements Detector {
  readonly name = 'lexical';
  private readonly terms: TermEntry[] = [];
  private readonly automaton: TermAutomaton;
  private readonly patterns: PatternEntry[] = [];
  /** Keep-context terms share the automaton with the targets: entries from `terms.length` on. */
  private readonly keepTerms: TermEntry[] = [];

  constructor(pack: Pack, concepts?: ReadonlySet<string>) {
    const keep = (terms: string[]) => terms.forEach((term) => this.keepTerms.push(entry('', 'term', term)));
    for (const context of pack.keep) keep(context.terms);
    for (const concept of pack.concepts) {
      if (concepts && !concepts.has(concept.id)) continue;
      for (const term of concept.terms) this.terms.push(entry(concept.id, 'term', term));
      for (const variant of concept.variants) this.terms.push(entry(concept.id, 'variant', variant));
      for (const source of concept.patterns) this.patterns.push({ concept: concept.id, source, regex: new RegExp(source, 'giu') });
      for (const context of concept.keep) keep(context.terms);
    }
    this.automaton = new TermAutomaton([...this.terms, ...this.keepTerms].map((term) => term.match));
  }

  get termCount(): number {
    return this.terms.length;
  }

  /** Every term of the detector, as the pack writes it (for ripgrep baselines and reports). */
  termList(): string[] {
    return this.terms.map((term) => term.match);
  }

  detect(text: string): DetectorResult {
    const raw: SpanFinding[] = [];
    const keeps: TermMatch[] = [];
    const targetCount = this.terms.length;
    for (const match of this.automaton.scan(text)) {
      if (match.term >= targetCount) {
        if (onWordBoundaries(text, match, this.keepTerms[match.term - targetCount])) keeps.push(match);
        continue;
      }
      const term = this.terms[match.term];
      if (!onWordBoundaries(text, match, term)) continue;
      raw.push({ start: match.start, end: match.end, concept: term.concept, detector: this.name, score: 1, evidence: { rule: term.rule, match: term.match } });
    }
    for (const pattern of this.patterns) {
      pattern.regex.lastIndex = 0;
      for (const found of text.matchAll(pattern.regex)) {
        if (found[0].length === 0) continue;
        raw.push({ start: found.index, end: found.index + found[0].length, concept: pattern.concept, detector: this.name, score: 1, evidence: { rule: 'pattern', match: pattern.source } });
      }
    }
    const findings = withoutOverlaps(raw);
    if (findings.length === 0 || keeps.length === 0) return { findings, suppressed: 0 };
    const keepIntervals = mergeIntervals(keeps);
    const kept = findings.filter((finding) => !insideAny(finding, keepIntervals));
    return { findings: kept, suppressed: findings.length - kept.length };
  }
}
