/**
 * The passage detector: the pack's learned classifier (indexes/classifier/)
 * scores every paragraph with its neighbours and its section, and a paragraph
 * whose passage score reaches the pack's threshold is one finding spanning
 * it. It catches what no list of words can: prose that states post-cutoff
 * knowledge in ordinary words, worked examples and the paragraphs of a chapter
 * whose subject is the target.
 *
 * Keep contexts: a flagged paragraph that names a keep context of the pack
 * (the Michelson–Morley null result, cathode rays, radium), holds no finding
 * of another detector, and is flagged by its section rather than by itself
 * (its own score is under the threshold plus the pack's `keepMargin`), stays
 * and is counted as suppressed; a paragraph that is the whole document stays
 * unless its score clears the isolated threshold by `isolatedKeepMargin`
 * (default `keepMargin`; the packs set 0: the isolated threshold is already
 * high, and held out the physics theory books' paragraphs masked one by one
 * lost 61.3% with such paragraphs always shielded, 62.7% at 0, with no
 * pre-1900 book losing more; the mixed books' labelled paragraphs alone went
 * from 33 of 50 targets and 10 of 115 keeps to 36 and 11). The classifier learned topics, and the
 * look-alikes a pack keeps are exactly the pre-cutoff topics post-cutoff books
 * discuss most (isolated paragraphs on Becquerel's rays or the Zeeman effect
 * score as high as ones on quantum mechanics). Measured on 165 hand-labelled
 * paragraphs of books that mix both sides: shielding every such paragraph
 * removed 32 of 50 targets and touched 19 of 115 keeps; shielding only those
 * flagged by their section removed 45 and touched 40. A leak costs more than a
 * lost paragraph. (Training now gives such paragraphs of positive books a
 * lower label, KEEP_PARAGRAPH_LABEL in pipelines/train.ts, so fewer reach the
 * threshold at all: 43 removed, 17 touched.) With the physics threshold at a
 * 0.75% budget, a keepMargin of 0 removed 46 and touched 34, and cost the
 * Michelson–Morley paper itself 4.8%; at 2, 44, 25 and nothing.
 *
 * A paragraph in which another detector already found the target needs
 * `supportMargin` less: the two kinds of evidence add up. The packs set 6, so
 * such a paragraph goes whole unless the classifier finds it plainly off the
 * target. Held out by book (physics),
 * margin 2 → 6: theory books lost 87.7% → 91.5% (11 of 15 at least 90%, from
 * 7), their paragraphs masked one by one 48.3% → 56.1%; Crowell's modern
 * chapters on classical physics 8.7% → 11.6%; pre-1900 books unchanged (at
 * most 0.1%).
 *
 * A paragraph that is the whole document has no neighbours by which the context detector could
 * count its context words, so a pack may let them count by their number (`isolatedContextWords`):
 * that many distinct context words of one concept support it as a local context finding does.
 * Physics sets 3: held out by book, its theory books masked paragraph by paragraph lost 68.9% →
 * 72.4% (Einstein's Relativity 67.8% → 83.7%), with no pre-1900 book changed by more than 0.1
 * point alone and none at all in its book or in documents. Fewer words may still count for less
 * (`isolatedContextWordStep`, taken off the margin per word short): physics and computing set 1, so
 * two words take a paragraph alone 1 under the isolated threshold. Held out by book, physics theory
 * books alone 72.4% → 75.2% (Einstein's Sidelights 66.7 → 75.9%, Planck's Origin 81.2 → 88.8%),
 * the pre-1900 books alone at most 0.5 point more (J. J. Thomson 1893 3.4 → 3.9%, Huygens 0.4 →
 * 0.8%, Mach 1.1 → 1.5%), none in their books or in documents; Crowell's classical chapters alone
 * 14.1 → 15.3%; the mixed books' labelled keeps touched alone 24 → 27 of 115, targets 44 of 50
 * either way. Computing post books alone 79.5 → 80.7% (SICP 61.1 → 64.1%), no pre-1936 book
 * moving by more than 0.1 point.
 * One word at half the margin took 2 points of the Michelson–Morley paper and Maxwell's five
 * papers alone (five folds) and is not used; algebra gained 1.2 points alone for 1.2 of Dickson's.
 * In a document shorter than the smoothing window the context detector counts context words only
 * beside another detector's findings, so a paragraph of an article with none was judged by the
 * classifier alone; physics lets its own words support it there too (`shortDocumentContextWords`).
 * Held out by book, the theory books cut into documents of 8,000 characters lost 91.8 → 93.3%
 * (Einstein's Sidelights 75.5 → 88.8%), the pre-1900 books in documents at most 0.1 point more (J. J.
 * Thomson 0.4 → 0.5%), Crowell's classical chapters 0.2 to 0.4 point, the mixed books' labelled
 * paragraphs the same. In books it took 0.8 point more of Crowell's classical chapters and four
 * more mixed keeps for 0.1 point, so books never get it; computing gained 0.1 point in documents
 * for Turck's 0.4 → 0.8% and leaves it off.
 *
 * The finding's concept is the first concept another detector found in the
 * paragraph, else the document's most frequent one, else the pack's
 * `passage.concept`. With `--concepts`, a paragraph is a finding only when
 * such a concept is one of those chosen (the classifier knows the pack, not
 * its concepts).
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../../corpora/errors.js';
import { errnoMessage } from '../../corpora/user-file.js';
import { PassageModel, sha256Hex, sigmoid } from '../../indexes/classifier/passage-model.js';
import { compareFindings, type Detector, type DetectorResult, type SpanFinding } from '../findings.js';
import type { VocabularyMatch } from './vocabulary.js';
import type { Pack, PassageSettings } from '../pack/schema.js';
import { splitParagraphs } from '../segment/segmenter.js';

const loaded = new Map<string, PassageModel>();

/**
 * A paragraph shorter than this is a finding of the classifier only with another
 * detector's finding inside it. Measured on the physics dev set (single sentences,
 * never trained on): alone, the classifier flagged 3 of 30 pre-1900 statements (on
 * Lorentz's electron theory, Becquerel's rays, Gibbs) and found 11 of 20 paraphrases;
 * n-gram evidence in one sentence is too thin to act on. The semantic detector is the
 * tool for single sentences.
 */
