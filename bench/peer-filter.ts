/**
 * `npm run bench:peer -- --paragraphs <file> --peer <clean_full_corpus.py> [--labels <tsv>]`:
 * Lacuna's held-out outcome of every measured paragraph against a public peer, the pre-1900
 * corpus filter of the GPT-1900 project (michaelhla/gpt1900,
 * scripts/pre1900_scripts/clean_full_corpus.py), on exactly the same paragraphs.
 *
 * The paragraphs file is what `lacuna train --paragraphs` writes: each paragraph was scored by a
 * model trained without its book, at a threshold chosen without it, in its book and alone. The
 * peer drops a whole document when one of its ~250 patterns matches, when it names five or more
 * years from 1900 on, or when three of its ten ambiguous words occur; here each paragraph is a
 * document of its own, which is how the issue's review ran it, and then each book is cut into the
 * documents of at most 8,000 characters Lacuna was measured in (the file's `document` field; the
 * peer reads the measured paragraphs of a document joined, without those under 300 characters). Nothing of the peer is copied:
 * its pattern lists are read from the file given, at run time, and applied as it applies them
 * (case-insensitive search; `.` stops at a line break, as in Python). Its rule that drops any
 * document under 500 characters is left out: it would drop half of these paragraphs unread.
 * Not part of CI (the peer's file is not in the repository); prints Markdown.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { peerDrops, readPeer } from './peer-rules.js';

interface Outcome {
  book: string;
  side: string;
  start: number;
  end: number;
  removed: number;
  removedAlone: number;
  /** Absent in files written before documents were measured: then no document columns. */
  removedInDocument?: number;
  document?: number;
  text: string;
}

function percent(value: number): string {
  return `${(100 * value).toFixed(1)}%`;
}

interface Tally {
  paragraphs: number;
  chars: number;
  inBook: number;
  alone: number;
  peer: number;
  inDocuments: number;
  peerInDocuments: number;
  /** Paragraphs that kept more than half their characters (positive side) or lost any (other sides). */
  wrongInBook: number;
  wrongAlone: number;
  wrongPeer: number;
  wrongInDocuments: number;
  wrongPeerInDocuments: number;
}

