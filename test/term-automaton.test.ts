import { describe, expect, it } from 'vitest';
import { foldPattern } from '../maskers/detectors/fold.js';
import { TermAutomaton } from '../maskers/detectors/term-automaton.js';

/** The obvious quadratic search, as the reference the automaton must agree with. */
function naive(terms: string[], text: string): string[] {
  const folded = text.split('').map((char) => foldPattern(char) || ' ').join('');
  const found: string[] = [];
  terms.forEach((term, index) => {
    const pattern = foldPattern(term);
    for (let at = folded.indexOf(pattern); at !== -1; at = folded.indexOf(pattern, at + 1)) found.push(`${index}@${at}-${at + pattern.length}`);
  });
  return found.sort();
}

function scanned(terms: string[], text: string): string[] {
  return new TermAutomaton(terms)
    .scan(text)
    .map((match) => `${match.term}@${match.start}-${match.end}`)
    .sort();
}

describe('TermAutomaton', () => {
  it('agrees with a naive search on random text over a small alphabet (overlaps, suffixes, shared prefixes)', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const alphabet = 'abcAB';
    const word = (length: number) => Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
    for (let round = 0; round < 50; round++) {
      const terms = Array.from({ length: 1 + Math.floor(random() * 12) }, () => word(1 + Math.floor(random() * 4)));
      const text = word(400);
      expect(scanned(terms, text)).toEqual(naive(terms, text));
    }
  });

  it('folds case, diacritics and typographic punctuation without moving offsets', () => {
    const text = 'Then SCHRÖDINGER’s equation and Schrodinger\u2019s cat.';
    const matches = new TermAutomaton(["schrodinger's"]).scan(text);
    expect(matches.map((match) => text.slice(match.start, match.end))).toEqual(['SCHRÖDINGER’s', 'Schrodinger\u2019s']);
  });

  it('matches a term across a line break and collapsed spaces, but not across a blank line', () => {
    const text = 'the special\r\n   relativity of 1905; special\n\nrelativity apart';
    const matches = new TermAutomaton(['special relativity']).scan(text);
    expect(matches).toHaveLength(1);
    expect(text.slice(matches[0].start, matches[0].end)).toBe('special\r\n   relativity');
  });

  it('handles non-ASCII terms through the map transitions', () => {
    const text = 'Ψ-function and ψ-Function and Ω';
    const matches = new TermAutomaton(['ψ-function', 'ω']).scan(text);
    expect(matches.map((match) => text.slice(match.start, match.end))).toEqual(['Ψ-function', 'ψ-Function', 'Ω']);
  });
});
