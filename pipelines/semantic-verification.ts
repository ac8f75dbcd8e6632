/**
 * The semantic half of verification, one rule written once: what the index is queried with,
 * how the passages it finds are judged (the semantic detector's own rule, then the chain's keep
 * rule), and how judged passages count as residual leakage. Used by mask's work units
 * (unit-index.ts), by `lacuna verify` and by probe verification.
 */
import { LexicalDetector, suppressInsideKeeps } from '../maskers/detectors/lexical.js';
import type { SemanticDetector } from '../maskers/detectors/semantic.js';
import type { SpanFinding } from '../maskers/findings.js';
import type { Pack } from '../maskers/pack/schema.js';
import type { ConceptVerification, ResidualPassage } from './verify.js';

/**
 * The semantic detector's verdict on passages found by the index, by the rule detection applies:
 * the detector's own rule (semanticRuleFlags), then the chain's keep rule (suppressInsideKeeps,
 * as the detector weighs keeps itself: only a finding wholly inside a keep context is dropped).
 * A keep term elsewhere in the sentence does not clear it, in detection or here.
 */
export async function passageVerdicts(pack: Pack, semantic: SemanticDetector, texts: string[]): Promise<{ concept: string; similarity: number; keepSimilarity: number; flagged: boolean }[]> {
  const keeps = new LexicalDetector(pack);
  return (await semantic.verdicts(texts)).map((verdict, at) => {
    if (!verdict.flagged) return verdict;
    const whole: SpanFinding = { start: 0, end: texts[at].length, concept: verdict.concept, detector: semantic.name, score: verdict.similarity, evidence: { rule: 'exemplar', match: '' } };
    const kept = suppressInsideKeeps([whole], keeps.detect(texts[at]).keeps ?? [], semantic.weighsKeeps === true);
    return { ...verdict, flagged: kept.findings.length > 0 };
  });
}

/** The semantic verification in words, for the report's methods. */
export function semanticMethod(encoder: string): string {
  return `semantic: HNSW index of the output's sentences (static embedder), queried with each concept's exemplars and probes, nearest passages scored by ${encoder}`;
}

/** What the index is queried with: each concept's exemplars and masked probes, what the target looks like. (Controls ask about what must stay.) */
export function semanticQueries(pack: Pack, chosen?: Set<string>): string[] {
  return pack.concepts.filter((concept) => !chosen || chosen.has(concept.id)).flatMap((concept) => [...concept.exemplars, ...concept.probes.filter((probe) => probe.kind === 'masked').map((probe) => `${probe.question} ${probe.answer}`)]);
}

/** A passage the index found near a query, with the semantic detector's verdict on it. */
export interface ScoredPassage {
  passage: ResidualPassage;
  concept: string;
  /** The encoder's similarity to the concept (the verdict's), by which passages are ranked. */
  similarity: number;
  flagged: boolean;
}

export const NEIGHBOURS_PER_QUERY = 20;
export const RECALL_QUERIES = 20;

/**
 * Counts scored passages into the concepts, nearest first: a flagged one is residual leakage
 * (or waived, when a reviewer cleared its hash); a few of the nearest are shown even when not
 * flagged, so a report always says what the index looked at.
 */
export function tallySemantic(scored: ScoredPassage[], concepts: Record<string, ConceptVerification>, waived: (passage: ResidualPassage) => boolean, perConcept: number): void {
  const nearest = [...scored].sort((a, b) => b.similarity - a.similarity);
  for (const item of nearest) {
    const concept = concepts[item.concept];
    if (!concept) continue;
    if (item.flagged && waived(item.passage)) {
      concept.waived++;
      continue;
    }
    if (item.flagged) concept.semantic++;
    const semanticPassages = concept.passages.filter((passage) => passage.detector === 'semantic').length;
    if (semanticPassages < perConcept && (item.flagged || semanticPassages < 3)) {
      concept.passages.push({ ...item.passage, score: Math.round(item.similarity * 1000) / 1000, leak: item.flagged });
    }
  }
}

