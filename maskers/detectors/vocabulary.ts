/**
 * Every phrase a pack names (terms, variants, keep contexts, people, context
 * words) in one phrase matcher, so a document is tokenised and matched once
 * and every detector reads the same matches, as an NLP pipeline shares one
 * parsed document between its components.
 */
import type { Pack } from '../pack/schema.js';
import { CueHits, findClaims, type VocabularyClaim } from './claims.js';
import { phraseWords, PhraseMatcher } from './phrase-matcher.js';
import { stemKey } from './stem.js';

/**
 * `cue`: a phrase of a claim, never returned by `scan`; `claim`: a claim found (claims.ts); `control`: a word a
 * control probe rests on (in a vocabulary only when asked for, see `only`: the collateral check).
 */
export type VocabularyKind = 'term' | 'variant' | 'keep' | 'person' | 'context' | 'field' | 'cue' | 'claim' | 'control';

export interface VocabularyEntry {
  kind: VocabularyKind;
  /** Concept id; empty for pack-wide keep contexts. */
  concept: string;
  /** The entry as the pack writes it. */
  match: string;
  /** For people: a whole name of several words rather than a surname or alias. */
  fullName?: boolean;
  /** For people: mentions count only in a sentence about the concept. */
  needsContext?: boolean;
  /** For people: a bare surname counts in any sentence. */
  alwaysCounts?: boolean;
  /** For keep terms: the label of their keep context. */
  label?: string;
  /** For claim cues and claims: the claim (an index into `PackVocabulary.claims`). */
  claim?: number;
  /** For claim cues: the group the phrase belongs to (its `unless` phrases: the group after the last). */
  group?: number;
  /** For control words: the probe's id. */
  probe?: string;
}

export interface VocabularyMatch {
  entry: VocabularyEntry;
  start: number;
  end: number;
}

/**
 * Combining forms that writers join to the next word with a hyphen or a space as often as solidly:
 * "semi-conductor" (an MMLU question writes it so), "super-conductivity", "photo-diode",
 * "thermo-nuclear", "anti-particle", "radio-carbon" (the 1910s–1920s wrote "radio-active" throughout).
 * No form is the start of another, so the order does not matter. The split is not checked against a
 * dictionary: "seminvariant" gives "semi nvariant", which matches nothing.
 */
const SPLIT_PREFIXES = ['spectro', 'electro', 'thermo', 'photo', 'radio', 'micro', 'super', 'ultra', 'semi', 'nano', 'anti', 'opto'];
/** The rest of the word must be a word of its own, not an ending ("photon" is not "photo-n"). */
const SPLIT_REST = 4;

/**
 * A one-word phrase that starts with a combining form, split after it ("semi conductor", which the
 * matcher reads as "semi-conductor" too), or undefined.
 */
export function splitAtPrefix(words: readonly string[]): string | undefined {
  if (words.length !== 1) return undefined;
  const word = words[0];
  const lower = word.toLowerCase();
  for (const prefix of SPLIT_PREFIXES) {
    if (!lower.startsWith(prefix)) continue;
    const rest = word.slice(prefix.length);
    if (rest.length < SPLIT_REST || !/^\p{L}+$/u.test(rest)) return undefined;
    return `${word.slice(0, prefix.length)} ${rest}`;
  }
  return undefined;
}

export class PackVocabulary {
  readonly entries: VocabularyEntry[] = [];
  private readonly phrases: string[] = [];
  private readonly matcher: PhraseMatcher;
  /** Concept ids in pack order (restricted to the chosen concepts). */
  readonly conceptIds: string[];
  /** Every claim of the chosen concepts; a cue entry's `claim` indexes this. */
  readonly claims: VocabularyClaim[] = [];
  /** The entry a found claim is reported with, one per claim. */
  private readonly claimEntries: VocabularyEntry[] = [];
  /** The kinds of entry this vocabulary holds, when not all (see the constructor). */
  private readonly only?: ReadonlySet<VocabularyKind>;