export const PASSAGE_MIN_CHARS = 200;

/**
 * Another detector's finding lowers the bar (`supportMargin`) only for a paragraph from
 * PASSAGE_MIN_CHARS up to this length. Shorter, the classifier's score is too thin to take the
 * sentences around the finding with it ("The barometer fell. Special relativity abolished the
 * ether. The rain gauge filled."); longer, it is not a paragraph but a run of text without
 * breaks (OCR, a scraped page, 50 MB in one line), and one finding says nothing about the rest.
 * 99.9% of the training books' paragraphs of at least 300 characters are shorter than 4,900.
 */
export const SUPPORTED_MAX_CHARS = 5000;

/** The pack's model, read once per process and checked against the sha256 the pack names. */
export function loadPassageModel(settings: PassageSettings): PassageModel {
  const key = `${settings.model}\u0000${settings.sha256}`;
  const known = loaded.get(key);
  if (known) return known;
  let bytes: Buffer;
  try {
    bytes = readFileSync(settings.model);
  } catch (error) {
    throw new UsageError(`cannot read the pack's passage model '${settings.model}': ${errnoMessage(error)}`);
  }
  const digest = sha256Hex(bytes);
  if (digest !== settings.sha256) throw new UsageError(`${settings.model}: sha256 ${digest} is not the ${settings.sha256} the pack names (retrain with lacuna train, or restore the file)`);
  let model: PassageModel;
  try {
    model = PassageModel.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new UsageError(`${settings.model}: ${(error as Error).message}`);
  }
  loaded.set(key, model);
  return model;
}

