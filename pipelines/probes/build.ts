/**
 * `lacuna probes build`: the probe set of a pack, and of a masked corpus.
 *
 * - Curated probes come from the pack (masked, control, reconstruction).
 * - Generated cloze probes come from a mask run (--corpus): masked ones from
 *   the sentences the run excised (the pack term blanked, the term the answer),
 *   control ones from sentences the run kept that speak of pre-cutoff look-alikes
 *   (the keep term blanked). Deduplicated, chosen deterministically with a seed,
 *   each with its provenance (document id and span).
 * - With a corpus, every probe is verified against it: a masked probe passes
 *   when neither its answer-bearing terms nor passages close to it in meaning
 *   (the run's index, scored by the semantic detector's rule) remain; a control
 *   when the words its knowledge rests on are all still there; a reconstruction
 *   task when all its premise passages remain and its target's terms do not.
 */
import { dirname, join } from 'node:path';
import type { Document } from '../../corpora/document.js';
import { readRecords } from '../../corpora/readers/records.js';
import { corpusDocuments, outputShapeOf } from '../../corpora/corpus-reader.js';
import { checkRunInputsReadable, runInputDocuments, type SequencedDocument } from '../../corpora/run-inputs.js';
import { loadSemanticModels } from '../../indexes/semantic-models.js';
import { IndexParts } from '../../indexes/vector-index.js';
import { LexicalDetector } from '../../maskers/detectors/lexical.js';
import { PhraseMatcher } from '../../maskers/detectors/phrase-matcher.js';
import { SemanticDetector } from '../../maskers/detectors/semantic.js';
import { PackVocabulary } from '../../maskers/detectors/vocabulary.js';
import type { Edit } from '../../maskers/edits.js';
import type { Finding } from '../../maskers/findings.js';
import type { Pack, Probe } from '../../maskers/pack/schema.js';
import { segment } from '../../maskers/segment/segmenter.js';
import { readManifest } from '../replay.js';
import { sentenceIndex } from '../verify.js';
import { passageVerdicts } from '../semantic-verification.js';

export interface ProbeCheck {
  check: string;
  passed: boolean;
  detail: string;
}

export interface ProbeRecord {
  id: string;
  kind: Probe['kind'];
  format: Probe['format'];
  concept: string;
  question: string;
  answer: string;
  choices?: string[];
  premises?: string[];
  keyPoints?: string[];
  premisePassages?: string[];
  evidence: string[];
  source: 'curated' | 'generated';
  /** For generated probes: where the sentence came from (input text for masked, output for control). */
  provenance?: { id: string; start: number; end: number };
  verification?: { passed: boolean; checks: ProbeCheck[] };
}

export interface BuildOptions {
  pack: Pack;
  /** A finished mask run to generate probes from and verify against. */
  corpus?: string;
  /** Generated cloze probes of each kind (masked, control). */
  generated: number;
  seed: number;
  cacheDir: string;
  model: string;
}

export interface BuildReport {
  counts: Record<string, number>;
  verified: boolean;
  failures: { id: string; kind: string; checks: ProbeCheck[] }[];
}

