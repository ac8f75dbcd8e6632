import { describe, expect, it } from 'vitest';
import { PARAGRAPH_MAX_CHARS, segment, splitParagraphs } from '../maskers/segment/segmenter.js';

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

describe('paragraphs without blank lines', () => {
  const paragraphTexts = (text: string) => splitParagraphs(text).map((span) => text.slice(span.start, span.end));
  const prose = (label: string, sentences: number) =>
    Array.from({ length: sentences }, (_, i) => `In the ${label} paragraph, sentence ${i + 1} says how the light of a distant star reaches the observer.`).join(' ');
  const wrap = (paragraph: string) => paragraph.replace(/(.{1,68})(?:\s+|$)/g, '$1\n').trim();

  it('reads one paragraph per line as web text and datasets write it, the same paragraphs and sentences as with blank lines', () => {
    const paragraphs = ['A heading', prose('first', 4), prose('second', 3), prose('third', 5)];
    const web = paragraphs.join('\n');
    const book = paragraphs.join('\n\n');
    expect(paragraphTexts(web)).toEqual(paragraphs);
    expect(paragraphTexts(web)).toEqual(paragraphTexts(book));
    expect(segment(web).sentences.map((span) => web.slice(span.start, span.end))).toEqual(segment(book).sentences.map((span) => book.slice(span.start, span.end)));
  });

  it('keeps a wrapped paragraph whole, and cuts a long run of wrapped lines where a short line ends a sentence or the next is indented', () => {
    const one = wrap(prose('only', 8));
    expect(paragraphTexts(one)).toEqual([one]);
    const parts = [wrap(prose('first', 20)), wrap(prose('second', 25)), wrap(prose('third', 22))];
    // As text extracted from a scan often comes: no blank line anywhere.
    expect(paragraphTexts(parts.join('\n'))).toEqual(parts);
    const indented = parts.map((part, i) => (i === 0 ? part : `    ${part}`)).join('\n');
    expect(paragraphTexts(indented).map((text) => text.trim())).toEqual(parts);
  });

  it('joins wrapped lines written with a blank line after each into their paragraphs, and leaves a list or code as it is', () => {
    const parts = [wrap(prose('first', 5)), wrap(prose('second', 4))];
    const doubleSpaced = parts.map((part) => part.split('\n').join('\n\n')).join('\n\n');
    expect(paragraphTexts(doubleSpaced).map((text) => text.replace(/\n\n/g, '\n'))).toEqual(parts);
    const list = 'The screen\n\nThe keyboard\n\nA printer\n\nA disk drive\n\nA mouse';
    expect(paragraphTexts(list)).toEqual(['The screen', 'The keyboard', 'A printer', 'A disk drive', 'A mouse']);
    const code = '(define (square x)\n\n(* x x))\n\n(square 21)\n\n(square (+ 2 5))';
    expect(paragraphTexts(code)).toHaveLength(4);
  });

  it('cuts a page with no line break at sentence ends into pieces under PARAGRAPH_MAX_CHARS, and an unbroken run at spaces', () => {
    const page = prose('long', 120);
    const pieces = splitParagraphs(page);
    expect(pieces.length).toBeGreaterThan(3);
    for (const piece of pieces) {
      expect(piece.end - piece.start).toBeLessThanOrEqual(PARAGRAPH_MAX_CHARS);
      expect(page.slice(piece.end - 1, piece.end)).toBe('.');
    }
    // Every character is in one piece, in order.
    expect(pieces.map((piece) => page.slice(piece.start, piece.end)).join(' ')).toBe(page);
    const run = 'word '.repeat(3000).trim();
    const cut = splitParagraphs(run);
    expect(cut.length).toBeGreaterThan(2);
    for (const piece of cut) expect(piece.end - piece.start).toBeLessThanOrEqual(PARAGRAPH_MAX_CHARS);
    expect(cut.map((piece) => run.slice(piece.start, piece.end)).join(' ')).toBe(run);
  });
});
