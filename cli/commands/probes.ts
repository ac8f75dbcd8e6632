import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { readQuestions } from '../../corpora/readers/questions.js';
import { defaultCacheDir } from '../../indexes/cache-dir.js';
import { DEFAULT_MODEL } from '../../indexes/semantic-models.js';
import type { DetectorName } from '../../maskers/detectors/chain.js';
import { loadPack } from '../../maskers/pack/load.js';
import { classifyQuestions } from '../../pipelines/probes/classify.js';
import { parseCount, parseDetectors } from '../parse.js';
import { UsageError } from '../../corpora/errors.js';
import { TOOL_NAME, TOOL_VERSION } from '../../corpora/package-info.js';
import { readRecords } from '../../corpora/readers/records.js';
import { RunDirectory, writeFileAtomic } from '../../corpora/writers/run-directory.js';
import { buildProbes, type BuildReport, type ProbeRecord } from '../../pipelines/probes/build.js';
import { exportable, exportProbes } from '../../pipelines/probes/export.js';
import { probeGap } from '../../pipelines/probes/gap.js';

interface ClassifyFlags {
  pack: string;
  out?: string;
  detectors: DetectorName[];
  cacheDir: string;
  model: string;
}

export function probesCommand(): Command {
  const probes = new Command('probes').description('probe sets: build, verify and export them; classify existing benchmarks');
  probes
    .command('classify')
    .description('label each question of a benchmark (MMLU-style CSV or JSONL) masked, control or unrelated, with the evidence')
    .argument('<files...>', 'question sets')
    .requiredOption('-p, --pack <id|file>', 'concept pack')
    .option('-o, --out <file>', 'write the labels as JSONL here')
    .option('--detectors <list>', 'detectors (semantic is slower)', parseDetectors, ['lexical', 'entity', 'context'])
    .option('--model <model>', 'encoder for the semantic detector', DEFAULT_MODEL)
    .option('--cache-dir <dir>', 'where distilled embedders and cached embeddings are kept', defaultCacheDir())
    .action(async (files: string[], flags: ClassifyFlags) => {
      const { pack } = await loadPack(flags.pack);
      const lines: string[] = [];
      const all = [];
      for (const file of files) {
        const labelled = await classifyQuestions(pack, await readQuestions(file), { detectors: flags.detectors, cacheDir: flags.cacheDir, model: flags.model });
        const count = (label: string) => labelled.filter((item) => item.label === label).length;
        lines.push(`${file}: ${labelled.length} questions: ${count('masked')} masked, ${count('control')} control, ${count('unrelated')} unrelated`);
        all.push(...labelled);
      }
      if (flags.out) await writeFileAtomic(flags.out, all.map((item) => JSON.stringify(item)).join('\n') + '\n');
      process.stdout.write(lines.join('\n') + '\n' + (flags.out ? `labels written to ${flags.out}\n` : ''));
    });
  probes
    .command('build')
    .description("the pack's curated probes, plus cloze probes generated from a mask run and verified against its corpus")
    .requiredOption('-p, --pack <id|file>', 'concept pack')
    .requiredOption('-o, --out <dir>', 'output directory: probes.jsonl, report.json, report.md')
    .option('--corpus <run-dir>', 'a finished `lacuna mask` run to generate probes from and verify against')
    .option('--generated <n>', 'generated cloze probes of each kind (masked, control)', parseCount, 50)
    .option('--seed <n>', 'seed of the deterministic choice of generated probes', parseCount, 1900)
    .option('--overwrite', 'replace a finished probe build in the output directory', false)
    .option('--model <model>', 'encoder for the semantic check', DEFAULT_MODEL)
    .option('--cache-dir <dir>', 'where distilled embedders and cached embeddings are kept', defaultCacheDir())
    .action(async (flags: { pack: string; out: string; corpus?: string; generated: number; seed: number; overwrite: boolean; model: string; cacheDir: string }) => {
      const loaded = await loadPack(flags.pack);
      const run = await RunDirectory.prepare(flags.out, flags.overwrite, flags.corpus ? [flags.corpus] : []);
      try {
        const { probes: built, report } = await buildProbes({ pack: loaded.pack, corpus: flags.corpus, generated: flags.generated, seed: flags.seed, cacheDir: flags.cacheDir, model: flags.model });
        const written = [
          await run.writeFile('probes.jsonl', built.map((probe) => JSON.stringify(probe)).join('\n') + '\n'),
          await run.writeFile('report.json', JSON.stringify(report, null, 2) + '\n'),
          await run.writeFile('report.md', probesMarkdown(loaded.pack.id, report)),
        ];
        const outputs = written.map((file) => run.manifestOutput(file));
        const manifest = { tool: { name: TOOL_NAME, version: TOOL_VERSION }, command: 'probes build', pack: { id: loaded.pack.id, version: loaded.pack.version, sha256: loaded.sha256, language: loaded.pack.language }, config: { corpus: flags.corpus ?? null, generated: flags.generated, seed: flags.seed, model: flags.model }, outputs, counts: report.counts };
        await run.commit(outputs.map((output) => output.path), manifest);
        const summary = Object.entries(report.counts).map(([kind, count]) => `${count} ${kind}`).join(', ');
        process.stdout.write(`built ${built.length} probes (${summary})${report.verified ? `; ${report.failures.length} failed verification` : ''}\n  probes  ${flags.out}/probes.jsonl\n  report  ${flags.out}/report.md\n`);
      } catch (error) {
        await run.abort();
        throw error;
      }
    });
  probes
    .command('export')
    .description('write a probe set as a Hugging Face dataset and lm-evaluation-harness tasks')
    .argument('<probes-dir>', 'output directory of `lacuna probes build`')
    .requiredOption('-o, --out <dir>', 'export directory (hf/ and lm-eval/)')
    .option('--overwrite', 'replace an export written before into the same directory', false)
    .option('--include-failed', 'also export probes that failed verification against the corpus', false)
    .action(async (probesDir: string, flags: { out: string; overwrite: boolean; includeFailed: boolean }) => {
      const manifest = JSON.parse(await readFile(join(probesDir, 'manifest.json'), 'utf8').catch(() => {
        throw new UsageError(`'${probesDir}' is not a finished probe build: manifest.json is missing`);
      })) as { pack: { id: string; version: string; sha256: string; language?: string }; config?: { seed?: number } };
      const built: ProbeRecord[] = [];
      for await (const probe of readRecords<ProbeRecord>(join(probesDir, 'probes.jsonl'))) built.push(probe);
      const { kept, excluded } = exportable(built, flags.includeFailed);
      const run = await RunDirectory.prepare(flags.out, flags.overwrite, [probesDir]);
      try {
        const provenance = { packId: manifest.pack.id, packVersion: manifest.pack.version, packSha256: manifest.pack.sha256, language: manifest.pack.language ?? 'en', tool: `${TOOL_NAME} ${TOOL_VERSION}`, seed: manifest.config?.seed ?? null, excludedFailed: excluded };
        const result = await exportProbes(provenance, kept, run);
        // The probe build's own manifest travels with the export: which corpus, pack and seed made these probes.
        result.files.push(await run.writeFile('probes-manifest.json', await readFile(join(probesDir, 'manifest.json'), 'utf8')));
        const outputs = result.files.map((file) => run.manifestOutput(file));
        await run.commit(outputs.map((output) => output.path), { tool: { name: TOOL_NAME, version: TOOL_VERSION }, command: 'probes export', pack: manifest.pack, config: { probes: probesDir, includeFailed: flags.includeFailed }, counts: { probes: built.length, exported: kept.length, excludedFailed: excluded }, outputs });
        process.stdout.write(`exported ${kept.length} of ${built.length} probes (${excluded} failed verification and left out${flags.includeFailed ? '' : '; --include-failed keeps them'}): ${result.files.length} files, lm-eval tasks ${result.tasks.join(', ')}\n  ${flags.out}/hf  ${flags.out}/lm-eval\n`);
      } catch (error) {
        await run.abort();
        throw error;
      }
    });
  probes
    .command('gap')
    .description("masked and control accuracy from lm-eval's results file, and their difference (lm-eval's groups only average)")
    .argument('<results.json>', 'the results file lm_eval --output_path wrote')
    .option('-p, --pack <id>', 'the pack, when the results hold several')
    .option('--json', 'print the result as JSON', false)
    .action(async (file: string, flags: { pack?: string; json: boolean }) => {
      const result = await probeGap(file, flags.pack);
      if (flags.json) {
        process.stdout.write(JSON.stringify(result, null, 2) + '\n');
        return;
      }
      const line = (kind: string, score: typeof result.masked) => `  ${kind.padEnd(8)} ${(score.accuracy.estimate * 100).toFixed(1)}% (95% ${(score.accuracy.low * 100).toFixed(1)}–${(score.accuracy.high * 100).toFixed(1)}%), ${score.correct} of ${score.probes} probes`;
      process.stdout.write(`${result.prefix}\n${line('control', result.control)}\n${line('masked', result.masked)}\n  gap      ${(result.gap * 100).toFixed(1)} points (control − masked)\n`);
    });
  return probes;
}

function probesMarkdown(packId: string, report: BuildReport): string {
  const lines = [`# Probes: ${packId}`, '', '| probes | count |', '|---|---:|', ...Object.entries(report.counts).map(([kind, count]) => `| ${kind} | ${count} |`), ''];
  if (!report.verified) lines.push('Not verified against a corpus (no --corpus).');
  else if (report.failures.length === 0) lines.push('Every probe passed verification against the corpus.');
  else {
    lines.push(`## ${report.failures.length} probes failed verification`, '');
    for (const failure of report.failures) lines.push(`- \`${failure.id}\` (${failure.kind}): ${failure.checks.map((check) => `${check.check}: ${check.detail}`).join('; ')}`);
  }
  return lines.join('\n') + '\n';
}
