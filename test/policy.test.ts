import { describe, expect, it } from 'vitest';
import { applyEdits } from '../maskers/edits.js';
import type { SpanFinding } from '../maskers/findings.js';
import { decide, decideTogether, type PolicyOptions } from '../maskers/policy.js';
import { segment } from '../maskers/segment/segmenter.js';

const defaults: PolicyOptions = { unit: 'sentence', redact: false, placeholder: '[MASKED]', maxFlagged: 1, minScore: 0 };

/** Findings on every occurrence of `word`. */
function findingsFor(text: string, word: string): SpanFinding[] {
  const out: SpanFinding[] = [];
  for (let at = text.indexOf(word); at !== -1; at = text.indexOf(word, at + 1)) {
    out.push({ start: at, end: at + word.length, concept: 'c', detector: 'test', score: 1, evidence: { rule: 'term', match: word } });
  }
  return out;
}

function mask(text: string, word: string, options: Partial<PolicyOptions> = {}) {
  const decision = decide(text, segment(text), findingsFor(text, word), { ...defaults, ...options });
  return { decision, text: decision.action === 'edit' ? applyEdits(text, decision.edits) : decision.action === 'drop' ? null : text };
}

describe('policy', () => {
  it('removes a flagged sentence in the middle with the space after it', () => {
    expect(mask('Alpha one. Beta X two. Gamma three.', 'X').text).toBe('Alpha one. Gamma three.');
  });

  it('removes the last sentences of a paragraph with the space before them', () => {
    expect(mask('Alpha one. Beta X two. Gamma X three.\n\nNext para.', 'X').text).toBe('Alpha one.\n\nNext para.');
  });

  it('removes a whole paragraph with one paragraph break', () => {
    expect(mask('Para one.\n\nX here. X there.\n\nPara three.', 'X').text).toBe('Para one.\n\nPara three.');
    expect(mask('Para one.\n\nX at the end.\n', 'X').text).toBe('Para one.\n');
    expect(mask('X first.\n\nPara two.', 'X').text).toBe('Para two.');
  });

  it('emits one contiguous edit per removed unit, each with its concept', () => {
    const { decision } = mask('Keep. X a. X b. Keep too.', 'X');
    expect(decision.edits.map((edit) => [edit.start, edit.end, edit.unit])).toEqual([
      [6, 11, 'sentence'],
      [11, 16, 'sentence'],
    ]);
  });

  it('removes paragraphs with --unit paragraph', () => {
    expect(mask('Keep this. And this.\n\nOne X. Two clean.\n\nLast.', 'X', { unit: 'paragraph' }).text).toBe('Keep this. And this.\n\nLast.');
  });

  it('drops the document with --unit document or over --max-flagged', () => {
    expect(mask('Keep. One X. Clean.', 'X', { unit: 'document' }).decision.action).toBe('drop');
    expect(mask('X one. X two. Clean.', 'X', { maxFlagged: 0.5 }).decision.action).toBe('drop');
    expect(mask('X one. Clean. Clean.', 'X', { maxFlagged: 0.5 }).decision.action).toBe('edit');
  });

  it('redacts with a placeholder and leaves the spacing alone', () => {
    expect(mask('Alpha. Beta zap.\n\nGamma zap. Delta.', 'zap', { redact: true }).text).toBe('Alpha. [MASKED]\n\n[MASKED] Delta.');
  });

  it('records but does not act on findings below --min-score', () => {
    const text = 'Alpha one. Beta zap two. Gamma three.';
    const weak = findingsFor(text, 'zap').map((finding) => ({ ...finding, score: 0.5 }));
    expect(decide(text, segment(text), weak, { ...defaults, minScore: 0.6 }).action).toBe('keep');
    expect(decide(text, segment(text), weak, { ...defaults, minScore: 0.5 }).action).toBe('edit');
  });

  it('keeps a document without findings untouched', () => {
    expect(mask('Nothing here.', 'X').decision).toMatchObject({ action: 'keep', edits: [] });
  });
});

describe('policy: short paragraphs go with the passage around them', () => {
  it('takes an equation between two removed paragraphs, and a heading whose paragraph goes', () => {
    const text = 'Kept prose stays here.\n\nHEADING OF THE SECTION\n\nX one. X two.\n\nE = m c^2 / 2\n\nX three.\n\nKept again at the end.';
    expect(mask(text, 'X').text).toBe('Kept prose stays here.\n\nKept again at the end.');
  });

  it('keeps a short paragraph that ends a kept passage, and one before a kept paragraph', () => {
    const text = 'Kept prose stays here.\n\nA short closing line.\n\nX one. X two.\n\nA short line.\n\nKept again.';
    expect(mask(text, 'X').text).toBe('Kept prose stays here.\n\nA short closing line.\n\nA short line.\n\nKept again.');
  });

  it('keeps a short sentence of prose, a table of observations and a fragment between two removed paragraphs', () => {
    const text = 'Kept prose stays here.\n\nX one. X two.\n\nThe results were negative.\n\nX three.\n\nJuly 8\n44.7\n44.0\n43.5\n\nX four.\n\nWe have\n\nX five.\n\nKept again.';
    expect(mask(text, 'X').text).toBe('Kept prose stays here.\n\nThe results were negative.\n\nJuly 8\n44.7\n44.0\n43.5\n\nWe have\n\nKept again.');
  });
});

