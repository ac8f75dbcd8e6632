/**
 * The policy acts on findings: it decides which units (sentences, paragraphs
 * or the whole document) go, and turns that into edits. It never looks at the
 * text itself beyond the segmentation, so a different policy can be re-run on
 * stored findings without detecting again.
 *
 * Deleting a unit also deletes the right whitespace, so the output reads as if
 * the unit had never been written: a unit followed by a kept unit in the same
 * paragraph takes the space after it; the last units of a paragraph take the
 * space before them; a paragraph removed whole takes one paragraph break.
 *
 * Short paragraphs belong to the passage around them: an equation, a caption
 * or an exercise line between two removed paragraphs goes with them, and so
 * does a heading whose following paragraph goes; so does a single paragraph of
 * prose between two removed ones (see `attachedToRemoved`).
 */
import { applyEdits, type SpanEdit } from './edits.js';
import type { SpanFinding } from './findings.js';
import { joinTogether, segment, type Segmentation, type Span } from './segment/segmenter.js';

export type PolicyUnit = 'sentence' | 'paragraph' | 'document';

export interface PolicyOptions {
  unit: PolicyUnit;
  /** Write `placeholder` in place of removed units instead of deleting them. */
  redact: boolean;
  placeholder: string;
  /** Drop the whole document when more than this fraction of its sentences is flagged. */
  maxFlagged: number;
  /** Findings scoring below this are recorded but not acted on. */
  minScore: number;
}

/**
 * What `lacuna mask` does when no policy flag is given (its CLI defaults are these).
 *
 * maxFlagged 0.34: a document more than a third of whose sentences name the target is about it, and
 * the rest of it is the target's context (a paper's method, its mathematics, its observing runs)
 * that no rule names; one flagged sentence of three still goes alone. Measured at 0.5 and 0.34
 * (physics pack 0.4.23; books held out, cut into documents of 8,000 characters): the 20 physics
 * papers of unarXive 57.9% → 77.1% removed (14 of 20 more than half, from 10), their 25 other papers
 * no more touched; arXiv abstracts 40 → 41 of 47; the 15 theory books 90.4% → 91.7%; the algebra
 * pack's post-1799 books 73.2% → 76.8%; pre-1900 and pre-Galois books unchanged, the computing
 * pack's pre-1936 books 2.30% → 2.34%. The price is modern prose about older physics: Crowell's
 * classical chapters 15.3% → 17.1%, the mixed books' labelled keeps touched 25 → 27 of 115 (targets
 * 46 → 47). At 0.3 the papers reach 80.1%, but a three-sentence document with one target sentence
 * goes whole. A leak costs more than a lost sentence.
 */
export const DEFAULT_POLICY: PolicyOptions = { unit: 'sentence', redact: false, placeholder: '[MASKED]', maxFlagged: 0.34, minScore: 0 };

export interface Decision {
  action: 'keep' | 'edit' | 'drop';
  edits: SpanEdit[];
  /** Sentences in the document; null when it had no finding and was never segmented. */
  sentences: number | null;
  flaggedSentences: number;
}

interface Unit extends Span {
  paragraph: number;
  /** Concept of the first finding in the unit, or undefined when the unit is clean. */
  concept: string | undefined;
}

/** For each span, the concept of the first finding that overlaps it. Both lists are sorted by start. */
export function flagSpans<T extends Span>(spans: T[], findings: SpanFinding[]): (string | undefined)[] {
  const concepts: (string | undefined)[] = new Array(spans.length).fill(undefined);
  let first = 0;
  for (const finding of findings) {
    while (first < spans.length && spans[first].end <= finding.start) first++;
    for (let i = first; i < spans.length && spans[i].start < finding.end; i++) concepts[i] ??= finding.concept;
  }
  return concepts;
}

/** Splits a removed stretch [start, end) into one edit per unit, contiguous, so each carries its own concept. */
function deletePieces(units: Unit[], start: number, end: number, unitName: SpanEdit['unit'], out: SpanEdit[]): void {
  units.forEach((unit, index) => {
    out.push({
      start: index === 0 ? start : unit.start,
      end: index === units.length - 1 ? end : units[index + 1].start,
      action: 'delete',
      concept: unit.concept!,
      unit: unitName,
    });
  });
}

