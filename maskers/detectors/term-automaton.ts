/**
 * Aho–Corasick over folded text: one pass finds every occurrence of every
 * term, so the cost per character does not grow with the number of terms.
 *
 * Transitions for ASCII are a dense table completed into a DFA (one array
 * read per character); other characters use per-state maps and failure links.
 * Whitespace runs in the text match a single space in a term, so terms match
 * across line breaks in hard-wrapped text; a blank line (two newlines) is a
 * paragraph break and resets the automaton, so no term spans paragraphs.
 */
import { FOLD, SPACE, foldPattern } from './fold.js';

const ASCII = 128;
const NEWLINE = 0x0a;

export interface TermMatch {
  /** Index into the term list given to the constructor. */
  term: number;
  start: number;
  end: number;
}

export class TermAutomaton {
  private readonly ascii: Int32Array;
  private readonly other: (Map<number, number> | undefined)[] = [];
  private readonly fail: Int32Array;
  /** Term indices that end at each state itself (not via failure links). */
  private readonly outputs: (number[] | undefined)[] = [];
  /** Nearest state along the failure chain that has outputs, or -1. */
  private readonly outputLink: Int32Array;
  private readonly termLengths: number[];
  private readonly maxLength: number;
  readonly stateCount: number;

  constructor(terms: readonly string[]) {
    const folded = terms.map(foldPattern);
    this.termLengths = folded.map((term) => term.length);
    this.maxLength = Math.max(1, ...this.termLengths);
    // Build the trie with maps, then freeze it into typed arrays.
    const children: Map<number, number>[] = [new Map()];
    const outputs: (number[] | undefined)[] = [undefined];
    folded.forEach((term, index) => {
      if (term.length === 0) return;
      let state = 0;
      for (let i = 0; i < term.length; i++) {
        const code = term.charCodeAt(i);
        let next = children[state].get(code);
        if (next === undefined) {
          next = children.length;
          children.push(new Map());
          outputs.push(undefined);
          children[state].set(code, next);
        }
        state = next;
      }
      (outputs[state] ??= []).push(index);
    });
    const count = children.length;
    this.stateCount = count;
    this.ascii = new Int32Array(count * ASCII);
    this.fail = new Int32Array(count);
    this.outputLink = new Int32Array(count).fill(-1);
    this.outputs = outputs;
    // Breadth-first: a state's failure target is always finished before the state.
    const queue: number[] = [];
    for (let code = 0; code < ASCII; code++) {
      const next = children[0].get(code);
      this.ascii[code] = next ?? 0;
      if (next !== undefined) queue.push(next);
    }
    for (const [code, next] of children[0]) if (code >= ASCII) queue.push(next);
    this.other[0] = this.nonAscii(children[0]);
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head];
      const failure = this.fail[state];
      this.outputLink[state] = outputs[failure] ? failure : this.outputLink[failure];
      this.other[state] = this.nonAscii(children[state]);
      for (let code = 0; code < ASCII; code++) {
        const next = children[state].get(code);
        if (next === undefined) this.ascii[state * ASCII + code] = this.ascii[failure * ASCII + code];
        else {
          this.ascii[state * ASCII + code] = next;
          this.fail[next] = this.ascii[failure * ASCII + code];
          queue.push(next);
        }
      }
      for (const [code, next] of children[state]) {
        if (code < ASCII) continue;
        this.fail[next] = this.step(failure, code);
        queue.push(next);
      }
    }
  }

  private nonAscii(children: Map<number, number>): Map<number, number> | undefined {
    let map: Map<number, number> | undefined;
    for (const [code, next] of children) if (code >= ASCII) (map ??= new Map()).set(code, next);
    return map;
  }

  private step(state: number, code: number): number {
    if (code < ASCII) return this.ascii[state * ASCII + code];
    for (;;) {
      const next = this.other[state]?.get(code);
      if (next !== undefined) return next;
      if (state === 0) return 0;
      state = this.fail[state];
    }
  }

  /** Every occurrence of every term in text[from, to), in order of end offset. */
  scan(text: string, from = 0, to = text.length): TermMatch[] {
    const matches: TermMatch[] = [];
    const ringSize = this.maxLength;
    // Original offset of each of the last `ringSize` characters fed to the automaton.
    const positions = new Int32Array(ringSize);
    let fed = 0;
    let state = 0;
    let previousSpace = true;
    let newlinesInRun = 0;
    for (let i = from; i < to; i++) {
      const raw = text.charCodeAt(i);
      const code = FOLD[raw];
      if (code === SPACE) {
        newlinesInRun += raw === NEWLINE ? 1 : 0;
        if (newlinesInRun >= 2) {
          state = 0;
          previousSpace = true;
          continue;
        }
        if (previousSpace) continue;
        previousSpace = true;
      } else {
        previousSpace = false;
        newlinesInRun = 0;
      }
      positions[fed % ringSize] = i;
      fed++;
      state = code < ASCII ? this.ascii[state * ASCII + code] : this.step(state, code);
      for (let out = this.outputs[state] ? state : this.outputLink[state]; out > 0; out = this.outputLink[out]) {
        for (const term of this.outputs[out]!) {
          const length = this.termLengths[term];
          matches.push({ term, start: positions[(fed - length) % ringSize], end: i + 1 });
        }
      }
    }
    return matches;
  }
}