describe('policy: one paragraph of prose between two removed paragraphs goes with them', () => {
  const prose = (words: string) => `${words} ${'and the argument goes on in plain words for a while, '.repeat(3)}to its end.`;

  it('takes it, past a short equation on either side, under the concept before it', () => {
    const middle = prose('The worked example');
    const text = `Kept prose stays here.\n\nX one. X two.\n\nE = m c^2 / 2\n\n${middle}\n\nX three.\n\nKept again at the end.`;
    const { decision, text: masked } = mask(text, 'X');
    expect(middle.length).toBeGreaterThanOrEqual(160);
    expect(masked).toBe('Kept prose stays here.\n\nKept again at the end.');
    expect(decision.edits.every((edit) => edit.concept === 'c')).toBe(true);
  });

  it('keeps two paragraphs in a row, one with a removed paragraph on one side only, and a long table of numbers', () => {
    const first = prose('The first kept paragraph');
    const second = prose('The second kept paragraph');
    const table = Array.from({ length: 40 }, (_, i) => `${1880 + i}  ${(44.7 - i / 10).toFixed(1)}  ${(12.3 + i / 7).toFixed(2)}`).join('\n');
    const text = `X one.\n\n${first}\n\n${second}\n\nX two.\n\n${table}\n\nX three.\n\n${prose('The last paragraph')}`;
    expect(table.length).toBeGreaterThanOrEqual(160);
    expect(mask(text, 'X').text).toBe(`${first}\n\n${second}\n\n${table}\n\n${prose('The last paragraph')}`);
  });
});

describe('policy: records of one work decided together (--context-field)', () => {
  // A book stored a paragraph per record: a heading, a prose paragraph, an equation, a second
  // paragraph, a paragraph of three sentences of which one holds a finding, and one without any.
  const texts = [
    '§ 12. The Lorentz Transformation',
    'The X transformation relates the coordinates of one frame to those of another moving past it.',
    "x' = γ (x − v t)",
    'Clocks carried by the moving frame run X slow by the same factor.',
    'Rain fell all day. The X barometer fell. The gauge filled.',
    'The barometer was read at noon. It stood at thirty inches. The wind was from the west. The clouds were low and grey. Nobody went out.',
  ];
  const options = { ...defaults, maxFlagged: 0.34 };
  const findings = texts.map((text) => findingsFor(text, 'X'));

  it('takes the heading and the equation record with the removed records around them, and one sentence of a longer record', () => {
    const decisions = decideTogether(texts, findings, options);
    expect(decisions.map((decision) => decision.action)).toEqual(['drop', 'drop', 'drop', 'drop', 'edit', 'keep']);
    // The heading and the equation hold no finding: they go under the concept of the passage they belong to.
    expect(decisions[0].edits).toEqual([{ start: 0, end: texts[0].length, action: 'drop', concept: 'c', unit: 'document' }]);
    expect(applyEdits(texts[4], decisions[4].edits)).toBe('Rain fell all day. The gauge filled.');
    expect(decisions[4]).toMatchObject({ sentences: 3, flaggedSentences: 1 });
    // Alone, each record is a document of its own: the heading and the equation hold no finding and stay.
    const alone = texts.map((text, at) => decide(text, segment(text), findings[at], options));
    expect(alone.map((decision) => decision.action)).toEqual(['keep', 'drop', 'keep', 'drop', 'edit', 'keep']);
  });

  it('gives each record the same text the joined document keeps', () => {
    const joined = texts.join('\n\n');
    const whole = decide(joined, segment(joined), findingsFor(joined, 'X'), options);
    const kept = decideTogether(texts, findings, options).flatMap((decision, at) => (decision.action === 'drop' ? [] : [decision.action === 'edit' ? applyEdits(texts[at], decision.edits) : texts[at]]));
    expect(kept.join('\n\n')).toBe(applyEdits(joined, whole.edits));
    // Past --max-flagged over the whole run (3 of its 13 sentences), every record goes, as the document would.
    const strict = decideTogether(texts, findings, { ...options, maxFlagged: 0.2 });
    expect(strict.every((decision) => decision.action === 'drop')).toBe(true);
    // Redacted, a record keeps its placeholders: the heading's two sentences ("§ 12." and its title), as in the document.
    const redacted = decideTogether(texts, findings, { ...options, redact: true });
    expect(redacted.map((decision) => decision.action)).toEqual(['edit', 'edit', 'edit', 'edit', 'edit', 'keep']);
    expect(applyEdits(texts[0], redacted[0].edits)).toBe('[MASKED] [MASKED]');
  });
});