/** Maximal runs of consecutive flagged items, as [first, last] index pairs. */
function runs(flags: boolean[]): [number, number][] {
  const found: [number, number][] = [];
  for (let i = 0; i < flags.length; i++) {
    if (!flags[i]) continue;
    let j = i;
    while (j + 1 < flags.length && flags[j + 1]) j++;
    found.push([i, j]);
    i = j;
  }
  return found;
}

/** Paragraphs shorter than this may be equations, captions, headings: they can go with the passage around them. */
export const ATTACHED_PARAGRAPH_CHARS = 160;
const HEADING_START = /^(?:chapter|section|part|lecture|appendix|book|§|[IVXLC]+\.|\d+(?:\.\d+)*\.?\s)/i;
const EQUATION_SIGN = /[=^\\∫√±≤≥≈∝∑∂]/;

/**
 * A title or a heading: short, without a sentence's final punctuation, and set as one
 * ("CHAPTER V", "§ 12. The Lorentz Transformation", "The General Theory"): numbered, in
 * capitals, or most of its words capitalised. A fragment of converted text ("We have",
 * "AND") is not one.
 */
function looksLikeHeading(text: string, paragraph: Span): boolean {
  const body = text.slice(paragraph.start, paragraph.end).trim();
  if (body.length > 100 || /[.:;,!?]["'\u201d)\]]*$/.test(body)) return false;
  if (HEADING_START.test(body)) return true;
  const words = body.split(/\s+/).filter((word) => /\p{L}/u.test(word));
  if (words.length < 2) return false;
  if (body === body.toUpperCase()) return true;
  return words.filter((word) => /^\p{Lu}/u.test(word)).length >= 0.6 * words.length;
}

const CAPTION_START = /^(?:fig(?:ure)?s?|table|plate|exercises?|problems?|examples?)\b/i;

/**
 * A short paragraph that is not prose: a heading, a caption or exercise line, or an
 * equation (a sign of one, and fewer than half its characters letters). A short sentence
 * of prose is not one, nor a table of numbers (observations stay unless a finding of
 * their own removes them).
 */
export function looksAttached(text: string, paragraph: Span): boolean {
  if (paragraph.end - paragraph.start >= ATTACHED_PARAGRAPH_CHARS) return false;
  const body = text.slice(paragraph.start, paragraph.end);
  if (looksLikeHeading(text, paragraph) || CAPTION_START.test(body)) return true;
  if (!EQUATION_SIGN.test(body)) return false;
  let letters = 0;
  for (const char of body) if (/\p{L}/u.test(char)) letters++;
  return letters < body.length / 2;
}

/**
 * For each paragraph that keeps something, the concept under which it goes with
 * the passage around it, or undefined. A paragraph of prose whose nearest
 * paragraphs on both sides (past short non-prose ones) are removed whole goes
 * with them (`sandwichedInRemoved`). Then a run of short non-prose paragraphs
 * (`looksAttached`) goes when the paragraphs on both sides of it are removed
 * whole; when only the one after it is, the run's last paragraph goes if it is
 * a heading.
 */
export function attachedToRemoved(text: string, paragraphs: Span[], removed: (string | undefined)[]): (string | undefined)[] {
  const attached: (string | undefined)[] = new Array(paragraphs.length).fill(undefined);
  const short = paragraphs.map((paragraph) => looksAttached(text, paragraph));
  const sandwiched = sandwichedInRemoved(short, (i) => looksLikeLongProse(text, paragraphs[i]), removed);
  const gone = removed.map((concept, i) => concept ?? sandwiched[i]);
  for (let i = 0; i < paragraphs.length; i++) if (sandwiched[i] !== undefined) attached[i] = sandwiched[i];
  for (let i = 0; i < paragraphs.length; i++) {
    if (!short[i] || gone[i] !== undefined) continue;
    let j = i;
    while (j + 1 < paragraphs.length && short[j + 1] && gone[j + 1] === undefined) j++;
    const after = j + 1 < paragraphs.length ? gone[j + 1] : undefined;
    const before = i > 0 ? gone[i - 1] : undefined;
    if (after !== undefined && before !== undefined) for (let k = i; k <= j; k++) attached[k] = after;
    // Only the heading itself goes when the text before the run stays.
    else if (after !== undefined && looksLikeHeading(text, paragraphs[j])) attached[j] = after;
    i = j;
  }
  return attached;
}

/**
 * A paragraph of prose too long to be a caption or an equation: at least ATTACHED_PARAGRAPH_CHARS,
 * and at least half its visible characters letters. A short sentence of prose and a table of
 * observations are not one: those stay unless a finding of their own removes them.
 */
function looksLikeLongProse(text: string, paragraph: Span): boolean {
  if (paragraph.end - paragraph.start < ATTACHED_PARAGRAPH_CHARS) return false;
  let letters = 0;
  let visible = 0;
  for (let at = paragraph.start; at < paragraph.end; at++) {
    const code = text.charCodeAt(at);
    if (code <= 32) continue;
    visible++;
    if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122) || (code > 127 && /\p{L}/u.test(text[at]))) letters++;
  }
  return letters >= visible / 2;
}

