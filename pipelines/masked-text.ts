/**
 * What `lacuna mask` with its default policy does to one text, in process: the findings and the
 * spans it removes. `lacuna train` measures held-out books with it and `lacuna eval` labelled
 * passages, so both measure exactly what a run would remove.
 */
import type { DetectorChain } from '../maskers/detectors/chain.js';
import type { SpanFinding } from '../maskers/findings.js';
import { decide, DEFAULT_POLICY } from '../maskers/policy.js';
import { segment } from '../maskers/segment/segmenter.js';

export interface MaskedText {
  findings: SpanFinding[];
  /** The removed spans, in order, offsets into the text. */
  removed: { start: number; end: number }[];
}

/**
 * A document (an article, a paragraph alone) is dropped whole when more than
 * DEFAULT_POLICY.maxFlagged of its sentences are flagged, as a run does; a book measured as one
 * text never is, since what each of its paragraphs lost is the measure (a run given the book as
 * one record would drop the theory books whole).
 */
export async function maskText(chain: DetectorChain, text: string, as: 'book' | 'document'): Promise<MaskedText> {
  const { findings } = await chain.detect(text);
  const policy = { ...DEFAULT_POLICY, redact: false, placeholder: '', maxFlagged: as === 'book' ? 1 : DEFAULT_POLICY.maxFlagged };
  return { findings, removed: decide(text, segment(text), findings, policy).edits };
}
