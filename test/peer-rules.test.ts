/**
 * The peer filter's rules as `npm run bench:peer` reads them from a file in the layout of the
 * GPT-1900 project's clean_full_corpus.py. The file here is written for the test, with patterns
 * of its own (nothing of the peer's list): what is checked is the reading and the three rules.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { peerDrops, pythonPatternList, readPeer } from '../bench/peer-rules.js';
import { tempDir } from './helpers.js';

const PEER_LAYOUT = `import re

ALWAYS_REJECT_PATTERNS = [
    # -- a section comment --
    r"\\bwarp\\s+drive(?:s)?\\b",              # a trailing comment
    r'\\bflux\\s+capacitor\\b',
    r"\\bchronoton\\b(?=.*\\b(?:field|beam)\\b)",
]

CONTEXT_PATTERNS = [
    r"\\bengine\\b",
    r"\\bbeam\\b",
    r"\\bcore\\b",
]

CONTEXT_THRESHOLD = 3

POST_1900_YEAR_RE = re.compile(
    r"\\b(?:19\\d{2}|20[0-2]\\d)\\b"  # matches 1900-2029
)
POST_1900_YEAR_THRESHOLD = 5
`;

describe('the peer filter read from its file (bench:peer)', () => {
  const file = join(tempDir(), 'clean_full_corpus.py');
  writeFileSync(file, PEER_LAYOUT);
  const rules = readPeer(file);

  it('reads raw-string lists past comments, in either quote, and the two thresholds', () => {
    expect(pythonPatternList(PEER_LAYOUT, 'ALWAYS_REJECT_PATTERNS', file)).toEqual(['\\bwarp\\s+drive(?:s)?\\b', '\\bflux\\s+capacitor\\b', '\\bchronoton\\b(?=.*\\b(?:field|beam)\\b)']);
    expect(rules.contextThreshold).toBe(3);
    expect(rules.yearThreshold).toBe(5);
  });

  it('drops on one listed pattern in any case, on five years from 1900 on, or on three context words', () => {
    expect(peerDrops(rules, 'They fitted a WARP DRIVES to the ship.')).toBe(true);
    expect(peerDrops(rules, 'A flux capacitor.')).toBe(true);
    expect(peerDrops(rules, 'The warped drive shaft.')).toBe(false);
    expect(peerDrops(rules, 'In 1901, 1902, 1903, 1904 and 1905 it rained.')).toBe(true);
    expect(peerDrops(rules, 'In 1899, 1902, 1903, 1904 and 1905 it rained.')).toBe(false);
    expect(peerDrops(rules, 'The engine drove a beam across the core.')).toBe(true);
    expect(peerDrops(rules, 'The engine drove a beam.')).toBe(false);
  });

  it('lets a lookahead see only its own line, as Python does without DOTALL', () => {
    expect(peerDrops(rules, 'the chronoton field')).toBe(true);
    expect(peerDrops(rules, 'the chronoton\nfield')).toBe(false);
  });

  it('names the file and what is missing when it is not the peer file', () => {
    expect(() => pythonPatternList('x = 1\n', 'ALWAYS_REJECT_PATTERNS', 'other.py')).toThrow('other.py: no list ALWAYS_REJECT_PATTERNS');
  });
});
