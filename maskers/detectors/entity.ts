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
 * possessive make a person mention count; a bare surname counts only in a
 * sentence that speaks of the concept (a term or a context word of the pack).
 *
 * Years. A year after the cutoff counts when its sentence speaks of a concept
 * (a finding of an earlier detector, a person of the concept, or two context
 * words of it): "Chadwick found the neutron in 1932" does, "The Panama Canal
 * opened in 1914" does not. The finding goes to the concept the sentence
 * speaks of most.
 */
import { createRequire } from 'node:module';
import type nlpType from 'compromise';
import type { Concept, Pack } from '../pack/schema.js';
import type { Detector, DetectorResult, SpanFinding } from '../findings.js';
import { sentenceAround, type Span } from '../segment/segmenter.js';
import { phraseWords, PhraseMatcher } from './phrase-matcher.js';

interface PersonEntry {
  concept: string;
  person: string;
  /** The whole name as written in the pack (several words), rather than a surname or alias. */
  fullName: boolean;
}

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
/** A year needs a finding or person in its sentence, or two context words of one concept. */
const MIN_YEAR_SUPPORT = 2;

type Nlp = typeof nlpType;
let loaded: Nlp | undefined;
/** compromise takes a few hundred milliseconds to load; commands that never detect people should not pay for it. */
function nlp(): Nlp {
  return (loaded ??= createRequire(import.meta.url)('compromise') as Nlp);
}

/** compromise learns the pack's surnames once per process, so it tags them as people. */
const taught = new Set<string>();
function teachCompromise(people: PersonEntry[]): void {
  const words: Record<string, string> = {};
  for (const entry of people) {
    const words_ = phraseWords(entry.person);
    const last = words_[words_.length - 1].toLowerCase();
    if (!taught.has(last)) {
      words[last] = 'LastName';
      taught.add(last);
    }
  }
  if (Object.keys(words).length > 0) nlp().addWords(words);
}

/** Whether compromise reads `surname` in `sentence` as part of a place or an organisation. */
function isPlaceOrOrganisation(sentence: string, surname: string): boolean {
  const names = nlp()(sentence).match('(#Place|#Organization)+').out('array') as string[];
  const lower = surname.toLowerCase();
  return names.some((name) => name.toLowerCase().includes(lower));
}

export class EntityDetector implements Detector {
  readonly name = 'entity';
  private readonly people: PersonEntry[] = [];
  private readonly peopleMatcher: PhraseMatcher;
  /** Context words of all concepts in one matcher; entry i belongs to contextConcepts[i]. */
  private readonly contextMatcher: PhraseMatcher;
  private readonly contextConcepts: string[] = [];
  private readonly cutoff: number;
  private readonly conceptOrder: string[];

  constructor(pack: Pack, concepts?: ReadonlySet<string>) {
    this.cutoff = pack.cutoff;
    const chosen = pack.concepts.filter((concept) => !concepts || concepts.has(concept.id));
    this.conceptOrder = chosen.map((concept) => concept.id);
    for (const concept of chosen) this.addPeople(concept);
    this.peopleMatcher = new PhraseMatcher(this.people.map((entry) => entry.person));
    const contextWords: string[] = [];
    for (const concept of chosen) {
      for (const word of [...concept.context, ...concept.terms]) {
        contextWords.push(word);
        this.contextConcepts.push(concept.id);
      }
    }
    this.contextMatcher = new PhraseMatcher(contextWords);
    teachCompromise(this.people);
  }

  private addPeople(concept: Concept): void {
    for (const person of concept.people) {
      const words = phraseWords(person.name);
      this.people.push({ concept: concept.id, person: person.name, fullName: words.length > 1 });
      for (const alias of person.aliases) {
        const aliasWords = phraseWords(alias);
        // "A. Einstein" is found as "Einstein" with its initials; the alias adds nothing then.
        const surname = aliasWords.filter((word) => word.length > 1);
        this.people.push({ concept: concept.id, person: surname.join(' '), fullName: surname.length > 1 });
      }
    }
  }

  /**
   * How strongly the sentence speaks of each concept: a finding of an earlier
   * detector weighs 10, each distinct context word or term 1.
   */
  private conceptScores(text: string, sentence: Span, earlier: readonly SpanFinding[]): Map<string, number> {
    const scores = new Map<string, number>();
    const words = new Set<number>();
    for (const match of this.contextMatcher.scan(text.slice(sentence.start, sentence.end))) {
      if (words.has(match.phrase)) continue;
      words.add(match.phrase);
      const concept = this.contextConcepts[match.phrase];
      scores.set(concept, (scores.get(concept) ?? 0) + 1);
    }
    for (const finding of earlier) {
      if (finding.start < sentence.end && finding.end > sentence.start) scores.set(finding.concept, (scores.get(finding.concept) ?? 0) + STRONG_WEIGHT);
    }
    return scores;
  }

  detect(text: string, earlier: readonly SpanFinding[]): DetectorResult {
    const findings: SpanFinding[] = [];
    const cache = new Map<string, Map<string, number>>();
    const scoresOf = (sentence: Span): Map<string, number> => {
      const key = `${sentence.start}:${sentence.end}`;
      let scores = cache.get(key);
      if (!scores) cache.set(key, (scores = this.conceptScores(text, sentence, earlier)));
      return scores;
    };

    // People.
    const personSentences: { sentence: Span; concept: string }[] = [];
    let lastEnd = -1;
    for (const match of this.peopleMatcher.scan(text)) {
      const entry = this.people[match.phrase];
      // Prefer the full name when "Albert Einstein" and "Einstein" both match.
      if (match.start < lastEnd) continue;
      const initials = INITIALS_BEFORE.exec(text.slice(Math.max(0, match.start - 12), match.start));
      const start = initials ? match.start - initials[0].length : match.start;
      const mention = text.slice(start, match.end);
      const possessive = /['\u2019]s?$/.test(mention);
      const sentence = sentenceAround(text, start, match.end);
      const sentenceText = text.slice(sentence.start, sentence.end);
      const words = phraseWords(entry.person);
      const capitalisedNext = CAPITALISED_NEXT.test(text.slice(match.end, match.end + 40));
      if (capitalisedNext && isPlaceOrOrganisation(sentenceText, words[words.length - 1])) continue;
      const strong = entry.fullName || initials !== null || possessive;
      if (!strong && scoresOf(sentence).size === 0) continue;
      lastEnd = match.end;
      findings.push({
        start,
        end: match.end,
        concept: entry.concept,
        detector: this.name,
        score: strong ? ENTITY_SCORES.person : ENTITY_SCORES.surname,
        evidence: { rule: 'person', match: entry.person },
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
      const sentence = sentenceAround(text, start, end);
      const scores = new Map(scoresOf(sentence));
      for (const person of personSentences) if (person.sentence.start === sentence.start) scores.set(person.concept, (scores.get(person.concept) ?? 0) + STRONG_WEIGHT);
      // The concept the sentence speaks of most; ties go to the pack's order.
      let best: string | undefined;
      for (const concept of this.conceptOrder) if ((scores.get(concept) ?? 0) > (best ? scores.get(best)! : 0)) best = concept;
      if (!best || scores.get(best)! < MIN_YEAR_SUPPORT) continue;
      const support = [...scores].filter(([, score]) => score > 0).map(([concept]) => concept).sort().join(',');
      findings.push({ start, end, concept: best, detector: this.name, score: ENTITY_SCORES.year, evidence: { rule: 'year', match: year[0], support } });
    }
    return { findings, suppressed: [] };
  }
}
