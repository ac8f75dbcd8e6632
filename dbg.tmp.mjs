import { loadPack } from './dist/maskers/pack/load.js';
import { SemanticDetector } from './dist/maskers/detectors/semantic.js';
import { DetectorChain } from './dist/maskers/detectors/chain.js';
import { readLabelled } from './dist/pipelines/calibrate.js';
import fs from 'node:fs';
const mod = await import('./dist/indexes/semantic-models.js').catch(()=>null);
const { loadSemanticModels } = mod ?? await import('./dist/pipelines/calibrate.js');
const { pack } = await loadPack(process.argv[2]);
const rows = await readLabelled(process.argv[3]);
const models = await loadSemanticModels('/tmp/lacuna-cache', 'use-lite');
const sem = await SemanticDetector.create(pack, models);
const chain = DetectorChain.forPack(pack);
const sims = await sem.similarities(rows.map(r=>r.text));
const th = Object.fromEntries(pack.concepts.map(c=>[c.id,c.threshold]));
for (let i=0;i<rows.length;i++){ const lex=(await chain.detect(rows[i].text)).findings.length>0; if(lex) continue;
 const s=sims[i]; console.log(rows[i].label, rows[i].kind, s.concept, s.similarity.toFixed(3), 'th', th[s.concept], 'keep', s.keepSimilarity.toFixed(3), rows[i].text.slice(0,70), '\n     => ', s.exemplar.slice(0,90)); }
