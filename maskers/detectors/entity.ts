/**
 * The entity and date detector: people of the pack, and years after the
 * cutoff attached to the pack's science.
 *
 * People. Full names ("Albert Einstein"), surnames and aliases are found in
 * one pass (phrase-matcher.ts); a mention extends over initials before it
 * ("A. Einstein", "J. J. Thomson"). When a capitalised word follows the
 * mention, compromise reads the sentence: a mention inside what it tags as a
 * place or organisation ("Einstein Street", "the Planck Institute") is not a
 * person. (compromise costs about 2 ms a sentence, so it reads only those.) A full name, initials or a
 * possessive make a person mention count; a bare surname counts in a sentence
 * that speaks of the pack's science at all (a term or context word of any
 * concept, or a word of the pack's `field`: "De Broglie proposed that every
 * particle has a wavelength"): recall first, since a leak costs an experiment
 * and a lost sentence naming post-cutoff scientists costs little. People
 * marked `needsContext` (Cauchy, whose analysis stays) still need a sentence
 * about their own concept.
 *
 * Years. A year after the cutoff counts when its sentence speaks of a concept
 * (a finding of an earlier detector, a person of the concept, or three context
 * words of it): "Chadwick found the neutron in 1932" does, "The Panama Canal
 * opened in 1914" does not. The finding goes to the concept the sentence
 * speaks of most.
 */
import { createRequire } from 'node:module';
import type nlpType from 'compromise';
import type { Pack } from '../pack/schema.js';
import type { Detector, DetectorResult, SpanFinding } from '../findings.js';
import { SentenceLocator, type Span } from '../segment/segmenter.js';
import { phraseWords } from './phrase-matcher.js';
import { PackVocabulary, type VocabularyMatch } from './vocabulary.js';

const YEAR = /\b(1[5-9]\d\d|20\d\d)(s?)\b/g;
// A number is read as a year only where years are written: "in 1905", "by 1932", "the 1920s",
// "(1911)", "May 1919". A bare 2000 in "about $2000$" is a magnitude.
const YEAR_BEFORE = /(?:\b(?:in|of|by|since|until|till|from|after|before|around|circa|c\.|during|year|the|early|late|mid|january|february|march|april|may|june|july|august|september|october|november|december)[\s-]+|\(\s*)$/i;
const INITIALS_BEFORE = /(?:\b\p{Lu}\.\s*){1,3}$/u;
const CAPITALISED_NEXT = /^[ \t]+\p{Lu}/u;
const LATEST_YEAR = new Date().getFullYear() + 1;

export const ENTITY_SCORES = { person: 0.9, surname: 0.8, year: 0.7 } as const;
/** Weight of an earlier finding or a person in a sentence, against 1 for a context word. */
const STRONG_WEIGHT = 10;
/** A year needs a finding or person in its sentence, or three context words of one concept. */
const MIN_YEAR_SUPPORT = 3;

type Nlp = typeof nlpType;
let loaded: Nlp | undefined;
/** Surnames to teach compromise before its first use (see teachCompromise). */
let untaught: Record<string, string> = {};
/**
 * compromise takes a few hundred milliseconds to load, and is asked only about a surname followed by a
 * capitalised word ("Einstein Street"): it is loaded at that first question, not when a detector is
 * built, so a run (or a worker) that never asks never pays.
 */
function nlp(): Nlp {
  loaded ??= createRequire(import.meta.url)('compromise') as Nlp;
  if (Object.keys(untaught).length > 0) {
    loaded.addWords(untaught);
    untaught = {};
  }
  return loaded;
}

/** compromise learns the pack's surnames once per process, before it reads any sentence, so it tags them as people. */
const taught = new Set<string>();
function teachCompromise(names: string[]): void {
  for (const name of names) {
    const parts = phraseWords(name);
    const last = parts[parts.length - 1].toLowerCase();
    if (!taught.has(last)) {
      untaught[last] = 'LastName';
      taught.add(last);
    }
  }
}

/** Whether compromise reads `surname` in `sentence` as part of a place or an organisation. */
function isPlaceOrOrganisation(sentence: string, surname: string): boolean {
  const names = nlp()(sentence).match('(#Place|#Organization)+').out('array') as string[];
  const lower = surname.toLowerCase();
  return names.some((name) => name.toLowerCase().includes(lower));
}

/** Matches sorted by start whose span lies in [start, end). */
function within(sorted: readonly VocabularyMatch[], start: number, end: number): VocabularyMatch[] {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (sorted[middle].start < start) low = middle + 1;
    else high = middle;
  }
  const found: VocabularyMatch[] = [];
  for (let i = low; i < sorted.length && sorted[i].start < end; i++) if (sorted[i].end <= end) found.push(sorted[i]);
  return found;
}

export class EntityDetector implements Detector {
  readonly name = 'entity';
  private readonly cutoff: number;

  constructor(
    pack: Pack,
    concepts?: ReadonlySet<string>,
    private readonly vocabulary = new PackVocabulary(pack, concepts),
  ) {
    this.cutoff = pack.cutoff;
    teachCompromise(vocabulary.entries.filter((entry) => entry.kind === 'person').map((entry) => entry.match));
  }

