/**
 * Finds every occurrence of every phrase in a text in one pass, comparing
 * words by their stem keys (see stem.ts), so "quantum numbers" matches the
 * phrase "quantum number" and "Einstein's" matches "Einstein". Offsets are
 * exact UTF-16 offsets into the original text.
 *
 * Two automata work together, so the cost per character does not grow with
 * the number of phrases:
 * - a character trie decides, as each word is read, whether the word can
 *   possibly have a phrase word's key: a word whose key is long starts with
 *   that key minus its last letter (stemming only trims endings and may turn
 *   y into i), and a short key is recognised by its few written forms in the
 *   trie itself. Only candidate long words are sliced out and stemmed (with a
 *   cache);
 * - Aho–Corasick over the sequence of candidate words' keys finds the phrases.
 *
 * Words are read on the normalised view of fold.ts: invisible characters,
 * combining marks, a hyphen at a line break inside a word, the markup of
 * LaTeX accents and HTML letter entities, and HTML references to invisible
 * characters are stepped over, and HTML references to a letter or an
 * apostrophe are read as that character, so "pho-\ntons", "Schr\\\"odinger",
 * "Schr&ouml;dinger", "Schr&#246;dinger", "Planck&#39;s" and "rela&shy;tivity"
 * are the words they spell; offsets stay those of the original.
 *
 * Words of a phrase may be separated by whitespace (line breaks included, TeX's
 * inline math dollars, and HTML references to whitespace such as &nbsp;) and at
 * most one hyphen, so
 * "space-time", "space time" and "space\n time" are the same phrase; any other
 * punctuation or a blank line between two words breaks a phrase.
 */
import { contextIgnorables, FOLD, IGNORED, spaceReferences, wordReferences } from './fold.js';
import { stemKey } from './stem.js';

const OTHER = 0;
const WORD = 1;
const SPACE = 2;
const HYPHEN = 3;
const APOSTROPHE = 4;
/** Invisible characters and combining marks: stepped over, inside a word or between words. */
const IGNORABLE = 5;
const NEWLINE = 0x0a;
const AMPERSAND = 0x26;
const DOLLAR = 0x24;

const WORD_PATTERN = /[\p{L}\p{N}\p{M}]/u;

function buildKinds(): Uint8Array {
  const kinds = new Uint8Array(0x10000);
  for (let code = 0; code < 0x10000; code++) {
    const folded = FOLD[code];
    if (folded === IGNORED) kinds[code] = IGNORABLE;
    // TeX's inline math delimiter separates words as a space does: "faster than $c$", "the
    // quantum $h\nu$" (a dollar was punctuation, and "faster than $c$" never met "faster than c").
    else if (folded === 0x20 || folded === DOLLAR) kinds[code] = SPACE;
    // A slash joins two words as a hyphen does: "I/O", "AdS/CFT", "System/360" (terms written so never
    // matched while a slash ended the phrase).
    else if (folded === 0x2d || folded === 0x2f) kinds[code] = HYPHEN;
    else if (folded === 0x27) kinds[code] = APOSTROPHE;
    else if (code >= 0xd800 && code <= 0xdfff) kinds[code] = OTHER;
    else kinds[code] = WORD_PATTERN.test(String.fromCharCode(code)) ? WORD : OTHER;
  }
  return kinds;
}

const KINDS = buildKinds();
/** Keys this short must match a word exactly (prefix matching would make every "p..." word a candidate). */
const SHORT_KEY = 3;
const DEAD = -1;
/** Slots of the candidate-word cache (a power of two); it is emptied when half full. */
const CACHE_SLOTS = 1 << 16;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

export interface PhraseMatch {
  /** Index into the phrase list given to the constructor. */
  phrase: number;
  start: number;
  end: number;
}

/** The words of a phrase, split as the scanner splits text. */
export function phraseWords(phrase: string): string[] {
  const words: string[] = [];
  let current = '';
  for (let i = 0; i < phrase.length; i++) {
    const code = phrase.charCodeAt(i);
    const kind = KINDS[code];
    if (kind === WORD || (kind === APOSTROPHE && current && KINDS[phrase.charCodeAt(i + 1)] === WORD)) current += phrase[i];
    else if (current) {
      words.push(current);
      current = '';
    }
  }
  if (current) words.push(current);
  return words;
}

