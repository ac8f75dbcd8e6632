import { describe, expect, it } from 'vitest';
import { phraseWords, PhraseMatcher, unmatchableSeparator } from '../maskers/detectors/phrase-matcher.js';
import { stemKey } from '../maskers/detectors/stem.js';

/** Reference: split the text into words and gaps the slow way and compare key sequences at every word. */
function naive(phrases: string[], text: string): string[] {
  const words = [...text.matchAll(/[\p{L}\p{N}\p{M}]+(?:['’][\p{L}\p{N}\p{M}]+)*/gu)].map((match) => ({ start: match.index, end: match.index + match[0].length, key: stemKey(match[0]) }));
  const joinable = (a: { end: number }, b: { start: number }) => /^\s*[-/]?\s*$/.test(text.slice(a.end, b.start)) && !/\n[^\S\n]*\n/.test(text.slice(a.end, b.start)) && (text.slice(a.end, b.start).length > 0);
  const found: string[] = [];
  phrases.forEach((phrase, index) => {
    const keys = phraseWords(phrase).map(stemKey);
    for (let i = 0; i + keys.length <= words.length; i++) {
      let ok = true;
      for (let k = 0; k < keys.length && ok; k++) ok = words[i + k].key === keys[k] && (k === 0 || joinable(words[i + k - 1], words[i + k]));
      if (ok) found.push(`${index}@${words[i].start}-${words[i + keys.length - 1].end}`);
    }
  });
  return found.sort();
}

function scanned(phrases: string[], text: string): string[] {
  return new PhraseMatcher(phrases)
    .scan(text)
    .map((match) => `${match.phrase}@${match.start}-${match.end}`)
    .sort();
}

describe('PhraseMatcher', () => {
  it('keeps matching after its word cache fills and empties, case folded', () => {
    // 70,000 different words that all start like the phrases (each one a candidate the cache keeps;
    // it is emptied at 32,768), 2,000 of them phrases, read twice by one matcher.
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    const word = (n: number) => `photo${letters[n % 26]}${letters[Math.floor(n / 26) % 26]}${letters[Math.floor(n / 676) % 26]}${letters[Math.floor(n / 17576) % 26]}`;
    // "photon" makes every photo… word a candidate.
    const phrases = [...Array.from({ length: 2000 }, (_, n) => word(n * 35)), 'photon'];
    const matcher = new PhraseMatcher(phrases);
    const words = Array.from({ length: 70_000 }, (_, n) => (n % 2 ? word(n).toUpperCase() : word(n)));
    const text = words.join(' ');
    // Stemming makes "photoaabs" the phrase "photoaab" too: the reference compares stem keys.
    const byKey = new Map<string, number[]>();
    phrases.forEach((phrase, index) => byKey.set(stemKey(phrase), [...(byKey.get(stemKey(phrase)) ?? []), index]));
    const expected: string[] = [];
    let at = 0;
    for (const written of words) {
      for (const index of byKey.get(stemKey(written)) ?? []) expected.push(`${index}@${at}`);
      at += written.length + 1;
    }
    expect(expected.length).toBeGreaterThan(2000);
    for (let pass = 0; pass < 2; pass++) {
      const found = matcher.scan(text).map((match) => `${match.phrase}@${match.start}`);
      expect(found.sort()).toEqual([...expected].sort());
    }
  });

  it('agrees with a naive word-by-word search on random text (overlapping and nested phrases, gaps, inflections)', () => {
    let seed = 11;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    // Short stems with long forms too ("running" is "run", "adding" is "ad"): those once never matched.
    const vocabulary = ['quantum', 'quanta', 'number', 'numbers', 'theory', 'theories', 'space', 'time', 'a', 'of', 'relativity', "Einstein's", 'ray', 'rays', 'run', 'running', 'runs', 'adding', 'added', 'set', 'setting'];
    const gaps = [' ', '  ', '\n', ' - ', '-', '. ', ', ', '\n\n', ' (', '; '];
    const pick = <T,>(list: T[]) => list[Math.floor(random() * list.length)];
    for (let round = 0; round < 40; round++) {
      const phrases = Array.from({ length: 1 + Math.floor(random() * 8) }, () => Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(vocabulary)).join(pick([' ', '-'])));
      let text = '';
      for (let i = 0; i < 300; i++) text += pick(vocabulary) + pick(gaps);
      expect(scanned(phrases, text)).toEqual(naive(phrases, text));
    }
  });

  it('matches the -ing and -ed forms of a word whose stem is short (run, set, ad)', () => {
    const text = 'The clock kept running slow; setting it right, adding the speeds, it runs again.';
    expect(scanned(['running slow', 'set', 'adding', 'run'], text)).toEqual(['0@15-27', '1@29-36', '2@47-53', '3@15-22', '3@69-73'].sort());
  });

  it('matches inflections, possessives, case, diacritics and hyphen/space/line-break variants at exact offsets', () => {
    const text = 'Both QUANTUM NUMBERS; Schrödinger’s equation; the space-\ntime of Einstein\u2019s theory; Schrodinger equations.';
    // A hyphen at a line break inside a word is OCR hyphenation: "space-\ntime" reads as "spacetime",
    // which the pack vocabulary always carries beside "space time" (vocabulary.ts).
    const phrases = ['quantum number', 'Schrodinger equation', 'space time', 'spacetime', "Einstein's theory"];
    const found = new PhraseMatcher(phrases).scan(text).map((match) => text.slice(match.start, match.end));
    expect(found).toEqual(['QUANTUM NUMBERS', 'Schrödinger’s equation', 'space-\ntime', 'Einstein\u2019s theory', 'Schrodinger equations']);
  });

  it('respects word boundaries and does not conflate derivations', () => {
    const found = new PhraseMatcher(['relativity', 'photon', 'laser']).scan('relative relations relativistic photons photonics lasers laserlike');
    expect(found.map((match) => match.phrase)).toEqual([1, 2]);
  });

  it('does not join words across punctuation or a blank line', () => {
    const matcher = new PhraseMatcher(['special relativity']);
    expect(matcher.scan('special. Relativity')).toEqual([]);
    expect(matcher.scan('special\n\nrelativity')).toEqual([]);
    expect(matcher.scan('special\r\n relativity')).toHaveLength(1);
  });

  it('joins two words across one slash as across one hyphen (I/O, AdS/CFT, System/360), not across two', () => {
    // Before, a slash ended the phrase, so the computing pack's "I/O" and "System/360" never matched.
    const phrases = ['I/O', 'AdS/CFT', 'System/360'];
    const text = 'Wait for I/O; the AdS / CFT duality; an IBM System/360; a//o; I-O.';
    expect(new PhraseMatcher(phrases).scan(text).map((match) => text.slice(match.start, match.end))).toEqual(['I/O', 'AdS / CFT', 'System/360', 'I-O']);
    expect(new PhraseMatcher(['and or']).scan('and//or')).toEqual([]);
    expect(scanned(phrases, text)).toEqual(naive(phrases, text));
  });

  it('says which character between the words of a phrase it never reads across, so a pack can be warned', () => {
    expect(unmatchableSeparator('C++ code')).toBe('+');
    expect(unmatchableSeparator('e.g. radium')).toBe('.');
    expect(unmatchableSeparator('x=y')).toBe('=');
    expect(unmatchableSeparator('and//or')).toBe('/');
    expect(unmatchableSeparator('a -- b')).toBe('-');
    for (const fine of ['I/O', 'space-time', "Einstein's theory", 'C++', ' quantum  number ', 'Schrödinger equation']) expect(unmatchableSeparator(fine)).toBeUndefined();
  });

  it('finds a phrase with an apostrophe inside a word, written with either apostrophe (French elision)', () => {
    const phrases = ["groupe de l'équation", "Einstein's theory"];
    expect(scanned(phrases, "Soit G le groupe de l’équation, d'après Einstein’s theory.")).toEqual(['0@10-30', '1@40-57']);
    expect(scanned(phrases, "le groupe de l'équation")).toEqual(naive(phrases, "le groupe de l'équation"));
  });
});