export interface ScoredParagraphs {
  spans: { start: number; end: number }[];
  /** Each paragraph's logit with its neighbours, before its section is mixed in. */
  own: Float64Array;
  /** Passage logits, one per paragraph. */
  logits: Float64Array;
}

/**
 * A paragraph with a smaller share of letters among its visible characters is not judged by its
 * own words: a word classifier reads a diagram drawn in characters, a table of numbers or a run
 * of symbols by the few letters in it, and those say little. It takes the passage score of the
 * prose around it (passageLogits), as a caption or an equation goes with its passage. Measured
 * held out: Carroll's Symbolic Logic (1896) lost 42.8% to the computing classifier, 33 points of
 * it in such diagrams ("·---|---· All x are m"), whose few letters read like program variables;
 * physics and algebra did not move. Since letters count only in words of two letters or more that
 * are not TeX control words, a displayed formula goes with its passage too (issue 11's "equations
 * inside a removed run go with it"): held out, Neikirk's groups of order p^m (1905), whose proofs
 * are pages of congruences, went from 77.4% to 99.6% lost, Fine's number system (1890, a negative)
 * from 2.6% to 1.9%; physics theory books 93.62 → 93.85%; nothing else moved by 0.2 points.
 */
export const PROSE_MIN_LETTER_SHARE = 0.4;

/**
 * The size of the documents `lacuna train` cuts a book into to choose documentThreshold and measure
 * a short document's rates: the 8,000 characters a review of Lacuna joined a popular relativity book
 * into (it kept 55% of its characters then), and about a web page or a short article.
 */
export const DOCUMENT_CHARS = 8000;

export type DocumentScale = 'paragraph' | 'short' | 'long';

/**
 * How a document of `paragraphs` paragraphs is judged: a paragraph alone, a short document (fewer
 * paragraphs than a passage score is averaged over, `smoothingSpan`), or a long one. Each has its
 * threshold (PassageDetector.thresholdFor) and its held-out rates (the leakage estimate).
 */
export function documentScale(paragraphs: number, smoothingSpan: number): DocumentScale {
  return paragraphs <= 1 ? 'paragraph' : paragraphs < smoothingSpan ? 'short' : 'long';
}

/** Every paragraph of `text` with its passage logit. */
export function scoreParagraphs(model: PassageModel, text: string): ScoredParagraphs {
  const spans = splitParagraphs(text);
  const shares = new Float64Array(spans.length);
  const own = model.logitsOfSpans(text, spans, shares);
  const logits = model.passageLogits(
    own,
    spans.map((span) => span.end - span.start),
    Array.from(shares, (share) => share >= PROSE_MIN_LETTER_SHARE),
  );
  return { spans, own, logits };
}

/** Bands of a paragraph's passage logit below the threshold: what an auditor asks of the kept text. */
export const SCORE_BANDS = ['far below threshold (< t−4)', 'below threshold (t−4 … t−2)', 'just below threshold (t−2 … t)', 'at or above threshold (≥ t)'] as const;
const BAND_EDGES = [-4, -2, 0] as const;

/** The band of a logit against a threshold: an index into SCORE_BANDS. */
export function scoreBand(logit: number, threshold: number): number {
  const below = logit - threshold;
  let band = 0;
  while (band < BAND_EDGES.length && below >= BAND_EDGES[band]) band++;
  return band;
}

/** Whether every finding from `first` on that starts before `end` is a context word of local density only. */
function onlyLocalContext(findings: readonly SpanFinding[], first: number, end: number): boolean {
  for (let k = first; k < findings.length && findings[k].start < end; k++) {
    if (findings[k].detector !== 'context' || findings[k].evidence.density !== 'neighbours') return false;
  }
  return true;
}

export class PassageDetector implements Detector {
  readonly name = 'passage';
  readonly weighsKeeps = true;

  constructor(
    private readonly settings: PassageSettings,
    private readonly model: PassageModel,
    private readonly concepts?: ReadonlySet<string>,
  ) {}

  private get isolatedKeepMargin(): number {
    return this.settings.isolatedKeepMargin ?? this.settings.keepMargin;
  }