  /**
   * `only`, when given, limits the vocabulary to entries of those kinds: a scan for keep contexts
   * alone (the collateral check) reads the text without stemming every word a cue or field word
   * might be.
   */
  constructor(pack: Pack, concepts?: ReadonlySet<string>, only?: ReadonlySet<VocabularyKind>) {
    const chosen = pack.concepts.filter((concept) => !concepts || concepts.has(concept.id));
    this.conceptIds = chosen.map((concept) => concept.id);
    this.only = only;
    for (const context of pack.keep) for (const term of context.terms) this.addWithJoined({ kind: 'keep', concept: '', match: term, label: context.label });
    for (const concept of chosen) {
      for (const term of concept.terms) this.addWithJoined({ kind: 'term', concept: concept.id, match: term });
      for (const variant of concept.variants) this.addWithJoined({ kind: 'variant', concept: concept.id, match: variant });
      for (const context of concept.keep) for (const term of context.terms) this.addWithJoined({ kind: 'keep', concept: concept.id, match: term, label: context.label });
      for (const word of concept.context) this.add({ kind: 'context', concept: concept.id, match: word }, word);
      for (const claim of concept.claims) {
        const index = this.claims.push({ concept: concept.id, label: claim.label, groups: claim.all.length, window: claim.window }) - 1;
        this.claimEntries.push({ kind: 'claim', concept: concept.id, match: claim.label, claim: index });
        [...claim.all, claim.unless].forEach((phrases, group) => {
          // Phrases that match the same words ("particle" and "particles") are one cue: each match costs.
          const keys = new Set<string>();
          for (const phrase of phrases) {
            const key = phraseWords(phrase).map(stemKey).join(' ');
            if (keys.has(key)) continue;
            keys.add(key);
            this.add({ kind: 'cue', concept: concept.id, match: phrase, claim: index, group }, phrase);
          }
        });
      }
      for (const person of concept.people) {
        const entry = { kind: 'person', concept: concept.id, match: person.name, needsContext: person.needsContext, alwaysCounts: person.alwaysCounts } as const;
        this.add({ ...entry, fullName: phraseWords(person.name).length > 1 }, person.name);
        for (const alias of person.aliases) {
          // "A. Einstein" is found as "Einstein" with its initials (see entity.ts). An alias is a
          // surname, even of two words ("de Broglie", "von Neumann"): it needs a sentence about the field.
          const surname = phraseWords(alias).filter((word) => word.length > 1);
          this.add({ ...entry, fullName: false }, surname.join(' '));
        }
      }
    }
    // The field at large (force, lens, circuit): what makes a sentence one about the pack's science.
    for (const word of pack.field) this.add({ kind: 'field', concept: '', match: word }, word);
    // Control probes' evidence words, of every concept: only a vocabulary built to find them has them.
    if (only?.has('control')) {
      for (const concept of pack.concepts) {
        for (const probe of concept.probes) if (probe.kind === 'control') for (const word of probe.evidence) this.add({ kind: 'control', concept: concept.id, match: word, probe: probe.id }, word);
      }
    }
    this.matcher = new PhraseMatcher(this.phrases);
  }

  private add(entry: VocabularyEntry, phrase: string): void {
    if (this.only && !this.only.has(entry.kind)) return;
    this.entries.push(entry);
    this.phrases.push(phrase);
  }

  /**
   * "space-time" and "half life" are also written "spacetime" and "halflife"; and the other way,
   * "semiconductor" and "thermonuclear" are also written "semi-conductor" and "thermo-nuclear"
   * (splitAtPrefix).
   */
  private addWithJoined(entry: VocabularyEntry): void {
    this.add(entry, entry.match);
    const variant = { ...entry, kind: entry.kind === 'term' ? 'variant' : entry.kind } as const;
    const words = phraseWords(entry.match);
    if (words.length > 1) this.add(variant, words.join(''));
    const split = splitAtPrefix(words);
    if (split) this.add(variant, split);
  }

  /**
   * Every vocabulary match in the text, ordered by end offset, and every claim found (kind `claim`,
   * spanning its cues); the cues themselves are not returned.
   */
  scan(text: string): VocabularyMatch[] {
    const matches: VocabularyMatch[] = [];
    const cues = new CueHits();
    this.matcher.scanEach(text, (phrase, start, end) => {
      const entry = this.entries[phrase];
      if (entry.kind === 'cue') cues.push(entry.claim!, entry.group!, start, end);
      else matches.push({ entry, start, end });
    });
    const claims = findClaims(text, cues, this.claims);
    if (claims.length === 0) return matches;
    for (const { claim, start, end } of claims) matches.push({ entry: this.claimEntries[claim], start, end });
    return matches.sort((a, b) => a.end - b.end);
  }
}