function main(): void {
  const { values } = parseArgs({ options: { paragraphs: { type: 'string' }, peer: { type: 'string' }, labels: { type: 'string' } } });
  if (!values.paragraphs || !values.peer) {
    process.stderr.write('usage: npm run bench:peer -- --paragraphs <from lacuna train --paragraphs> --peer <clean_full_corpus.py> [--labels <tsv>]\n');
    process.exit(2);
  }
  const rules = readPeer(values.peer);
  const outcomes: Outcome[] = readFileSync(values.paragraphs, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Outcome);
  const dropped = new Map<Outcome, boolean>(outcomes.map((outcome) => [outcome, peerDrops(rules, outcome.text)]));
  const documents = outcomes[0]?.document !== undefined;
  // The peer on each document: its measured paragraphs joined, dropped or kept together.
  const byDocument = new Map<string, Outcome[]>();
  for (const outcome of outcomes) {
    const key = `${outcome.book}\t${outcome.document}`;
    const members = byDocument.get(key);
    if (members) members.push(outcome);
    else byDocument.set(key, [outcome]);
  }
  const droppedInDocument = new Map<Outcome, boolean>();
  if (documents) {
    for (const members of byDocument.values()) {
      const drop = peerDrops(rules, members.map((member) => member.text).join('\n\n'));
      for (const member of members) droppedInDocument.set(member, drop);
    }
  }

  const books = new Map<string, { side: string; tally: Tally }>();
  for (const outcome of outcomes) {
    if (outcome.side === 'background') continue;
    const entry = books.get(outcome.book) ?? { side: outcome.side, tally: { paragraphs: 0, chars: 0, inBook: 0, alone: 0, peer: 0, inDocuments: 0, peerInDocuments: 0, wrongInBook: 0, wrongAlone: 0, wrongPeer: 0, wrongInDocuments: 0, wrongPeerInDocuments: 0 } };
    books.set(outcome.book, entry);
    const chars = outcome.end - outcome.start;
    const peer = dropped.get(outcome) ? 1 : 0;
    const wrong = (share: number) => (outcome.side === 'positive' ? share <= 0.5 : share > 0) ? 1 : 0;
    const tally = entry.tally;
    tally.paragraphs++;
    tally.chars += chars;
    tally.inBook += outcome.removed * chars;
    tally.alone += outcome.removedAlone * chars;
    tally.peer += peer * chars;
    tally.inDocuments += (outcome.removedInDocument ?? 0) * chars;
    tally.peerInDocuments += (droppedInDocument.get(outcome) ? 1 : 0) * chars;
    tally.wrongInBook += wrong(outcome.removed);
    tally.wrongAlone += wrong(outcome.removedAlone);
    tally.wrongPeer += wrong(peer);
    tally.wrongInDocuments += wrong(outcome.removedInDocument ?? 0);
    tally.wrongPeerInDocuments += wrong(droppedInDocument.get(outcome) ? 1 : 0);
  }

  console.log('Characters removed, held out (positive: the more the better; negative: the less). Wrong paragraphs: a positive one that kept more than half its text, a negative one that lost any.\n');
  console.log('| side | book | paragraphs | Lacuna in its book | Lacuna, each paragraph alone | peer, each paragraph alone | wrong: Lacuna alone | wrong: peer |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|');
  const sides = new Map<string, { books: number; inBook: number; alone: number; peer: number; paragraphs: number; wrongAlone: number; wrongPeer: number }>();
  for (const [book, { side, tally }] of books) {
    console.log(`| ${side} | ${book.split('/').pop()} | ${tally.paragraphs} | ${percent(tally.inBook / tally.chars)} | ${percent(tally.alone / tally.chars)} | ${percent(tally.peer / tally.chars)} | ${tally.wrongAlone} | ${tally.wrongPeer} |`);
    const sum = sides.get(side) ?? { books: 0, inBook: 0, alone: 0, peer: 0, paragraphs: 0, wrongAlone: 0, wrongPeer: 0 };
    sides.set(side, sum);
    sum.books++;
    sum.inBook += tally.inBook / tally.chars;
    sum.alone += tally.alone / tally.chars;
    sum.peer += tally.peer / tally.chars;
    sum.paragraphs += tally.paragraphs;
    sum.wrongAlone += tally.wrongAlone;
    sum.wrongPeer += tally.wrongPeer;
  }
  console.log('\n| side | books | mean: Lacuna in book | mean: Lacuna alone | mean: peer | wrong paragraphs: Lacuna alone | wrong paragraphs: peer |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const [side, sum] of sides) {
    console.log(`| ${side} | ${sum.books} | ${percent(sum.inBook / sum.books)} | ${percent(sum.alone / sum.books)} | ${percent(sum.peer / sum.books)} | ${sum.wrongAlone} of ${sum.paragraphs} | ${sum.wrongPeer} of ${sum.paragraphs} |`);
  }
  if (documents) documentComparison(books);
  if (values.labels) labelledComparison(values.labels, outcomes, dropped, documents ? droppedInDocument : undefined);
}

