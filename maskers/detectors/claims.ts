/**
 * Claims: the target stated in ordinary words ("No signal can travel faster
 * than light", "Energy and mass are two forms of the same thing"). A pack's
 * claim is a few groups of phrases; it is found where one phrase of every group
 * occurs inside one sentence, all within the claim's window of characters,
 * and none of its `unless` phrases is in that sentence. Each group alone is
 * innocent in a pre-cutoff book ("light", "particles", "electrons"); what only
 * the target says is their meeting.
 *
 * The phrases are matched with the pack's other vocabulary, in the same single
 * pass (vocabulary.ts). Their occurrences are kept here in typed arrays, not as
 * one object each: cue words are common ("light", "turns", "float"), and a
 * 50 MB document holds millions of them. Only a claim every group of which
 * occurs somewhere in the text is looked at further.
 */
import { SentenceLocator } from '../segment/segmenter.js';

/** A claim of a chosen concept, as the vocabulary numbers them. */
export interface VocabularyClaim {
  concept: string;
  label: string;
  groups: number;
  window: number;
}

export interface ClaimMatch {
  claim: number;
  start: number;
  end: number;
}

/** Occurrences of claim cues: for each, its claim, its group (the claim's `groups` for an `unless` phrase) and span. */
export class CueHits {
  length = 0;
  private data = new Int32Array(4 * 1024);

  push(claim: number, group: number, start: number, end: number): void {
    if (4 * (this.length + 1) > this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    const at = 4 * this.length++;
    this.data[at] = claim;
    this.data[at + 1] = group;
    this.data[at + 2] = start;
    this.data[at + 3] = end;
  }

  claim(index: number): number {
    return this.data[4 * index];
  }

  group(index: number): number {
    return this.data[4 * index + 1];
  }

  start(index: number): number {
    return this.data[4 * index + 2];
  }

  end(index: number): number {
    return this.data[4 * index + 3];
  }
}

interface Cue {
  group: number;
  start: number;
  end: number;
}

/**
 * Every non-overlapping occurrence of every claim, for each claim the leftmost
 * shortest cover of its groups that fits its window and one sentence.
 */
export function findClaims(text: string, hits: CueHits, claims: readonly VocabularyClaim[]): ClaimMatch[] {
  if (hits.length === 0) return [];
  // Cheap test first: most claims lack a group in the whole text.
  const seen = new Int32Array(claims.length);
  for (let i = 0; i < hits.length; i++) {
    const claim = hits.claim(i);
    if (hits.group(i) < claims[claim].groups) seen[claim] |= 1 << hits.group(i);
  }
  // The hits of each claim, as runs of one index array (a counting sort by claim): one pass, not one per claim.
  const first = new Int32Array(claims.length + 1);
  for (let i = 0; i < hits.length; i++) first[hits.claim(i) + 1]++;
  for (let claim = 0; claim < claims.length; claim++) first[claim + 1] += first[claim];
  const next = first.slice(0, claims.length);
  const byClaim = new Int32Array(hits.length);
  for (let i = 0; i < hits.length; i++) byClaim[next[hits.claim(i)]++] = i;
  const found: ClaimMatch[] = [];
  let sentences: SentenceLocator | undefined;
  for (let claim = 0; claim < claims.length; claim++) {
    const { groups, window } = claims[claim];
    if (seen[claim] !== (1 << groups) - 1) continue;
    const cues: Cue[] = [];
    const unless: Cue[] = [];
    for (let k = first[claim]; k < first[claim + 1]; k++) {
      const i = byClaim[k];
      const cue = { group: hits.group(i), start: hits.start(i), end: hits.end(i) };
      (cue.group < groups ? cues : unless).push(cue);
    }
    cues.sort((a, b) => a.start - b.start || a.end - b.end);
    unless.sort((a, b) => a.start - b.start);
    const locator = (sentences ??= new SentenceLocator(text));
    // A cover counts inside one sentence that holds none of the claim's `unless` phrases.
    const acceptable = (start: number, end: number): boolean => {
      const sentence = locator.around(start, start + 1);
      return sentence.end >= end && !anyWithin(unless, sentence.start, sentence.end);
    };
    for (const cover of covers(cues, groups, window, acceptable)) found.push({ claim, start: cover.start, end: cover.end });
  }
  return found.sort((a, b) => a.start - b.start || a.claim - b.claim);
}

/**
 * Minimal windows over cues sorted by start in which every group is present, at most `window`
 * characters long, that `accepts` takes, none overlapping the one before (two pointers: the right
 * end walks the cues, the left end is pulled in while its group is still present further right).
 * A window `accepts` refuses (across two sentences) spends no cue: a later one may use them.
 */
function* covers(cues: readonly Cue[], groups: number, window: number, accepts: (start: number, end: number) => boolean): Generator<{ start: number; end: number }> {
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
    if (counts[cues[right].group]++ === 0) present++;
    while (left < right && counts[cues[left].group] > 1) counts[cues[left++].group]--;
    if (present < groups) continue;
    const start = cues[left].start;
    const end = maxEnd(cues, left, right);
    if (end - start <= window && accepts(start, end)) {
      yield { start, end };
      lastEnd = end;
      counts.fill(0);
      present = 0;
      left = right + 1;
    } else {
      // Too wide, or refused: the leftmost cue is the only one of its group here; drop it and look further.
      counts[cues[left++].group]--;
      present--;
    }
  }
}

/** Whether one of `cues` (sorted by start) lies within [start, end). */
function anyWithin(cues: readonly Cue[], start: number, end: number): boolean {
  let low = 0;
  let high = cues.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (cues[middle].start < start) low = middle + 1;
    else high = middle;
  }
  for (let i = low; i < cues.length && cues[i].start < end; i++) if (cues[i].end <= end) return true;
  return false;
}

function maxEnd(cues: readonly Cue[], from: number, to: number): number {
  let end = -1;
  for (let i = from; i <= to; i++) end = Math.max(end, cues[i].end);
  return end;
}