/**
 * For each kept paragraph of prose (`isProse`: looksLikeLongProse), the concept of the paragraph
 * before it when the nearest paragraphs before and after it (short non-prose ones, `short`, are
 * passed over) are both removed whole; else undefined. A passage is judged paragraph by paragraph,
 * and one paragraph in the middle of a removed section (its worked example, the algebra between
 * two statements, an aside in plainer words) can score under the threshold on its own while the
 * section around it goes: kept, it is the target's text with its context cut away. Only a single
 * paragraph is taken; two kept in a row stay.
 *
 * Measured leaving each book out (`lacuna train --folds 0`, packs physics 0.4.28, algebra 0.4.12,
 * computing 0.3.10, before and after): physics theory books 95.0% → 95.7% (Nordmann 88.2 → 91.0%,
 * so 14 of 15 at 90%), every pre-1900 book unchanged (at most 0.3%), Crowell's classical chapters
 * 13.2% → 13.5%, the mixed books' labelled targets 48 → 49 of 50 and keeps touched 47 → 51 of 115;
 * of 12 target paragraphs in a hand-labelled sample of what the theory books kept, 3 go, and 12 of
 * its 48 others (prefaces, asides: in target books). Algebra's post-1799 books 73.1% → 75.4%
 * (Glenn's invariants 74.9 → 81.0%, Galois 57.4 → 61.8%), Dickson's theory of equations 10.6% →
 * 11.6%, the other pre-1832 books unchanged; of its sample's 16 kept targets 4 go, of 24 others 1.
 * A leak costs more than a lost paragraph.
 */
function sandwichedInRemoved(short: readonly boolean[], isProse: (index: number) => boolean, removed: readonly (string | undefined)[]): (string | undefined)[] {
  const out: (string | undefined)[] = new Array(removed.length).fill(undefined);
  let before = -1; // the last paragraph that is not short non-prose, or -1
  for (let i = 0; i < removed.length; i++) {
    if (short[i] && removed[i] === undefined) continue;
    if (removed[i] === undefined && before >= 0 && removed[before] !== undefined && isProse(i)) {
      let after = i + 1;
      while (after < removed.length && short[after] && removed[after] === undefined) after++;
      if (after < removed.length && removed[after] !== undefined) out[i] = removed[before];
    }
    before = i;
  }
  return out;
}

/** Units of short paragraphs attached to a removed passage take its concept. */
function withAttachedParagraphs(text: string, segmentation: Segmentation, units: Unit[]): Unit[] {
  const byParagraph: Unit[][] = segmentation.paragraphs.map(() => []);
  for (const unit of units) byParagraph[unit.paragraph].push(unit);
  const gone = byParagraph.map((list) => (list.length > 0 && list.every((unit) => unit.concept) ? list[0].concept : undefined));
  const attached = attachedToRemoved(text, segmentation.paragraphs, gone);
  return units.map((unit) => (attached[unit.paragraph] !== undefined ? { ...unit, concept: attached[unit.paragraph] } : unit));
}

