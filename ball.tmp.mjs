import fs from 'fs'; import zlib from 'zlib';
import { segment } from './dist/maskers/segment/segmenter.js';
import { stripGutenberg } from './dist/corpora/gutenberg.js';
const dir = process.argv[2];
const b = fs.readFileSync('/work/shared/corpora/algebra/ball_short_account_history_mathematics_1888_pg31246.detex.txt');
let t; try { t = new TextDecoder('utf-8',{fatal:true}).decode(b) } catch { t = new TextDecoder('windows-1252').decode(b) }
const text = stripGutenberg(t).text;
const edits = zlib.gunzipSync(fs.readFileSync(dir + '/edits.jsonl.gz')).toString().trim().split('\n').map(JSON.parse);
const ss = segment(text).sentences;
const hit = s => edits.some(e => e.start < s.end && e.end > s.start);
console.log('sentences', ss.length, 'removed', ss.filter(hit).length);
for (const name of ['Galois', 'Abel', 'Lagrange', 'Cardan', 'Gauss', 'Ferrari', 'Vandermonde', 'Cauchy']) {
  const m = ss.filter(s => text.slice(s.start, s.end).includes(name));
  const h = m.filter(hit);
  console.log(name.padEnd(12), 'mentioning', m.length, 'removed', h.length);
  if (process.argv[3] === name) for (const s of m) console.log(hit(s) ? '  X ' : '  . ', text.slice(s.start, Math.min(s.end, s.start + 220)).replace(/\s+/g, ' '));
}
