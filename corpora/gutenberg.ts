/**
 * Project Gutenberg wraps every e-text in a licence header and footer that is
 * not part of the work. The markers vary across the years ("*** START OF THIS
 * PROJECT GUTENBERG EBOOK X ***", "***START OF THE PROJECT GUTENBERG EBOOK X***",
 * titles wrapped over two lines), so the match is on the words, and the marker
 * runs to its closing asterisks.
 */
const START = /\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG E-?BOOK[^*]*\*{3}/i;
const END = /\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG E-?BOOK/i;
// Older texts put a plain "End of the Project Gutenberg EBook of ..." line before the END marker, or
// "End of Project Gutenberg's <title>, by <author>" (18 books of ../shared); some have no END marker
// after it at all, so without this line the licence, with its web sites and e-mail, stayed in the text.
const END_LINE = /^[ \t]*End of (?:the )?Project Gutenberg(?:'s)?\b.*$/im;

export interface GutenbergStripResult {
  text: string;
  stripped: boolean;
}

export function stripGutenberg(text: string): GutenbergStripResult {
  const start = START.exec(text);
  if (!start) return { text, stripped: false };
  const bodyStart = start.index + start[0].length;
  const rest = text.slice(bodyStart);
  const endMarker = END.exec(rest);
  const endLine = END_LINE.exec(rest);
  let bodyEnd = rest.length;
  if (endMarker) bodyEnd = endMarker.index;
  if (endLine && endLine.index < bodyEnd) bodyEnd = endLine.index;
  return { text: rest.slice(0, bodyEnd).trim(), stripped: true };
}
