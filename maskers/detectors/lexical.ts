/**
 * The lexical detector: a pack's terms and variant spellings, matched on
 * stemmed words (see phrase-matcher.ts and vocabulary.ts), and its formula
 * patterns, matched on folded text by linear-time regexes. A match that
 * overlaps a keep context (a pre-cutoff look-alike such as "Galilean
 * relativity" or "relativity of moral values") is suppressed and counted.
 * The pack's claims (claims.ts), statements of the target in ordinary words,
 * come with the matches (vocabulary.ts).
 */
import type { Pack } from '../pack/schema.js';
import { compareFindings, type Detector, type DetectorResult, type Span, type SpanFinding } from '../findings.js';
import { foldedView, PatternScanner, ProbeHits } from './pattern-scanner.js';
import { originalSpan, patternView } from './pattern-view.js';
import { PackVocabulary, type VocabularyMatch } from './vocabulary.js';

interface PatternEntry {
  concept: string;
  scanner: PatternScanner;
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

/**
 * Findings that overlap a keep context are dropped, and returned apart for reports, except one
 * that holds the whole keep and more: the longer phrase is the more specific, as in the overlaps
 * of terms ("radium C" and "radium emanation" are targets, though "radium" is a keep; "relativity"
 * inside "relativity of motion" is not). With `wholly`, only findings that lie entirely inside a
 * keep are dropped.
 */
export function suppressInsideKeeps(findings: SpanFinding[], keeps: Span[], wholly = false): { findings: SpanFinding[]; suppressed: SpanFinding[] } {
  if (findings.length === 0 || keeps.length === 0) return { findings, suppressed: [] };
  const merged = mergeIntervals(keeps);
  const kept: SpanFinding[] = [];
  const suppressed: SpanFinding[] = [];
  for (const finding of findings) ((wholly ? insideAny(finding, merged) : overlapsKeepItDoesNotExtend(finding, merged)) ? suppressed : kept).push(finding);
  return { findings: kept, suppressed };
}

/** Whether `span` overlaps one of the disjoint, sorted `keeps` without holding it whole and more. */
function overlapsKeepItDoesNotExtend(span: Span, keeps: Span[]): boolean {
  for (let at = firstEndingAfter(span, keeps); at < keeps.length && keeps[at].start < span.end; at++) {
    const keep = keeps[at];
    const holdsAndExtends = span.start <= keep.start && span.end >= keep.end && span.end - span.start > keep.end - keep.start;
    if (!holdsAndExtends) return true;
  }
  return false;
}

/** Overlapping intervals merged, sorted by start. */
function mergeIntervals(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const merged: Span[] = [];
  for (const span of sorted) {
    const last = merged[merged.length - 1];
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ start: span.start, end: span.end });
  }
  return merged;
}

/** The first of the disjoint, sorted `intervals` that ends after `span` starts (its index; length if none). */
export function firstEndingAfter(span: Span, intervals: readonly Span[]): number {
  let low = 0;
  let high = intervals.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (intervals[middle].end <= span.start) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Whether `span` lies wholly inside one of the disjoint, sorted `intervals`. */
function insideAny(span: Span, intervals: Span[]): boolean {
  const at = firstEndingAfter(span, intervals);
  return at < intervals.length && intervals[at].start <= span.start && intervals[at].end >= span.end;
}

export class LexicalDetector implements Detector {
  readonly name = 'lexical';
  private readonly patterns: PatternEntry[] = [];

  constructor(
    pack: Pack,
    concepts?: ReadonlySet<string>,
    private readonly vocabulary = new PackVocabulary(pack, concepts),
  ) {
    for (const concept of pack.concepts) {
      if (concepts && !concepts.has(concept.id)) continue;
      for (const source of concept.patterns) this.patterns.push({ concept: concept.id, scanner: new PatternScanner(source) });
      for (const source of concept.casedPatterns) this.patterns.push({ concept: concept.id, scanner: new PatternScanner(source, { cased: true }) });
    }
  }

  /** Every target term and variant, as the pack writes it (for ripgrep baselines and reports). */
  termList(): string[] {
    return [...new Set(this.vocabulary.entries.filter((entry) => entry.kind === 'term' || entry.kind === 'variant').map((entry) => entry.match))];
  }

  /**
   * Every pattern's matches in `text`, at original offsets. The text is folded once for every
   * pattern (each looks for its anchors in it); when it holds characters a reader does not see (a
   * zero-width space, an HTML entity, a line-break hyphen) the patterns read the pattern view.
   */
  private patternMatches(text: string): { start: number; end: number; concept: string; source: string }[] {
    if (this.patterns.length === 0) return [];
    const folded = foldedView(text);
    const view = patternView(text, folded);
    const matches: { start: number; end: number; concept: string; source: string }[] = [];
    const probeHits = new ProbeHits();
    for (const { concept, scanner } of this.patterns) {
      const found = view ? scanner.scan(view.text, view.folded, probeHits).map((match) => originalSpan(view, match)) : scanner.scan(text, folded, probeHits);
      for (const { start, end } of found) matches.push({ start, end, concept, source: scanner.source });
    }
    return matches;
  }

  detect(text: string, _earlier: readonly SpanFinding[] = [], matches: readonly VocabularyMatch[] = this.vocabulary.scan(text)): DetectorResult {
    const raw: SpanFinding[] = [];
    const keeps: Span[] = [];
    for (const { entry, start, end } of matches) {
      if (entry.kind === 'keep') keeps.push({ start, end });
      else if (entry.kind === 'term' || entry.kind === 'variant') {
        raw.push({ start, end, concept: entry.concept, detector: this.name, score: 1, evidence: { rule: entry.kind, match: entry.match } });
      }
    }
    for (const found of this.patternMatches(text)) raw.push({ ...found, detector: this.name, score: 1, evidence: { rule: 'pattern', match: found.source } });
    const lexical = suppressInsideKeeps(withoutOverlaps(raw), keeps);
    const claims = matches
      .filter((match) => match.entry.kind === 'claim')
      .map(({ entry, start, end }): SpanFinding => ({ start, end, concept: entry.concept, detector: this.name, score: 1, evidence: { rule: 'claim', match: entry.match } }))
      .sort(compareFindings);
    if (claims.length === 0) return { ...lexical, keeps };
    // A claim spans ordinary words and may hold a keep context ("light", "radium"); only one said
    // wholly inside a keep stays. Terms inside a claim keep their own findings.
    const stated = suppressInsideKeeps(claims, keeps, true);
    return { findings: [...lexical.findings, ...stated.findings].sort(compareFindings), suppressed: [...lexical.suppressed, ...stated.suppressed], keeps };
  }
}
