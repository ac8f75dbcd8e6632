/**
 * The context detector: a concept's supporting vocabulary (pack `context`:
 * clocks, measuring-rods, co-ordinate systems, energy levels...) marks a
 * paragraph only where the text around it is dense with the concept.
 *
 * In a book on relativity the paragraph about clocks on an embankment carries
 * the theory without naming it; in Maxwell the same words are innocent. So a
 * context word counts only where the concept is dense, by the findings of the
 * detectors before this one: when at least `minNeighbours` of the paragraphs
 * within `radius` paragraphs carry the concept, or when the whole document is
 * about it (at least `documentShare` of its paragraphs, and at least
 * `minNeighbours` + 1 of them, carry it or a concept it directly implies or is
 * implied by: a book on general relativity is about special relativity too).
 * An isolated term in a pre-1900 text never spreads.
 */
import type { Pack } from '../pack/schema.js';
import type { Detector, DetectorResult, SpanFinding } from '../findings.js';
import { splitParagraphs } from '../segment/segmenter.js';
import { PackVocabulary, type VocabularyMatch } from './vocabulary.js';

export interface ContextOptions {
  radius: number;
  minNeighbours: number;
  documentShare: number;
}

export const DEFAULT_CONTEXT_OPTIONS: ContextOptions = { radius: 3, minNeighbours: 2, documentShare: 0.15 };
export const CONTEXT_SCORE = 0.5;

export class ContextDetector implements Detector {
  readonly name = 'context';
  /** Each concept with the concepts it directly implies or is implied by. */
  private readonly related = new Map<string, Set<string>>();

  constructor(
    pack: Pack,
    concepts?: ReadonlySet<string>,
    private readonly vocabulary = new PackVocabulary(pack, concepts),
    private readonly options: ContextOptions = DEFAULT_CONTEXT_OPTIONS,
  ) {    for (const concept of pack.concepts) this.related.set(concept.id, new Set([concept.id, ...concept.implies]));
    for (const concept of pack.concepts) for (const implied of concept.implies) this.related.get(implied)?.add(concept.id);
  }

  detect(text: string, earlier: readonly SpanFinding[] = [], matches?: readonly VocabularyMatch[]): DetectorResult {
    if (earlier.length === 0) return { findings: [], suppressed: [] };
    const contextMatches = (matches ?? this.vocabulary.scan(text)).filter((match) => match.entry.kind === 'context').sort((a, b) => a.start - b.start);
    if (contextMatches.length === 0) return { findings: [], suppressed: [] };
    const paragraphs = splitParagraphs(text);
    // Concepts evidenced in each paragraph by the earlier detectors.
    const evidenced: Set<string>[] = paragraphs.map(() => new Set());
    let index = 0;
    for (const finding of [...earlier].sort((a, b) => a.start - b.start)) {
      while (index < paragraphs.length && paragraphs[index].end <= finding.start) index++;
      if (index < paragraphs.length && paragraphs[index].start < finding.end) evidenced[index].add(finding.concept);
    }
    const findings: SpanFinding[] = [];
    const { radius, minNeighbours, documentShare } = this.options;
    const paragraphsWith = new Map<string, number>();
    for (const concepts of evidenced) {
      const touched = new Set([...concepts].flatMap((concept) => [...(this.related.get(concept) ?? [concept])]));
      for (const concept of touched) paragraphsWith.set(concept, (paragraphsWith.get(concept) ?? 0) + 1);
    }
    const topics = new Set([...paragraphsWith].filter(([, count]) => count > minNeighbours && count / paragraphs.length >= documentShare).map(([concept]) => concept));
    let next = 0;
    paragraphs.forEach((paragraph, at) => {
      // Context matches are sorted by start; those of this paragraph are the next run of them.
      while (next < contextMatches.length && contextMatches[next].start < paragraph.start) next++;
      const first = next;
      while (next < contextMatches.length && contextMatches[next].start < paragraph.end) next++;
      if (first === next) return;
      const neighbours = new Map<string, number>();
      for (let other = Math.max(0, at - radius); other <= Math.min(paragraphs.length - 1, at + radius); other++) {
        if (other === at) continue;
        for (const concept of evidenced[other]) neighbours.set(concept, (neighbours.get(concept) ?? 0) + 1);
      }
      const dense = new Set([...topics, ...[...neighbours].filter(([, count]) => count >= minNeighbours).map(([concept]) => concept)]);
      if (dense.size === 0) return;
      for (const { entry, start, end } of contextMatches.slice(first, next)) {
        if (!dense.has(entry.concept)) continue;
        findings.push({
          start,
          end,
          concept: entry.concept,
          detector: this.name,
          score: CONTEXT_SCORE,
          evidence: {
            rule: 'context',
            match: entry.match,
            support: topics.has(entry.concept)
              ? `${paragraphsWith.get(entry.concept)} of the document's ${paragraphs.length} paragraphs`
              : `${neighbours.get(entry.concept)} of the ${2 * radius} paragraphs around`,
            density: topics.has(entry.concept) ? 'document' : 'neighbours',
          },
        });
      }
    });
    return { findings, suppressed: [] };
  }
}