/** A seeded shuffle (mulberry32), so the same seed picks the same probes. */
function shuffled<T>(items: T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const squash = (text: string) => text.replace(/\s+/g, ' ').trim();

function curated(pack: Pack): ProbeRecord[] {
  const lexical = new LexicalDetector(pack);
  return pack.concepts.flatMap((concept) =>
    concept.probes.map((probe): ProbeRecord => {
      // A masked probe's answer-bearing words: as the pack states them, else the target terms in its answer.
      const found = lexical.detect(probe.answer).findings.map((finding) => probe.answer.slice(finding.start, finding.end));
      const evidence = probe.evidence.length > 0 ? probe.evidence : probe.kind === 'control' ? [] : [...new Set(found)];
      return {
        id: probe.id,
        kind: probe.kind,
        format: probe.format,
        concept: concept.id,
        question: probe.question,
        answer: probe.answer,
        ...(probe.choices ? { choices: probe.choices } : {}),
        ...(probe.kind === 'reconstruction' ? { premises: probe.premises, keyPoints: probe.keyPoints, premisePassages: probe.premisePassages } : {}),
        evidence,
        source: 'curated',
      };
    }),
  );
}

/** Inputs of a run, read the way the run read them. */
async function* runInputs(runDir: string): AsyncGenerator<SequencedDocument> {
  const manifest = await readManifest(runDir);
  await checkRunInputsReadable(manifest);
  yield* runInputDocuments(manifest);
}

async function* runCorpus(runDir: string): AsyncGenerator<{ id: string; text: string }> {
  const manifest = await readManifest(runDir);
  yield* corpusDocuments(manifest.outputs.filter((item) => item.path.startsWith('corpus/')).map((output) => join(runDir, output.path)), outputShapeOf(manifest));
}

/** Cloze probes from a run: excised sentences (masked) and kept sentences about look-alikes (control). */
async function generated(pack: Pack, runDir: string, count: number, seed: number): Promise<ProbeRecord[]> {
  const findings = new Map<number, Finding[]>();
  for await (const finding of readRecords<Finding>(join(runDir, 'findings.jsonl.gz'))) {
    if (finding.detector !== 'lexical' || (finding.evidence.rule !== 'term' && finding.evidence.rule !== 'variant')) continue;
    (findings.get(finding.seq) ?? findings.set(finding.seq, []).get(finding.seq)!).push(finding);
  }
  const edited = new Map<number, Edit[]>();
  for await (const edit of readRecords<Edit>(join(runDir, 'edits.jsonl.gz'))) (edited.get(edit.seq) ?? edited.set(edit.seq, []).get(edit.seq)!).push(edit);

  const maskedCandidates = new Map<string, ProbeRecord>();
  for await (const { seq, doc } of runInputs(runDir)) {
    const own = findings.get(seq);
    const edits = edited.get(seq);
    if (!own || !edits) continue;
    for (const sentence of segment(doc.text).sentences) {
      const inside = own.filter((finding) => finding.start >= sentence.start && finding.end <= sentence.end);
      const removed = edits.some((edit) => edit.start <= sentence.start && sentence.end <= edit.end);
      if (inside.length === 0 || !removed) continue;
      const finding = inside[0];
      const text = doc.text.slice(sentence.start, sentence.end);
      const words = squash(text).split(' ').length;
      if (words < 8 || words > 60) continue;
      const term = doc.text.slice(finding.start, finding.end);
      const question = squash(doc.text.slice(sentence.start, finding.start) + '____' + doc.text.slice(finding.end, sentence.end));
      const key = question.toLowerCase();
      if (!maskedCandidates.has(key)) {
        maskedCandidates.set(key, { id: '', kind: 'masked', format: 'cloze', concept: finding.concept, question, answer: squash(term), evidence: [squash(term)], source: 'generated', provenance: { id: doc.id, start: sentence.start, end: sentence.end } });
      }
    }
  }

  const vocabulary = new PackVocabulary(pack);
  const controlCandidates = new Map<string, ProbeRecord>();
  for await (const doc of runCorpus(runDir)) {
    const keeps = vocabulary.scan(doc.text).filter((match) => match.entry.kind === 'keep');
    if (keeps.length === 0) continue;
    for (const sentence of segment(doc.text).sentences) {
      const match = keeps.find((keep) => keep.start >= sentence.start && keep.end <= sentence.end);
      if (!match) continue;
      const words = squash(doc.text.slice(sentence.start, sentence.end)).split(' ').length;
      if (words < 8 || words > 60) continue;
      const term = squash(doc.text.slice(match.start, match.end));
      const question = squash(doc.text.slice(sentence.start, match.start) + '____' + doc.text.slice(match.end, sentence.end));
      const key = question.toLowerCase();
      if (!controlCandidates.has(key)) {
        const concept = match.entry.concept || pack.concepts[0].id;
        controlCandidates.set(key, { id: '', kind: 'control', format: 'cloze', concept, question, answer: term, evidence: [term], source: 'generated', provenance: { id: doc.id, start: sentence.start, end: sentence.end } });
      }
    }
  }
  // Candidates in a fixed order first (by provenance), so the seeded choice depends on nothing else.
  const byProvenance = (a: ProbeRecord, b: ProbeRecord) => (a.provenance!.id < b.provenance!.id ? -1 : a.provenance!.id > b.provenance!.id ? 1 : a.provenance!.start - b.provenance!.start);
  const pick = (probes: ProbeRecord[], prefix: string) =>
    shuffled(probes.sort(byProvenance), seed)
      .slice(0, count)
      .sort(byProvenance)
      .map((probe, index) => ({ ...probe, id: `${prefix}-${String(index + 1).padStart(4, '0')}` }));
  return [...pick([...maskedCandidates.values()], 'gen-masked'), ...pick([...controlCandidates.values()], 'gen-control')];
}

/** Checks each probe against a mask run's corpus and index. */
async function verify(pack: Pack, probes: ProbeRecord[], runDir: string, cacheDir: string, model: string): Promise<void> {
  // Words a control or premise rests on: present anywhere counts.
  const phrases = [...new Set(probes.flatMap((probe) => [...probe.evidence, ...(probe.premisePassages ?? [])]))];
  const matcher = new PhraseMatcher(phrases);
  const present = new Map<string, number>();
  // Target words: the pack entries the lexical detector still finds in the corpus, so that
  // "relativity" inside "Galilean relativity" (a keep context) does not count, and "spacetime"
  // in an answer is found as "space-time" in the text.
  const lexical = new LexicalDetector(pack);
  const vocabulary = new PackVocabulary(pack);
  const remaining = new Map<string, number>();
  for await (const doc of runCorpus(runDir)) {
    for (const match of matcher.scan(doc.text)) present.set(phrases[match.phrase], (present.get(phrases[match.phrase]) ?? 0) + 1);
    // Every term match, overlapping ones included ("space-time" inside "space-time continuum"), outside keep contexts.
    const matches = vocabulary.scan(doc.text);
    const keeps = matches.filter((match) => match.entry.kind === 'keep');
    for (const match of matches) {
      if (match.entry.kind !== 'term' && match.entry.kind !== 'variant') continue;
      if (keeps.some((keep) => keep.start < match.end && match.start < keep.end)) continue;
      remaining.set(match.entry.match, (remaining.get(match.entry.match) ?? 0) + 1);
    }
  }
  /** How often a word a probe must not find is still in the corpus: by pack entry when it is a pack term, else as written. */
  const stillThere = (word: string): number => {
    const entries = lexical.detect(word).findings.map((finding) => finding.evidence.match);
    return entries.length > 0 ? entries.reduce((sum, entry) => sum + (remaining.get(entry) ?? 0), 0) : (present.get(word) ?? 0);
  };

  const manifest = await readManifest(runDir);
  const shards = manifest.outputs.filter((output) => output.path.startsWith('corpus/')).map((output) => join(runDir, output.path));
  let nearestLeak: ((text: string, concept: string) => Promise<ProbeCheck>) | undefined;
  if (pack.concepts.some((concept) => concept.exemplars.length > 0)) {
    const models = await loadSemanticModels(cacheDir, model);
    // The run's own index when it has one; else one built now (a run without the semantic detector).
    const parts = manifest.outputs.filter((output) => /^index\/part-\d+\/hnsw\.bin$/.test(output.path)).map((output) => join(runDir, dirname(output.path)));
    const index = parts.length > 0 ? await IndexParts.load(parts) : await sentenceIndex(shards, outputShapeOf(manifest), models.screen);
    const semantic = await SemanticDetector.create(pack, models);
    const texts = new Map<string, string>();
    for await (const doc of runCorpus(runDir)) texts.set(doc.id, doc.text);
    nearestLeak = async (text, concept) => {
      const neighbours = index.query(models.screen.vector(text), 10);
      const passages = neighbours.map((neighbour) => (texts.get(neighbour.unit.id) ?? '').slice(neighbour.unit.start, neighbour.unit.end));
      const verdicts = await passageVerdicts(pack, semantic, passages);
      // A leak of this probe: a nearby passage the semantic detector would flag as the probe's own concept.
      const leaking = verdicts.findIndex((verdict) => verdict.flagged && verdict.concept === concept);
      return leaking < 0
        ? { check: 'no close passage', passed: true, detail: `nearest of ${neighbours.length} passages scored ${verdicts[0]?.similarity.toFixed(3) ?? '–'}` }
        : { check: 'no close passage', passed: false, detail: `${neighbours[leaking].unit.id} [${neighbours[leaking].unit.start}, ${neighbours[leaking].unit.end}) scores ${verdicts[leaking].similarity.toFixed(3)}: ${squash(passages[leaking]).slice(0, 160)}` };
    };
  }
  const absent = (words: string[], check: string): ProbeCheck => {
    const found = words.filter((word) => stillThere(word) > 0);
    return { check, passed: found.length === 0, detail: found.length === 0 ? `none of ${words.length} found` : `still in the corpus: ${found.map((word) => `${word} (${stillThere(word)})`).join(', ')}` };
  };
  const all = (words: string[], check: string): ProbeCheck => {
    const missing = words.filter((word) => !present.has(word));
    return { check, passed: missing.length === 0, detail: missing.length === 0 ? `all ${words.length} found` : `missing from the corpus: ${missing.join(', ')}` };
  };
  for (const probe of probes) {
    const checks: ProbeCheck[] = [];
    if (probe.kind === 'masked') {
      checks.push(absent(probe.evidence, 'answer terms absent'));
      if (nearestLeak) checks.push(await nearestLeak(`${probe.question} ${probe.answer}`, probe.concept));
    } else if (probe.kind === 'control') {
      checks.push(all(probe.evidence, 'supporting words present'));
    } else {
      checks.push(all(probe.premisePassages ?? [], 'premise passages present'));
      checks.push(absent(probe.evidence, 'target terms absent'));
    }
    probe.verification = { passed: checks.every((check) => check.passed), checks };
  }
}

export async function buildProbes(options: BuildOptions): Promise<{ probes: ProbeRecord[]; report: BuildReport }> {
  const probes = curated(options.pack);
  if (options.corpus) probes.push(...(await generated(options.pack, options.corpus, options.generated, options.seed)));
  if (options.corpus) await verify(options.pack, probes, options.corpus, options.cacheDir, options.model);
  const counts: Record<string, number> = {};
  for (const probe of probes) counts[`${probe.source} ${probe.kind}`] = (counts[`${probe.source} ${probe.kind}`] ?? 0) + 1;
  const failures = probes.filter((probe) => probe.verification && !probe.verification.passed).map((probe) => ({ id: probe.id, kind: probe.kind, checks: probe.verification!.checks.filter((check) => !check.passed) }));
  return { probes, report: { counts, verified: Boolean(options.corpus), failures } };
}
