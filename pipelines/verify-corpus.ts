/**
 * `lacuna verify --pack P <inputs…>`: the auditor's usual case, a corpus Lacuna did not make.
 * The corpus is masked into a scratch directory of its own (made here, removed here) with the
 * default detectors, so "what masking would remove" is measured by exactly the code and rates a
 * mask run uses; nothing was removed from the corpus itself, so the whole estimated target text
 * is still in it. The report says so.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InputOptions } from '../corpora/input-reader.js';
import type { FormatChoice } from '../corpora/sources.js';
import { DEFAULT_INDEX_PARAMETERS } from '../indexes/vector-index.js';
import { DEFAULT_MODEL } from '../indexes/semantic-models.js';
import { DEFAULT_DETECTORS } from '../maskers/detectors/chain.js';
import { DEFAULT_POLICY } from '../maskers/policy.js';
import { runMask } from './mask.js';
import { collateralFromManifest, identityFromManifest } from './report-html.js';
import { estimateLeakage, estimateUnavailable, heldOutRates } from './leakage-estimate.js';
import { settleVerdict, type VerificationReport } from './verify.js';
import { DEFAULT_MAX_LEAK } from './leak-limit.js';
import { loadPack } from '../maskers/pack/load.js';
import { unscreenedOutputChars } from '../maskers/language.js';
import type { ProgressSink } from './runtime/progress.js';

export interface VerifyAnyCorpusOptions {
  inputs: string[];
  pack: string;
  format: FormatChoice;
  reading: InputOptions;
  workers: number;
  cacheDir: string;
  /** Largest share of the corpus that may be target text (default DEFAULT_MAX_LEAK). */
  maxLeak?: number;
  /** What the mask run over the corpus warns of (a pack's, a field that may name the records' work). */
  onWarning?: (message: string) => void;
}

export async function verifyAnyCorpus(options: VerifyAnyCorpusOptions, progress?: ProgressSink): Promise<VerificationReport> {
  const scratch = await mkdtemp(join(tmpdir(), 'lacuna-verify-'));
  try {
    const { manifest, verification } = await runMask(
      {
        inputs: options.inputs,
        pack: options.pack,
        out: join(scratch, 'run'),
        format: options.format,
        reading: options.reading,
        policy: DEFAULT_POLICY,
        detectors: [...DEFAULT_DETECTORS],
        workers: options.workers,
        shardBytes: 256 * 1024 ** 2,
        gzipLevel: 1,
        overwrite: false,
        strict: false,
        maxResidual: 0,
        cacheDir: options.cacheDir,
        model: DEFAULT_MODEL,
        index: DEFAULT_INDEX_PARAMETERS,
        onWarning: options.onWarning,
      },
      progress,
    );
    const loaded = await loadPack(options.pack, options.cacheDir);
    // The corpus itself was not masked: what the detectors find in it is residual, all of it.
    const concepts = Object.fromEntries(Object.entries(verification.concepts).map(([id, concept]) => [id, { ...concept, lexical: manifest.findings.byConcept[id] ?? 0, semantic: 0, passed: (manifest.findings.byConcept[id] ?? 0) === 0, passages: [] }]));
    const rates = heldOutRates(loaded.pack);
    const unavailable = estimateUnavailable(rates, DEFAULT_DETECTORS);
    const report: VerificationReport = {
      ...verification,
      pack: { id: loaded.pack.id, version: loaded.pack.version },
      run: { pack: { id: loaded.pack.id, version: loaded.pack.version }, findingsByConcept: manifest.findings.byConcept, removedCharsByConcept: manifest.removedCharsByConcept },
      methods: [`the default detectors (${DEFAULT_DETECTORS.join(', ')}) run over the corpus as a mask run would${options.reading.contextField ? `, records one after another with the same ${options.reading.contextField} together` : ''}, nothing written back`],
      concepts,
      estimate: unavailable ? null : estimateLeakage(manifest.collateral.inputChars, manifest.collateral.removedChars, rates!, { masked: false, removedByConcept: manifest.removedCharsByConcept, singleParagraphChars: manifest.collateral.singleParagraphChars, shortDocumentChars: manifest.collateral.shortDocumentChars, islandChars: manifest.collateral.islandChars, unscreenedChars: unscreenedOutputChars(manifest.languages?.other, false) }),
      ...(unavailable ? { estimateUnavailable: unavailable } : {}),
    };
    settleVerdict(report, options.maxLeak ?? DEFAULT_MAX_LEAK);
    report.identity = { ...identityFromManifest(manifest, `verify --pack ${loaded.pack.id}`), inputs: manifest.inputs.map((input) => ({ label: input.resolved, sha256: input.sha256, bytes: input.bytes })) };
    report.collateral = collateralFromManifest(manifest);
    return report;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
