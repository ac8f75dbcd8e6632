/**
 * Aho–Corasick over folded text: one pass finds every occurrence of every
 * term, so the cost per character does not grow with the number of terms.
 *
 * The automaton is a complete DFA over a small alphabet of character classes:
 * one class per distinct (folded) character that occurs in some term, one for
 * whitespace, and class 0 for everything else. A 64 K-entry table maps each
 * UTF-16 code unit straight to its class, so the hot loop is two array reads
 * per character and the transition table stays small enough for the cache.
 *
 * Whitespace runs in the text match a single space in a term, so terms match
 * across line breaks in hard-wrapped text. That costs nothing per character:
 * a state whose string ends in a space loops on whitespace. A blank line is a
 * paragraph break and resets the automaton, so no term spans paragraphs; it
 * is looked for only at newlines.
 */
import { FOLD, SPACE, foldPattern } from './fold.js';

const NEWLINE = 0x0a;
const OTHER = 0;
const WHITESPACE = 1;

export interface TermMatch {
  /** Index into the term list given to the constructor. */
  term: number;
  start: number;
  end: number;
}

/** Whether only spaces, tabs and carriage returns stand between `from` and the next newline. */
function blankLineFollows(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code === NEWLINE) return true;
    if (code !== 0x20 && code !== 0x09 && code !== 0x0d) return false;
  }
  return false;
}

export class TermAutomaton {
  /** UTF-16 code unit → character class. */
  private readonly classOf: Uint16Array;
  private readonly classCount: number;
  /** delta[state * classCount + class] → next state. */
  private readonly delta: Int32Array;
  /** Term indices that end at each state itself (not via failure links). */
  private readonly outputs: (number[] | undefined)[];
  /** This state if it has outputs, else the nearest state on its failure chain that has, else -1. */
  private readonly firstOutput: Int32Array;
  /** For a state with outputs: the next state with outputs on its failure chain, else -1. */
  private readonly outputLink: Int32Array;
  private readonly termLengths: number[];
  readonly stateCount: number;

  constructor(terms: readonly string[]) {
    const folded = terms.map(foldPattern);
    this.termLengths = folded.map((term) => term.length);

    // Alphabet: the folded characters the terms use.
    const classOfFolded = new Map<number, number>([[SPACE, WHITESPACE]]);
    for (const term of folded) {
      for (let i = 0; i < term.length; i++) if (!classOfFolded.has(term.charCodeAt(i))) classOfFolded.set(term.charCodeAt(i), classOfFolded.size + 1);
    }
    this.classCount = classOfFolded.size + 1;
    this.classOf = new Uint16Array(0x10000);
    for (let code = 0; code < 0x10000; code++) this.classOf[code] = classOfFolded.get(FOLD[code]) ?? OTHER;

    // Trie over classes.
    const children: Map<number, number>[] = [new Map()];
    const outputs: (number[] | undefined)[] = [undefined];
    const endsInSpace: boolean[] = [true];
    folded.forEach((term, index) => {
      if (term.length === 0) return;
      let state = 0;
      for (let i = 0; i < term.length; i++) {
        const symbol = classOfFolded.get(term.charCodeAt(i))!;
        let next = children[state].get(symbol);
        if (next === undefined) {
          next = children.length;
          children.push(new Map());
          outputs.push(undefined);
          endsInSpace.push(symbol === WHITESPACE);
          children[state].set(symbol, next);
        }
        state = next;
      }
      (outputs[state] ??= []).push(index);
    });

    // Breadth-first completion into a DFA: a state's failure target is finished before the state.
    const count = children.length;
    const width = this.classCount;
    const delta = new Int32Array(count * width);
    const fail = new Int32Array(count);
    const outputLink = new Int32Array(count).fill(-1);
    const queue: number[] = [];
    for (let symbol = 0; symbol < width; symbol++) {
      const next = children[0].get(symbol);
      delta[symbol] = next ?? 0;
      if (next !== undefined) queue.push(next);
    }
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head];
      const failure = fail[state];
      outputLink[state] = outputs[failure] ? failure : outputLink[failure];
      for (let symbol = 0; symbol < width; symbol++) {
        const next = children[state].get(symbol);
        if (next === undefined) delta[state * width + symbol] = delta[failure * width + symbol];
        else {
          delta[state * width + symbol] = next;
          fail[next] = delta[failure * width + symbol];
          queue.push(next);
        }
      }
    }
    // Collapse whitespace runs: more whitespace after a space leaves the state as it is.
    // (Failure links preserve "ends in a space", so the completed rows stay consistent.)
    for (let state = 0; state < count; state++) if (endsInSpace[state]) delta[state * width + WHITESPACE] = state;
    const firstOutput = new Int32Array(count);
    for (let state = 0; state < count; state++) firstOutput[state] = outputs[state] ? state : outputLink[state];
    this.stateCount = count;
    this.delta = delta;
    this.outputs = outputs;
    this.outputLink = outputLink;
    this.firstOutput = firstOutput;
  }

  /** Every occurrence of every term in text[from, to), in order of end offset. */
  scan(text: string, from = 0, to = text.length): TermMatch[] {
    const matches: TermMatch[] = [];
    // The hot loop touches only locals and does no work per character beyond the transition.
    const classOf = this.classOf;
    const delta = this.delta;
    const width = this.classCount;
    const firstOutput = this.firstOutput;
    let state = 0;
    for (let i = from; i < to; i++) {
      const raw = text.charCodeAt(i);
      if (raw === NEWLINE && blankLineFollows(text, i + 1, to)) {
        state = 0;
        continue;
      }
      state = delta[state * width + classOf[raw]];
      const output = firstOutput[state];
      if (output !== -1) this.collect(text, output, i, matches);
    }
    return matches;
  }

  private collect(text: string, first: number, at: number, matches: TermMatch[]): void {
    for (let out = first; out > 0; out = this.outputLink[out]) {
      for (const term of this.outputs[out]!) matches.push({ term, start: this.startOf(text, at, this.termLengths[term]), end: at + 1 });
    }
  }

  /**
   * Where a match of `length` folded characters ending at `last` starts in the
   * original text, counting each whitespace run as one character as the scan
   * did. Walking back at match time is cheaper than recording every offset.
   */
  private startOf(text: string, last: number, length: number): number {
    let at = last;
    for (let remaining = length - 1; remaining > 0; remaining--) {
      at--;
      if (this.classOf[text.charCodeAt(at)] === WHITESPACE) while (this.classOf[text.charCodeAt(at - 1)] === WHITESPACE) at--;
    }
    return at;
  }
}