/**
 * The first character of `phrase` that stands between two of its words and that the scanner never
 * reads a phrase across (anything but whitespace, one hyphen or slash, an apostrophe inside a word),
 * or undefined. A term with one ("C++ code", "x=y", "e.g. radium") can never match text written as
 * the term is, so a pack that has one is warned (packWarnings).
 */
export function unmatchableSeparator(phrase: string): string | undefined {
  let wordSeen = false;
  let pending: string | undefined;
  let hyphens = 0;
  for (let i = 0; i < phrase.length; i++) {
    const kind = KINDS[phrase.charCodeAt(i)];
    if (kind === WORD) {
      if (pending !== undefined) return pending;
      wordSeen = true;
      hyphens = 0;
    } else if (!wordSeen || pending !== undefined) continue;
    else if (kind === OTHER) pending = phrase[i];
    // The scanner reads a phrase across one hyphen or slash between two words, not two ("a--b").
    else if (kind === HYPHEN && ++hyphens > 1) pending = phrase[i];
  }
  return undefined;
}

/**
 * The written forms of a short key, for exact matching in the trie: the key
 * itself, its plurals (with y for a final i), and its -ing and -ed forms with
 * and without a doubled last letter ("running" and "adding" have the short keys
 * "run" and "ad": without these forms a pack's "running away" or "adding" never
 * matched the text, nor "run" the word "running"). Only forms whose stem key is
 * the key are used.
 */
function shortKeyForms(key: string): string[] {
  const last = key[key.length - 1];
  const forms = [key, `${key}s`, `${key}es`, `${key}ing`, `${key}ed`, `${key}${last}ing`, `${key}${last}ed`];
  if (key.endsWith('i')) forms.push(`${key.slice(0, -1)}y`, `${key.slice(0, -1)}ys`, `${key.slice(0, -1)}ies`);
  return forms;
}

type WordReferences = ReturnType<typeof wordReferences>;

/**
 * The word in text[start, end) without what the normalised view steps over, each HTML reference to
 * a letter or an apostrophe read as the character it stands for.
 */
function visibleWord(text: string, start: number, end: number, skips: Int32Array | null, references: WordReferences): string {
  let word = '';
  let k = 0;
  let r = 0;
  for (let i = start; i < end; i++) {
    if (skips) {
      while (k < skips.length && skips[k + 1] <= i) k += 2;
      if (k < skips.length && skips[k] <= i) continue;
    }
    if (references) {
      while (r < references.starts.length && references.starts[r] < i) r++;
      if (r < references.starts.length && references.starts[r] === i) {
        word += String.fromCharCode(references.codes[r]);
        i = references.ends[r] - 1;
        continue;
      }
    }
    if (KINDS[text.charCodeAt(i)] !== IGNORABLE) word += text[i];
  }
  return word;
}

export class PhraseMatcher {
  // Character trie over the folded key prefixes.
  private readonly charClass: Uint16Array;
  private readonly classCount: number;
  private readonly trie: Int32Array;
  /** 1: reaching this node makes the word a candidate (to be stemmed); 0 otherwise. */
  private readonly trieMark: Uint8Array;
  /** For a word that ends exactly at this node: its symbol, known without stemming (short keys). */
  private readonly exactSymbol: Int32Array;
  // Aho–Corasick over word keys.
  private readonly symbols = new Map<string, number>();
  private readonly gotos: Map<number, number>[] = [new Map()];
  private readonly fail: number[] = [0];
  private readonly outputs: number[][] = [[]];
  private readonly phraseLengths: number[];
  /**
   * The root's transitions as an array by symbol (0: stay at the root): most words of a text are
   * read from the root, where a Map lookup per word was a tenth of the matcher's time.
   */
  private readonly rootGotos: Int32Array;
  private readonly ringMask: number;
  /**
   * Candidate words seen → their symbol (0: no phrase word has its key), keyed by the word's folded
   * letters, which decide its stem key: found by hash and checked letter by letter against the
   * text, so no string is built for a word seen before. Open addressing, linear probing.
   */
  private readonly cacheWords: (string | undefined)[] = new Array(CACHE_SLOTS);
  private readonly cacheSymbols = new Int32Array(CACHE_SLOTS);
  private cacheSize = 0;

