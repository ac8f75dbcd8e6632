/**
 * The three rules of the GPT-1900 project's pre-1900 corpus filter (michaelhla/gpt1900,
 * scripts/pre1900_scripts/clean_full_corpus.py), read from that file at run time so that
 * `npm run bench:peer` can score it on the paragraphs Lacuna is measured on. Nothing of the peer
 * is copied here: the pattern lists come from the file a user points at. Checked against the
 * file's own Python on 38,391 paragraphs: the same decision on every one.
 */
import { readFileSync } from 'node:fs';

export interface PeerRules {
  always: RegExp;
  context: RegExp[];
  contextThreshold: number;
  year: RegExp;
  yearThreshold: number;
}

/** The Python list literal `NAME = [ r"...", ... ]` of the peer's file, as strings. */
export function pythonPatternList(source: string, name: string, file: string): string[] {
  const start = source.indexOf(`${name} = [`);
  if (start < 0) throw new Error(`${file}: no list ${name} (is this the GPT-1900 clean_full_corpus.py?)`);
  const end = source.indexOf('\n]', start);
  const body = source.slice(start, end);
  const patterns: string[] = [];
  // Raw strings only (r"..." or r'...'), as the file writes them; a comment runs to the line's end.
  for (const line of body.split('\n')) {
    const match = /^\s*r(["'])(.*?)\1\s*,?\s*(#.*)?$/.exec(line);
    if (match) patterns.push(match[2]);
  }
  if (patterns.length === 0) throw new Error(`${file}: list ${name} holds no raw-string pattern`);
  return patterns;
}

function pythonNumber(source: string, name: string, file: string): number {
  const match = new RegExp(`^${name}\\s*=\\s*(\\d+)`, 'm').exec(source);
  if (!match) throw new Error(`${file}: no number ${name}`);
  return Number(match[1]);
}

export function readPeer(file: string): PeerRules {
  const source = readFileSync(file, 'utf8');
  const year = /POST_1900_YEAR_RE\s*=\s*re\.compile\(\s*r"([^"]+)"/.exec(source);
  if (!year) throw new Error(`${file}: no POST_1900_YEAR_RE`);
  return {
    always: new RegExp(pythonPatternList(source, 'ALWAYS_REJECT_PATTERNS', file).join('|'), 'iu'),
    context: pythonPatternList(source, 'CONTEXT_PATTERNS', file).map((pattern) => new RegExp(pattern, 'iu')),
    contextThreshold: pythonNumber(source, 'CONTEXT_THRESHOLD', file),
    year: new RegExp(year[1], 'gu'),
    yearThreshold: pythonNumber(source, 'POST_1900_YEAR_THRESHOLD', file),
  };
}

/** Whether the peer drops `text` as a document, in the order it tests. */
export function peerDrops(rules: PeerRules, text: string): boolean {
  if (rules.always.test(text)) return true;
  if ((text.match(rules.year) ?? []).length >= rules.yearThreshold) return true;
  return rules.context.filter((pattern) => pattern.test(text)).length >= rules.contextThreshold;
}

