/**
 * Claims: the target stated in ordinary words ("No signal can travel faster
 * than light", "Energy and mass are two forms of the same thing"). A pack's
 * claim is a few groups of phrases; it is found where one phrase of every group
 * occurs inside one sentence, all within the claim's window of characters,
 * and none of its `unless` phrases is in that sentence.
 * Each group alone is innocent in a pre-cutoff book ("light", "particles",
 * "electrons"); what only the target says is their meeting.
 *
 * The phrases are matched with the pack's other vocabulary, in the same single
 * pass (vocabulary.ts), so claims cost a scan of the few sentences where a cue
 * of every group is present. The finding spans the cues, from the first one's
 * start to the last one's end; the policy takes the sentence around it.
 */
import { SentenceLocator } from '../segment/segmenter.js';
import type { VocabularyClaim, VocabularyMatch } from './vocabulary.js';

export interface ClaimMatch {
  claim: number;
  start: number;
  end: number;
}

/**
 * Every non-overlapping occurrence of every claim, for each claim the leftmost
 * shortest cover of its groups that fits its window and one sentence.
 */
export function findClaims(text: string, matches: readonly VocabularyMatch[], claims: readonly VocabularyClaim[]): ClaimMatch[] {
  if (claims.length === 0) return [];
  const byClaim = new Map<number, VocabularyMatch[]>();
  for (const match of matches) {
    const claim = match.entry.claim;
    if (match.entry.kind !== 'cue' || claim === undefined) continue;
    let list = byClaim.get(claim);
    if (!list) byClaim.set(claim, (list = []));
    list.push(match);
  }
  const found: ClaimMatch[] = [];
  let sentences: SentenceLocator | undefined;
  for (const [claim, all] of byClaim) {
    const { groups, window } = claims[claim];
    const cues = all.filter((cue) => cue.entry.group! < groups);
    // Cheap test first: most sentences with one cue lack the others.
    if (new Set(cues.map((cue) => cue.entry.group)).size < groups) continue;
    const unless = all.filter((cue) => cue.entry.group === groups);
    cues.sort((a, b) => a.start - b.start || a.end - b.end);
    for (const cover of covers(cues, groups, window)) {
      sentences ??= new SentenceLocator(text);
      const sentence = sentences.around(cover.start, cover.start + 1);
      if (sentence.end < cover.end) continue;
      if (unless.some((cue) => cue.start >= sentence.start && cue.end <= sentence.end)) continue;
      found.push({ claim, start: cover.start, end: cover.end });
    }
  }
  return found.sort((a, b) => a.start - b.start || a.claim - b.claim);
}

/**
 * Minimal windows over cues sorted by start in which every group is present, at most `window`
 * characters long, none overlapping the one before (two pointers: the right end walks the cues,
 * the left end is pulled in while its group is still present further right).
 */
function* covers(cues: readonly VocabularyMatch[], groups: number, window: number): Generator<{ start: number; end: number }> {
  const counts = new Array<number>(groups).fill(0);
  let present = 0;
  let left = 0;
  let lastEnd = -1;
  for (let right = 0; right < cues.length; right++) {
    // A cue inside the cover just found is spent.
    if (cues[right].start < lastEnd) {
      left = right + 1;
      continue;
    }
    if (counts[cues[right].entry.group!]++ === 0) present++;
    while (left < right && counts[cues[left].entry.group!] > 1) counts[cues[left++].entry.group!]--;
    if (present < groups) continue;
    const start = cues[left].start;
    const end = maxEnd(cues, left, right);
    if (end - start <= window) {
      yield { start, end };
      lastEnd = end;
      counts.fill(0);
      present = 0;
      left = right + 1;
    } else {
      // Too wide: the leftmost cue is the only one of its group here, so no cover ends at `right`.
      counts[cues[left++].entry.group!]--;
      present--;
    }
  }
}

function maxEnd(cues: readonly VocabularyMatch[], from: number, to: number): number {
  let end = -1;
  for (let i = from; i <= to; i++) end = Math.max(end, cues[i].end);
  return end;
}