  constructor(phrases: readonly string[]) {
    const keyed = phrases.map((phrase) => phraseWords(phrase).map(stemKey));
    this.phraseLengths = keyed.map((keys) => keys.length);
    this.ringMask = 2 ** Math.ceil(Math.log2(Math.max(1, ...this.phraseLengths) + 1)) - 1;
    for (const keys of keyed) for (const key of keys) if (!this.symbols.has(key)) this.symbols.set(key, this.symbols.size + 1);

    // The character trie: classes for the characters the keys use.
    const classOf = new Map<number, number>();
    for (const key of this.symbols.keys()) {
      for (const form of [key, ...shortKeyForms(key)]) for (let i = 0; i < form.length; i++) if (!classOf.has(form.charCodeAt(i))) classOf.set(form.charCodeAt(i), classOf.size + 1);
    }
    this.classCount = classOf.size + 1;
    this.charClass = new Uint16Array(0x10000);
    for (let code = 0; code < 0x10000; code++) this.charClass[code] = classOf.get(FOLD[code]) ?? 0;
    const nodes: Map<number, number>[] = [new Map()];
    const marks: number[] = [0];
    const exact: number[] = [0];
    const insert = (path: string, mark: number, symbol = 0) => {
      let node = 0;
      for (let i = 0; i < path.length; i++) {
        const charSymbol = classOf.get(path.charCodeAt(i))!;
        let next = nodes[node].get(charSymbol);
        if (next === undefined) {
          next = nodes.length;
          nodes.push(new Map());
          marks.push(0);
          exact.push(0);
          nodes[node].set(charSymbol, next);
        }
        node = next;
      }
      marks[node] ||= mark;
      if (symbol) exact[node] = symbol;
    };
    for (const [key, symbol] of this.symbols) {
      if (key.length > SHORT_KEY) insert(key.slice(0, -1), 1);
      else for (const form of shortKeyForms(key)) if (stemKey(form) === key) insert(form, 0, symbol);
    }
    this.trie = new Int32Array(nodes.length * this.classCount).fill(DEAD);
    nodes.forEach((children, node) => children.forEach((next, symbol) => (this.trie[node * this.classCount + symbol] = next)));
    this.trieMark = Uint8Array.from(marks);
    this.exactSymbol = Int32Array.from(exact);

    // Aho–Corasick over symbol sequences.
    keyed.forEach((keys, phrase) => {
      if (keys.length === 0) return;
      let state = 0;
      for (const key of keys) {
        const symbol = this.symbols.get(key)!;
        let next = this.gotos[state].get(symbol);
        if (next === undefined) {
          next = this.gotos.length;
          this.gotos.push(new Map());
          this.fail.push(0);
          this.outputs.push([]);
          this.gotos[state].set(symbol, next);
        }
        state = next;
      }
      this.outputs[state].push(phrase);
    });
    this.rootGotos = new Int32Array(this.symbols.size + 1);
    for (const [symbol, next] of this.gotos[0]) this.rootGotos[symbol] = next;
    const queue = [...this.gotos[0].values()];
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head];
      for (const [symbol, next] of this.gotos[state]) {
        this.fail[next] = this.advance(this.fail[state], symbol);
        // Outputs of the failure state end here too (suffix phrases).
        this.outputs[next] = [...this.outputs[next], ...this.outputs[this.fail[next]]];
        queue.push(next);
      }
    }
  }

  private advance(state: number, symbol: number): number {
    for (;;) {
      if (state === 0) return this.rootGotos[symbol];
      const next = this.gotos[state].get(symbol);
      if (next !== undefined) return next;
      state = this.fail[state];
    }
  }

  private symbolOf(surface: string): number {
    return this.symbols.get(stemKey(surface)) ?? 0;
  }

  /** The symbol of the word `text[start, end)`, which holds nothing the normalised view steps over. */
  private cachedSymbol(text: string, start: number, end: number): number {
    let hash = FNV_OFFSET;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ FOLD[text.charCodeAt(i)], FNV_PRIME);
    const mask = CACHE_SLOTS - 1;
    const words = this.cacheWords;
    const length = end - start;
    for (let slot = (hash >>> 0) & mask; ; slot = (slot + 1) & mask) {
      const word = words[slot];
      if (word === undefined) break;
      if (word.length !== length) continue;
      let same = true;
      for (let k = 0; k < length; k++) {
        if (FOLD[text.charCodeAt(start + k)] !== word.charCodeAt(k)) {
          same = false;
          break;
        }
      }
      if (same) return this.cacheSymbols[slot];
    }
    // Not seen (or the cache was emptied): stem it once.
    if (this.cacheSize >= CACHE_SLOTS / 2) {
      words.fill(undefined);
      this.cacheSize = 0;
    }
    const surface = text.slice(start, end);
    const symbol = this.symbolOf(surface);
    let folded = '';
    for (let i = 0; i < surface.length; i++) folded += String.fromCharCode(FOLD[surface.charCodeAt(i)]);
    let slot = (hash >>> 0) & mask;
    while (words[slot] !== undefined) slot = (slot + 1) & mask;
    words[slot] = folded;
    this.cacheSymbols[slot] = symbol;
    this.cacheSize++;
    return symbol;
  }

  /** Every occurrence of every phrase in `text`, ordered by end offset. */
  scan(text: string): PhraseMatch[] {
    const matches: PhraseMatch[] = [];
    this.scanEach(text, (phrase, start, end) => matches.push({ phrase, start, end }));
    return matches;
  }

  /** Calls `visit` for every occurrence of every phrase in `text`, in order of end offset: no object per match. */
  scanEach(text: string, visit: (phrase: number, start: number, end: number) => void): void {
    const kinds = KINDS;
    const charClass = this.charClass;
    const trie = this.trie;
    const trieMark = this.trieMark;
    const exactSymbol = this.exactSymbol;
    const width = this.classCount;
    const ringMask = this.ringMask;
    const starts = new Int32Array(ringMask + 1);
    const length = text.length;
    let fed = 0;
    let state = 0;
    // Whether the text since the previous word can join two words of a phrase.
    let joinable = false;
    let hyphens = 0;
    let newlines = 0;
    let i = 0;
    // Stretches to step over because of their neighbours (line-break hyphens, LaTeX and HTML accents).
    const skips = contextIgnorables(text);
    let nextSkip = 0;
    let skipped = false;
    // Where the next stretch begins: before it, no lookup is needed (most texts have none).
    let nextSkipStart = skips ? skips[0] : length;
    /** The end of the context stretch that starts at `at`, or -1. */
    const skipAt = (at: number): number => {
      if (at < nextSkipStart) return -1;
      while (nextSkip < skips!.length && skips![nextSkip + 1] <= at) nextSkip += 2;
      nextSkipStart = nextSkip < skips!.length ? skips![nextSkip] : length;
      return nextSkipStart === at ? skips![nextSkip + 1] : -1;
    };
    // HTML references to a letter or an apostrophe, read as that character inside a word (found
    // only in text with an ampersand). Looked up in increasing order of offset, as the text is read.
    const references = wordReferences(text);
    let nextReference = 0;
    /** The index of the word reference that starts at `at`, or -1. */
    const referenceAt = (at: number): number => {
      if (references === null || text.charCodeAt(at) !== AMPERSAND) return -1;
      while (nextReference < references.starts.length && references.starts[nextReference] < at) nextReference++;
      return nextReference < references.starts.length && references.starts[nextReference] === at ? nextReference : -1;
    };
    /** Whether a word character, written or referenced, starts at `at`. */
    const wordStartsAt = (at: number): boolean => {
      if (kinds[text.charCodeAt(at)] === WORD) return true;
      const found = referenceAt(at);
      return found >= 0 && kinds[references!.codes[found]] === WORD;
    };
    // How far the character just read reaches: one code unit, or a whole reference.
    let step = 1;
    // References to whitespace, read as spaces between words (found only in text with an ampersand).
    const spaces = spaceReferences(text);
    let nextSpace = 0;
    /** The end of the reference to whitespace that starts at `at`, or -1. */
    const spaceAt = (at: number): number => {
      while (nextSpace < spaces!.length && spaces![nextSpace] < at) nextSpace += 2;
      return nextSpace < spaces!.length && spaces![nextSpace] === at ? spaces![nextSpace + 1] : -1;
    };
    while (i < length) {
      let code = text.charCodeAt(i);
      let kind = kinds[code];
      // A word may begin with a reference to a letter (&Eacute;cole, &#936;).
      let reference = code === AMPERSAND && references !== null ? referenceAt(i) : -1;
      if (reference >= 0 && kinds[references!.codes[reference]] === WORD) {
        code = references!.codes[reference];
        kind = WORD;
      } else reference = -1;
      if (kind === IGNORABLE) {
        i++;
        continue;
      }
      const stretch = skipAt(i);
      if (stretch > 0) {
        i = stretch;
        continue;
      }
      if (kind !== WORD) {
        if (kind === SPACE) {
          if (code === NEWLINE && ++newlines >= 2) joinable = false;
        } else if (kind === HYPHEN) {
          if (++hyphens > 1) joinable = false;
        } else if (code === AMPERSAND && spaces !== null) {
          // A reference to whitespace (&nbsp;) is a space between two words, not punctuation.
          const end = spaceAt(i);
          if (end > 0) {
            i = end;
            continue;
          }
          joinable = false;
        } else joinable = false;
        i++;
        continue;
      }
      // A word: walk the trie while it can still lead to a candidate, then skip the rest quickly.
      const wordStart = i;
      let node = 0;
      let candidate = false;
      skipped = reference >= 0;
      step = reference >= 0 ? references!.ends[reference] - i : 1;
      for (;;) {
        if (node !== DEAD) {
          node = trie[node * width + charClass[code]];
          if (node !== DEAD && trieMark[node] === 1) {
            candidate = true;
            node = DEAD;
          }
        }
        i += step;
        step = 1;
        // Step over what the normalised view ignores; the word goes on after it. Each character is
        // read once here, and the stretches to step over are looked up only from where the next begins.
        let nextKind = 0;
        for (;;) {
          if (i >= length) break;
          code = text.charCodeAt(i);
          nextKind = kinds[code];
          if (nextKind === IGNORABLE) {
            i++;
            skipped = true;
            continue;
          }
          if (i >= nextSkipStart) {
            const end = skipAt(i);
            if (end > 0 && end < length && wordStartsAt(end)) {
              i = end;
              skipped = true;
              continue;
            }
          }
          break;
        }
        if (i >= length) break;
        if (nextKind === WORD) continue;
        reference = code === AMPERSAND && references !== null ? referenceAt(i) : -1;
        if (reference >= 0 && kinds[references!.codes[reference]] === WORD) {
          code = references!.codes[reference];
          step = references!.ends[reference] - i;
          skipped = true;
          continue;
        }
        // An apostrophe inside a word (Einstein's, don't; Einstein&#39;s) belongs to it but does not
        // move the trie: the key drops the possessive.
        const apostropheEnd = reference >= 0 ? references!.ends[reference] : kinds[code] === APOSTROPHE ? i + 1 : -1;
        if (apostropheEnd > 0 && apostropheEnd < length && wordStartsAt(apostropheEnd)) {
          if (reference >= 0) skipped = true;
          i = apostropheEnd;
          reference = references !== null ? referenceAt(i) : -1;
          if (reference >= 0) {
            code = references!.codes[reference];
            step = references!.ends[reference] - i;
            skipped = true;
          } else code = text.charCodeAt(i);
          continue;
        }
        break;
      }
      // A short word that spells a short key is known at once; a candidate long word is stemmed.
      const symbol = candidate ? (skipped ? this.symbolOf(visibleWord(text, wordStart, i, skips, references)) : this.cachedSymbol(text, wordStart, i)) : node !== DEAD ? exactSymbol[node] : 0;
      if (symbol === 0) state = 0;
      else {
        if (!joinable) state = 0;
        starts[fed & ringMask] = wordStart;
        fed++;
        state = this.advance(state, symbol);
        for (const phrase of this.outputs[state]) visit(phrase, starts[(fed - this.phraseLengths[phrase]) & ringMask], i);
      }
      joinable = true;
      hyphens = 0;
      newlines = 0;
    }
  }
}