  private get localSupportMargin(): number {
    return this.settings.localSupportMargin ?? this.settings.supportMargin;
  }

  static forPack(pack: Pack, concepts?: ReadonlySet<string>): PassageDetector | undefined {
    if (!pack.passage) return undefined;
    return new PassageDetector(pack.passage, loadPassageModel(pack.passage), concepts);
  }

  detect(text: string, unsorted: readonly SpanFinding[] = [], matches: readonly VocabularyMatch[] = []): DetectorResult {
    const { spans, own, logits } = scoreParagraphs(this.model, text);
    const earlier = [...unsorted].sort(compareFindings);
    const keeps = matches.filter((match) => match.entry.kind === 'keep').sort((a, b) => a.start - b.start);
    const fallback = this.documentConcept(earlier);
    const findings: SpanFinding[] = [];
    const suppressed: SpanFinding[] = [];
    let next = 0;
    let nextKeep = 0;
    const threshold = this.thresholdFor(spans.length);
    const supportedThreshold = threshold - Math.max(this.settings.supportMargin, this.localSupportMargin);
    const scoreBands = new Array<number>(SCORE_BANDS.length).fill(0);
    spans.forEach((span, index) => {
      if (span.end - span.start >= PASSAGE_MIN_CHARS) scoreBands[scoreBand(logits[index], threshold)]++;
      if (logits[index] < supportedThreshold) return;
      while (next < earlier.length && earlier[next].end <= span.start) next++;
      while (nextKeep < keeps.length && keeps[nextKeep].end <= span.start) nextKeep++;
      const length = span.end - span.start;
      const inside = next < earlier.length && earlier[next].start < span.end ? earlier[next].concept : undefined;
      // A paragraph alone, or one of a short document (shortDocumentContextWords), may be supported by
      // its own context words instead (isolatedContextWords).
      const context = inside === undefined && this.countsOwnContextWords(spans.length) ? this.contextSupport(matches, span) : undefined;
      // The finding lowers the bar only where the paragraph is a passage to judge (see SUPPORTED_MAX_CHARS),
      // and by less when all it has is context words, counted by their neighbourhood or by their number.
      const margin = inside === undefined ? (context?.margin ?? this.localSupportMargin) : onlyLocalContext(earlier, next, span.end) ? this.localSupportMargin : this.settings.supportMargin;
      const supported = (inside ?? context?.concept) !== undefined && length >= PASSAGE_MIN_CHARS && length <= SUPPORTED_MAX_CHARS && logits[index] >= threshold - margin;
      if (!supported && (logits[index] < threshold || length < PASSAGE_MIN_CHARS)) return;
      const namesKeep = nextKeep < keeps.length && keeps[nextKeep].start < span.end;
      const concept = inside ?? context?.concept ?? fallback;
      if (concept === undefined) return;
      // A keep context shields only a paragraph that is not the target by its own score (with its
      // neighbours, before its section is mixed in) by the keep margin to spare; a paragraph alone
      // has its own margin over its own threshold.
      const shielded = namesKeep && inside === undefined && own[index] < threshold + (spans.length === 1 ? this.isolatedKeepMargin : this.settings.keepMargin);
      (shielded ? suppressed : findings).push({
        start: span.start,
        end: span.end,
        concept,
        detector: this.name,
        score: Math.round(sigmoid(logits[index]) * 1e4) / 1e4,
        evidence: {
          rule: 'passage',
          match: `passage score ${logits[index].toFixed(2)} ≥ ${logits[index] >= threshold ? threshold : `${Number((threshold - margin).toFixed(6))} with ${inside !== undefined ? `a ${inside} finding inside` : `${context!.words} context words of ${context!.concept}`}`}`,
          support: `model ${this.settings.sha256.slice(0, 12)}`,
        },
      });
    });
    return { findings, suppressed, scoreBands };
  }