function deletionEdits(text: string, segmentation: Segmentation, units: Unit[], unitName: SpanEdit['unit']): SpanEdit[] {
  const edits: SpanEdit[] = [];
  const byParagraph: Unit[][] = segmentation.paragraphs.map(() => []);
  for (const unit of units) byParagraph[unit.paragraph].push(unit);
  const paragraphGone = byParagraph.map((list) => list.length > 0 && list.every((unit) => unit.concept));
  const paragraphs = segmentation.paragraphs;

  // Runs of whole paragraphs: take the paragraph break after them, or before them at the end of the text.
  for (const [p, q] of runs(paragraphGone)) {
    const start = q + 1 < paragraphs.length ? paragraphs[p].start : p > 0 ? paragraphs[p - 1].end : 0;
    const end = q + 1 < paragraphs.length ? paragraphs[q + 1].start : p > 0 ? paragraphs[q].end : text.length;
    deletePieces(byParagraph.slice(p, q + 1).flat(), start, end, unitName, edits);
  }
  // Runs inside a paragraph that keeps something.
  byParagraph.forEach((list, paragraph) => {
    if (paragraphGone[paragraph]) return;
    for (const [i, j] of runs(list.map((unit) => unit.concept !== undefined))) {
      const start = j + 1 < list.length ? list[i].start : list[i - 1].end;
      const end = j + 1 < list.length ? list[j + 1].start : list[j].end;
      deletePieces(list.slice(i, j + 1), start, end, unitName, edits);
    }
  });
  return edits.sort((a, b) => a.start - b.start);
}

/**
 * What the apply step asks of a policy: the edits for one document, from its text, its
 * segmentation and its findings. Detectors only measure and a policy only acts, so the same
 * stored findings can be applied again under another policy (`lacuna apply`), and a policy that
 * rewrites instead of deleting can be added as one more implementation.
 */
export interface Policy {
  decide(text: string, segmentation: Segmentation, findings: SpanFinding[]): Decision;
  /** Decisions for records that are parts of one work, made as for the one text they form (decideTogether). */
  decideTogether(texts: readonly string[], findings: readonly (readonly SpanFinding[])[]): Decision[];
}

/** Lacuna's policy: remove (or redact) the units holding findings, or the whole document past `maxFlagged`. */
export class ExcisionPolicy implements Policy {
  constructor(readonly options: PolicyOptions) {}

  decide(text: string, segmentation: Segmentation, findings: SpanFinding[]): Decision {
    return decide(text, segmentation, findings, this.options);
  }

  decideTogether(texts: readonly string[], findings: readonly (readonly SpanFinding[])[]): Decision[] {
    return decideTogether(texts, findings, this.options);
  }
}

export function decide(text: string, segmentation: Segmentation, allFindings: SpanFinding[], options: PolicyOptions): Decision {
  return decideAndFlag(text, segmentation, allFindings, options).decision;
}

/** The decision, and the concept each sentence was flagged under (undefined: not flagged), which decideTogether counts per record. */
function decideAndFlag(text: string, segmentation: Segmentation, allFindings: SpanFinding[], options: PolicyOptions): { decision: Decision; sentenceConcepts: (string | undefined)[] } {
  const findings = options.minScore > 0 ? allFindings.filter((finding) => finding.score >= options.minScore) : allFindings;
  const sentenceConcepts = flagSpans(segmentation.sentences, findings);
  const decision = decideFlagged(text, segmentation, findings, sentenceConcepts, options);
  return { decision, sentenceConcepts };
}

