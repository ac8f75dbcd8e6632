const r = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));
const mixed = /curie_radio|rutherford|heat_radiation|eight_lectures|mcurie|pcurie|shipley|phillips|lpoincare|gibson|bridgman/;
const th = r.books.filter((b) => b.side == 'positive' && !mixed.test(b.name));
const pre = r.books.filter((b) => b.side == 'negative' && !b.name.includes('crowell_'));
const cr = r.books.filter((b) => b.side == 'negative' && b.name.includes('crowell_'));
const m = (a, k) => ((a.reduce((s, b) => s + b[k], 0) / a.length) * 100).toFixed(1);
console.log('thr', r.threshold, r.isolatedThreshold, 'theory', m(th, 'loss'), '≥90:', th.filter((b) => b.loss >= 0.9).length, 'iso', m(th, 'isolatedLoss'), 'pre max', Math.max(...pre.map((b) => b.loss * 100)).toFixed(2), 'pre iso max', Math.max(...pre.map((b) => b.isolatedLoss * 100)).toFixed(2), 'crowell', m(cr, 'loss'), 'mixed', r.labelled?.targetsRemoved, r.labelled?.keepsTouched);
for (const b of [...th, ...cr]) console.log(' ', (b.loss * 100).toFixed(1), (b.isolatedLoss * 100).toFixed(1), b.name.split('/').pop().slice(0, 50));
