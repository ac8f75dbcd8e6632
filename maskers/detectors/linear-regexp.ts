/**
 * Pack patterns can never backtrack catastrophically, on hostile or merely
 * unlucky text, yet run at the speed of V8's ordinary engine. Two V8 flags (set
 * here, once, before any pattern is compiled; they apply to worker threads too):
 *
 * - `--enable-experimental-regexp-engine` makes V8's linear-time engine
 *   available. Every pattern is first compiled for it (the `l` flag), which
 *   proves it has nothing that engine cannot run in linear time
 *   (backreferences, lookaround); a pattern that fails is refused.
 * - `--enable-experimental-regexp-engine-on-excessive-backtracks` then runs the
 *   pattern, compiled without `l`, on the ordinary backtracking engine, and
 *   moves an execution to the linear engine once it has backtracked
 *   `--regexp-backtracks-before-fallback` times (V8's default, 50,000: well under
 *   a millisecond). Both engines give the same matches; the linear one is some
 *   thirty times slower on ordinary text (18 against 520 MB/s for the
 *   light-years pattern, measured), and the pattern windows of the lexical
 *   detector were a fifth of the default detectors' time on it.
 *
 * Patterns are written in lower case and run on folded text (see fold.ts), which
 * makes them case- and diacritic-insensitive; the linear engine has no `i` or
 * `u` flags, so neither is used.
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--enable-experimental-regexp-engine');
setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');

export class PatternError extends Error {}

/** A global regular expression for `source`, bounded as above; PatternError when it cannot be. */
export function linearRegExp(source: string): RegExp {
  try {
    new RegExp(source, 'gl');
  } catch (error) {
    const message = (error as Error).message;
    if (/linear time/.test(message)) {
      throw new PatternError('needs backtracking (backreferences or lookaround), which could run catastrophically slowly; rewrite it without them');
    }
    throw new PatternError(`invalid regular expression: ${message.replace(/^Invalid regular expression: /, '')}`);
  }
  return new RegExp(source, 'g');
}