  /**
   * The threshold for a document of `paragraphs` paragraphs. A paragraph alone is scored without
   * neighbours or section; a document shorter than the smoothing window (an article, a web page)
   * averages each score over fewer neighbours than a book does: each has a threshold of its own,
   * chosen at the same budget on scores taken the same way. Measured held out before the document
   * threshold, the physics pre-1900 books cut into 2,000-character documents lost up to 8.7% (Maxwell's
   * five papers; 0.4% in the book) at the book's threshold.
   */
  thresholdFor(paragraphs: number): number {
    const { threshold, isolatedThreshold, documentThreshold } = this.settings;
    const scale = documentScale(paragraphs, this.model.smoothingSpan);
    return scale === 'paragraph' ? (isolatedThreshold ?? threshold) : scale === 'short' ? (documentThreshold ?? threshold) : threshold;
  }

  /**
   * Whether a paragraph of a document of `paragraphs` paragraphs is supported by its own context
   * words: alone, and with `shortDocumentContextWords` in a document shorter than the smoothing
   * window, never in a book.
   */
  private countsOwnContextWords(paragraphs: number): boolean {
    const scale = documentScale(paragraphs, this.model.smoothingSpan);
    return scale === 'paragraph' || (scale === 'short' && this.settings.shortDocumentContextWords === true);
  }

  /**
   * The concept with the most distinct context words (the pack's `context` entries) in `span` (the
   * first such concept in text order on a tie) and the margin they earn (isolatedContextMargin);
   * undefined when they earn none. A word counts once however it is inflected ("clocks" is the
   * entry "clock"), and once wherever several entries read the same stretch of text
   * ("measuring-rod" is also "measuring rod", "rod" and "rods").
   */
  private contextSupport(matches: readonly VocabularyMatch[], span: { start: number; end: number }): { concept: string; words: number; margin: number } | undefined {
    if (this.settings.isolatedContextWords === undefined) return undefined;
    const inSpan = matches.filter((match) => match.entry.kind === 'context' && match.start >= span.start && match.end <= span.end).sort((a, b) => a.start - b.start || b.end - a.end);
    const counted = new Map<string, { words: Set<string>; end: number }>();
    let best: { concept: string; words: number } | undefined;
    for (const match of inSpan) {
      const concept = match.entry.concept;
      let state = counted.get(concept);
      if (!state) counted.set(concept, (state = { words: new Set(), end: -1 }));
      // Sorted by start, longest first: a match inside or across one already counted reads the same words.
      if (match.start < state.end) continue;
      state.end = match.end;
      state.words.add(match.entry.match.toLowerCase());
      if (state.words.size > (best?.words ?? 0)) best = { concept, words: state.words.size };
    }
    const margin = best === undefined ? 0 : this.isolatedContextMargin(best.words);
    return margin > 0 ? { ...best!, margin } : undefined;
  }

  /**
   * How far under the isolated threshold `words` distinct context words of one concept take a lone
   * paragraph: the local margin from `isolatedContextWords` words on, `isolatedContextWordStep` less
   * for each word fewer (none without a step). What the packs' step of 1 (two words at 1, three
   * at 2) did held out by book is in the comment at the top of this file.
   */
  isolatedContextMargin(words: number): number {
    const { isolatedContextWords: needed, isolatedContextWordStep: step } = this.settings;
    if (needed === undefined) return 0;
    if (words >= needed) return this.localSupportMargin;
    return step === undefined ? 0 : Math.max(0, this.localSupportMargin - step * (needed - words));
  }

  /** The concept found most often in the document, or the pack's default; undefined when neither is chosen. */
  private documentConcept(earlier: readonly SpanFinding[]): string | undefined {
    const counts = new Map<string, number>();
    for (const finding of earlier) counts.set(finding.concept, (counts.get(finding.concept) ?? 0) + 1);
    let best: string | undefined;
    for (const [concept, count] of counts) if (best === undefined || count > counts.get(best)!) best = concept;
    const chosen = best ?? this.settings.concept;
    return !this.concepts || this.concepts.has(chosen) ? chosen : undefined;
  }
}