  /**
   * How strongly a sentence speaks of each concept: a finding of an earlier
   * detector weighs STRONG_WEIGHT, each distinct context word or term 1.
   */
  private conceptScores(sentence: Span, cues: readonly VocabularyMatch[], earlier: readonly SpanFinding[]): Map<string, number> {
    const scores = new Map<string, number>();
    const words = new Set<string>();
    for (const { entry } of within(cues, sentence.start, sentence.end)) {
      const key = `${entry.concept}\u0000${entry.match}`;
      if (words.has(key)) continue;
      words.add(key);
      scores.set(entry.concept, (scores.get(entry.concept) ?? 0) + 1);
    }
    for (const finding of earlier) {
      if (finding.start < sentence.end && finding.end > sentence.start) scores.set(finding.concept, (scores.get(finding.concept) ?? 0) + STRONG_WEIGHT);
    }
    return scores;
  }

  detect(text: string, earlier: readonly SpanFinding[] = [], matches: readonly VocabularyMatch[] = this.vocabulary.scan(text)): DetectorResult {
    const findings: SpanFinding[] = [];
    const sentences = new SentenceLocator(text);
    const byStart = [...matches].sort((a, b) => a.start - b.start);
    const cues = byStart.filter((match) => match.entry.kind === 'context' || match.entry.kind === 'term' || match.entry.kind === 'variant');
    const fieldWords = byStart.filter((match) => match.entry.kind === 'field');
    /** Whether a sentence speaks of the pack's science at all: a cue of any concept or a field word. */
    const aboutTheField = (sentence: Span): boolean => scoresOf(sentence).size > 0 || within(fieldWords, sentence.start, sentence.end).length > 0;
    const cache = new Map<string, Map<string, number>>();
    const scoresOf = (sentence: Span): Map<string, number> => {
      const key = `${sentence.start}:${sentence.end}`;
      let scores = cache.get(key);
      if (!scores) cache.set(key, (scores = this.conceptScores(sentence, cues, earlier)));
      return scores;
    };

    // People. Where "Albert Einstein" and "Einstein" both match, the full name (which ends at the
    // same place and starts earlier) comes first in start order and the surname is skipped.
    const personSentences: { sentence: Span; concept: string }[] = [];
    let lastEnd = -1;
    for (const match of byStart) {
      const entry = match.entry;
      if (entry.kind !== 'person' || match.start < lastEnd) continue;
      const initials = INITIALS_BEFORE.exec(text.slice(Math.max(0, match.start - 12), match.start));
      const start = initials ? match.start - initials[0].length : match.start;
      const mention = text.slice(start, match.end);
      const possessive = /['\u2019]s?$/.test(mention);
      const sentence = sentences.around(start, match.end);
      const sentenceText = text.slice(sentence.start, sentence.end);
      const words = phraseWords(text.slice(match.start, match.end));
      const strong = !entry.needsContext && (entry.alwaysCounts === true || entry.fullName === true || initials !== null || possessive);
      // A bare surname counts in a sentence about the field; anyone who needs context, in one about their own concept.
      if (!strong && !(entry.needsContext ? scoresOf(sentence).get(entry.concept) : aboutTheField(sentence))) continue;
      // Asked last, of a mention that would count: the parser is the costliest check.
      const capitalisedNext = CAPITALISED_NEXT.test(text.slice(match.end, match.end + 40));
      if (capitalisedNext && isPlaceOrOrganisation(sentenceText, words[words.length - 1])) continue;
      lastEnd = match.end;
      findings.push({
        start,
        end: match.end,
        concept: entry.concept,
        detector: this.name,
        score: strong ? ENTITY_SCORES.person : ENTITY_SCORES.surname,
        evidence: { rule: 'person', match: entry.match },
      });
      personSentences.push({ sentence, concept: entry.concept });
    }

    // Years after the cutoff, in sentences about a concept.
    YEAR.lastIndex = 0;
    for (const year of text.matchAll(YEAR)) {
      const value = Number(year[1]);
      if (value <= this.cutoff || value > LATEST_YEAR) continue;
      if (!YEAR_BEFORE.test(text.slice(Math.max(0, year.index - 16), year.index))) continue;
      const start = year.index;
      const end = start + year[0].length;
      const sentence = sentences.around(start, end);
      const scores = new Map(scoresOf(sentence));
      for (const person of personSentences) if (person.sentence.start === sentence.start) scores.set(person.concept, (scores.get(person.concept) ?? 0) + STRONG_WEIGHT);
      // The concept the sentence speaks of most; ties go to the pack's order.
      let best: string | undefined;
      for (const concept of this.vocabulary.conceptIds) if ((scores.get(concept) ?? 0) > (best ? scores.get(best)! : 0)) best = concept;
      if (!best || scores.get(best)! < MIN_YEAR_SUPPORT) continue;
      const support = [...scores].filter(([, score]) => score > 0).map(([concept]) => concept).sort().join(',');
      findings.push({ start, end, concept: best, detector: this.name, score: ENTITY_SCORES.year, evidence: { rule: 'year', match: year[0], support } });
    }
    return { findings, suppressed: [] };
  }
}
