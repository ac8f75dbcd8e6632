/**
 * Pack patterns run on V8's linear-time regular-expression engine, so no
 * pattern, however written, can backtrack catastrophically on hostile or
 * merely unlucky text. The engine is behind a V8 flag (set here, once, before
 * any pattern is compiled; it applies to worker threads too) and is selected
 * per expression with the `l` flag. It has no backreferences, lookaround, `i`
 * or `u` flags: patterns are written in lower case and run on folded text
 * (see fold.ts), which makes them case- and diacritic-insensitive anyway.
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--enable-experimental-regexp-engine');

export class PatternError extends Error {}

export function linearRegExp(source: string): RegExp {
  try {
    return new RegExp(source, 'gl');
  } catch (error) {
    const message = (error as Error).message;
    if (/linear time/.test(message)) {
      throw new PatternError('needs backtracking (backreferences or lookaround), which could run catastrophically slowly; rewrite it without them');
    }
    throw new PatternError(`invalid regular expression: ${message.replace(/^Invalid regular expression: /, '')}`);
  }
}
