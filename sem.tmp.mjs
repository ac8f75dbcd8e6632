import fs from 'fs'; import zlib from 'zlib';
import { stripGutenberg } from './dist/corpora/gutenberg.js';
const b = fs.readFileSync('/work/shared/corpora/algebra/ball_short_account_history_mathematics_1888_pg31246.detex.txt');
let t; try { t = new TextDecoder('utf-8',{fatal:true}).decode(b) } catch { t = new TextDecoder('windows-1252').decode(b) }
const text = stripGutenberg(t).text;
const f = zlib.gunzipSync(fs.readFileSync(process.argv[2] + '/findings.jsonl.gz')).toString().trim().split('\n').map(JSON.parse);
for (const x of f) if (x.detector === process.argv[3]) console.log(x.concept, x.score, '::', text.slice(x.start, Math.min(x.end, x.start + 250)).replace(/\s+/g, ' '));
