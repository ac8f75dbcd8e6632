import { describe, expect, it } from 'vitest';
import { segment } from '../maskers/segment/segmenter.js';

const sentences = (text: string) => segment(text).sentences.map((span) => text.slice(span.start, span.end));

describe('segment', () => {
  it('splits plain sentences and keeps exact offsets', () => {
    const text = '  First one. Second one!  Third one?\n';
    expect(sentences(text)).toEqual(['First one.', 'Second one!', 'Third one?']);
  });

  it('does not split after abbreviations, initials or inside decimals', () => {
    const text = 'See Fig. 3 and Eq. 12, e.g. the ratio 3.14 found by Prof. Rowland. J. J. Thomson measured e/m in 1897. The value was 1.7 x 10^7.';
    expect(sentences(text)).toEqual(['See Fig. 3 and Eq. 12, e.g. the ratio 3.14 found by Prof. Rowland.', 'J. J. Thomson measured e/m in 1897.', 'The value was 1.7 x 10^7.']);
  });

  it('does not split inside inline equations or after i.e., Mr. and Dr.', () => {
    const text = 'Then E = m c^2. The value of c. is large, i.e. about 3 x 10^10 cm. per second. Mr. Michelson and Dr. Morley agreed.';
    expect(sentences(text)).toEqual(['Then E = m c^2.', 'The value of c. is large, i.e. about 3 x 10^10 cm. per second.', 'Mr. Michelson and Dr. Morley agreed.']);
  });

  it('keeps a section number at the start of a line with its heading', () => {
    const text = 'Results follow.\n3. The interferometer was mounted on stone.';
    expect(sentences(text)).toEqual(['Results follow.', '3. The interferometer was mounted on stone.']);
  });

  it('splits paragraphs on blank lines, CRLF included, and never lets a sentence cross them', () => {
    const text = 'One para\r\nwrapped line\r\n\r\nSecond para. Two sentences.';
    const result = segment(text);
    expect(result.paragraphs.map((span) => text.slice(span.start, span.end))).toEqual(['One para\r\nwrapped line', 'Second para. Two sentences.']);
    expect(result.sentences.map((sentence) => sentence.paragraph)).toEqual([0, 1, 1]);
  });

  it('leaves only whitespace between sentences', () => {
    const text = 'Alpha (beta). "Gamma." Delta… Epsilon?! zeta. Eta';
    const spans = segment(text).sentences;
    for (let i = 1; i < spans.length; i++) expect(text.slice(spans[i - 1].end, spans[i].start)).toMatch(/^\s+$/);
    expect(spans[0].start).toBe(0);
    expect(spans[spans.length - 1].end).toBe(text.length);
  });
});