/** Each book cut into documents of at most 8,000 characters: Lacuna and the peer on the same documents. */
function documentComparison(books: Map<string, { side: string; tally: Tally }>): void {
  console.log('\nIn documents of at most 8,000 characters (each book cut at paragraph breaks, each document masked or filtered on its own):\n');
  console.log('| side | book | Lacuna | peer | wrong: Lacuna | wrong: peer |');
  console.log('|---|---|---:|---:|---:|---:|');
  const sides = new Map<string, { books: number; lacuna: number; peer: number; worstLacuna: number; worstPeer: number; paragraphs: number; wrongLacuna: number; wrongPeer: number }>();
  for (const [book, { side, tally }] of books) {
    const lacuna = tally.inDocuments / tally.chars;
    const peer = tally.peerInDocuments / tally.chars;
    console.log(`| ${side} | ${book.split('/').pop()} | ${percent(lacuna)} | ${percent(peer)} | ${tally.wrongInDocuments} | ${tally.wrongPeerInDocuments} |`);
    const sum = sides.get(side) ?? { books: 0, lacuna: 0, peer: 0, worstLacuna: 0, worstPeer: 0, paragraphs: 0, wrongLacuna: 0, wrongPeer: 0 };
    sides.set(side, sum);
    sum.books++;
    sum.lacuna += lacuna;
    sum.peer += peer;
    sum.worstLacuna = Math.max(sum.worstLacuna, lacuna);
    sum.worstPeer = Math.max(sum.worstPeer, peer);
    sum.paragraphs += tally.paragraphs;
    sum.wrongLacuna += tally.wrongInDocuments;
    sum.wrongPeer += tally.wrongPeerInDocuments;
  }
  console.log('\n| side | books | mean: Lacuna | mean: peer | worst book: Lacuna | worst book: peer | wrong paragraphs: Lacuna | wrong paragraphs: peer |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const [side, sum] of sides) console.log(`| ${side} | ${sum.books} | ${percent(sum.lacuna / sum.books)} | ${percent(sum.peer / sum.books)} | ${percent(sum.worstLacuna)} | ${percent(sum.worstPeer)} | ${sum.wrongLacuna} of ${sum.paragraphs} | ${sum.wrongPeer} of ${sum.paragraphs} |`);
}

/** The hand-labelled paragraphs (label, book, start, end, begins): targets removed (at least half) and keeps touched. */
function labelledComparison(file: string, outcomes: Outcome[], dropped: Map<Outcome, boolean>, droppedInDocument?: Map<Outcome, boolean>): void {
  const byKey = new Map(outcomes.map((outcome) => [`${outcome.book}\t${outcome.start}\t${outcome.end}`, outcome]));
  const counts = { targets: 0, keeps: 0, inBook: [0, 0], alone: [0, 0], peer: [0, 0], inDocuments: [0, 0], peerInDocuments: [0, 0], missing: 0 };
  for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
    const [label, book, start, end] = line.split('\t');
    if (!book) continue;
    const outcome = byKey.get(`${book}\t${start}\t${end}`);
    if (!outcome) {
      counts.missing++;
      continue;
    }
    const target = label === '1';
    if (target) counts.targets++;
    else counts.keeps++;
    const score = (share: number, into: number[]) => {
      if (target && share >= 0.5) into[0]++;
      if (!target && share > 0) into[1]++;
    };
    score(outcome.removed, counts.inBook);
    score(outcome.removedAlone, counts.alone);
    score(dropped.get(outcome) ? 1 : 0, counts.peer);
    score(outcome.removedInDocument ?? 0, counts.inDocuments);
    score(droppedInDocument?.get(outcome) ? 1 : 0, counts.peerInDocuments);
  }
  console.log(`\nHand-labelled paragraphs (${file}): ${counts.targets} targets, ${counts.keeps} keeps${counts.missing ? `; ${counts.missing} not among the measured paragraphs` : ''}.\n`);
  console.log('| who | targets removed | keeps touched |');
  console.log('|---|---:|---:|');
  console.log(`| Lacuna in its book | ${counts.inBook[0]} | ${counts.inBook[1]} |`);
  console.log(`| Lacuna, each paragraph alone | ${counts.alone[0]} | ${counts.alone[1]} |`);
  console.log(`| peer, each paragraph alone | ${counts.peer[0]} | ${counts.peer[1]} |`);
  if (!droppedInDocument) return;
  console.log(`| Lacuna, documents of 8,000 characters | ${counts.inDocuments[0]} | ${counts.inDocuments[1]} |`);
  console.log(`| peer, documents of 8,000 characters | ${counts.peerInDocuments[0]} | ${counts.peerInDocuments[1]} |`);
}

try {
  main();
} catch (error) {
  // A wrong path or a file of another layout: one line, not a stack.
  process.stderr.write(`bench:peer: ${(error as Error).message}\n`);
  process.exit(2);
}