function decideFlagged(text: string, segmentation: Segmentation, findings: SpanFinding[], sentenceConcepts: (string | undefined)[], options: PolicyOptions): Decision {
  const flaggedSentences = sentenceConcepts.filter((concept) => concept !== undefined).length;
  const sentences = segmentation.sentences.length;
  if (findings.length === 0) return { action: 'keep', edits: [], sentences, flaggedSentences };

  const tooMuch = sentences > 0 && flaggedSentences / sentences > options.maxFlagged;
  if (options.unit === 'document' || tooMuch) {
    return { action: 'drop', edits: [{ start: 0, end: text.length, action: 'drop', concept: findings[0].concept, unit: 'document' }], sentences, flaggedSentences };
  }

  let units: Unit[];
  if (options.unit === 'sentence') {
    units = segmentation.sentences.map((sentence, index) => ({ start: sentence.start, end: sentence.end, paragraph: sentence.paragraph, concept: sentenceConcepts[index] }));
  } else {
    const paragraphConcepts = flagSpans(segmentation.paragraphs, findings);
    units = segmentation.paragraphs.map((paragraph, index) => ({ start: paragraph.start, end: paragraph.end, paragraph: index, concept: paragraphConcepts[index] }));
  }
  units = withAttachedParagraphs(text, segmentation, units);
  const edits = options.redact
    ? units
        .filter((unit) => unit.concept !== undefined)
        .map((unit): SpanEdit => ({ start: unit.start, end: unit.end, action: 'redact', concept: unit.concept!, replacement: options.placeholder, unit: options.unit }))
    : deletionEdits(text, segmentation, units, options.unit);
  return { action: edits.length > 0 ? 'edit' : 'keep', edits, sentences, flaggedSentences };
}

/**
 * Decisions for records that are parts of one work (`--context-field`: the paragraphs of a book
 * stored one per record), made as for the one text they form, joined as the detectors read them
 * (joinTogether): the book's decision, cut at the records. Stored a paragraph per record, a
 * book is then masked as it is stored whole: an equation, heading or caption record between two
 * removed ones goes with them, a paragraph record in which one sentence of three names the target
 * loses that sentence (alone, the record would be a document more than a third of whose sentences
 * are flagged, and go whole), and `--max-flagged` and `--unit document` weigh the whole run.
 * Each record gets the part of each edit inside it, at offsets into its own text; a record left
 * with only whitespace is dropped. `findings[i]` are record i's, at offsets into its text.
 */
export function decideTogether(texts: readonly string[], findings: readonly (readonly SpanFinding[])[], options: PolicyOptions): Decision[] {
  const { text: joined, spans } = joinTogether(texts);
  const joinedFindings = findings.flatMap((list, index) => list.map((finding) => ({ ...finding, start: finding.start + spans[index].start, end: finding.end + spans[index].start })));
  const segmentation = segment(joined);
  const { decision, sentenceConcepts: flagged } = decideAndFlag(joined, segmentation, joinedFindings, options);
  let sentence = 0;
  // Edits are in order and disjoint: each record looks only at those from the first not yet behind it.
  let firstEdit = 0;
  return texts.map((text, index): Decision => {
    const { start, end } = spans[index];
    let sentences = 0;
    let flaggedSentences = 0;
    for (; sentence < segmentation.sentences.length && segmentation.sentences[sentence].start < end; sentence++) {
      sentences++;
      if (flagged[sentence] !== undefined) flaggedSentences++;
    }
    const drop = (concept: string): Decision => ({ action: 'drop', edits: [{ start: 0, end: text.length, action: 'drop', concept, unit: 'document' }], sentences, flaggedSentences });
    if (decision.action === 'drop') return drop(decision.edits[0].concept);
    const edits: SpanEdit[] = [];
    while (firstEdit < decision.edits.length && decision.edits[firstEdit].end <= start) firstEdit++;
    for (let at = firstEdit; at < decision.edits.length && decision.edits[at].start < end; at++) {
      const edit = decision.edits[at];
      const piece: SpanEdit = { ...edit, start: Math.max(edit.start, start) - start, end: Math.min(edit.end, end) - start };
      if (piece.end === piece.start) continue;
      // A redaction's placeholder goes where it began; no unit reaches across a record, but a deletion's whitespace may.
      if (edit.start < start && piece.action === 'redact') {
        delete piece.replacement;
        piece.action = 'delete';
      }
      edits.push(piece);
    }
    if (edits.length === 0) return { action: 'keep', edits, sentences, flaggedSentences };
    if (edits.every((edit) => edit.action === 'delete') && applyEdits(text, edits).trim() === '') return drop(edits[0].concept);
    return { action: 'edit', edits, sentences, flaggedSentences };
  });
}
