import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { UsageError } from '../../corpora/errors.js';
import { assertAbsent, writeNewFile } from '../../corpora/user-file.js';
import { loadPack } from '../../maskers/pack/load.js';
import { passagesReport, readTrainingSpec, resultTable, runTrain, specPathFor } from '../../pipelines/train.js';
import { NO_BACKGROUND, runStability, stabilityTable } from '../../pipelines/train-stability.js';
import { parseCount, parseFraction } from '../parse.js';

export function trainCommand(): Command {
  return new Command('train')
    .description("train a pack's passage classifier from dated books and measure it on books it never saw")
    .requiredOption('-p, --pack <id|file>', 'concept pack')
    .requiredOption('--data <dir>', 'directory the training spec\'s paths are relative to (e.g. ../shared/corpora)')
    .option('--spec <file>', 'training spec (default: training/<pack>.yaml beside the pack)')
    .option('--folds <n>', 'cross-validation folds, by book (0: leave each positive and negative book out on its own; background books and labelled documents share 5 folds)', parseCount, 5)
    .option('--budget <fraction>', "largest share of negative books' characters the classifier alone may flag, out of fold, for both thresholds (default: the training spec's budget and isolatedBudget, else 0.005)", parseFraction)
    .addOption(
      new Option('--labels <file>', 'hand-labelled paragraphs to score out of fold (TSV: label, book, start, end, begins); repeat for several files')
        .argParser((file: string, files: string[]) => [...files, file])
        .default([], 'none'),
    )
    .option('--report <file>', 'also write the per-book table and the passages behind it, worst first (Markdown) here')
    .option('--paragraphs <file>', "also write every measured paragraph's held-out outcome here (JSON lines: book, side, start, end, logit, logitAlone, removed, removedAlone, removedInDocument, document, text)")
    .option('--stability <n>', 'also rerun the cross-validation n times, each without one of the n smallest background books, and give each number its range (n more trainings)', parseCount)
    .option('--judged-only', 'measure only the positive and negative books and the labelled documents: folds of background books alone are not trained (with --folds 0, 5 fewer trainings); every other row and the thresholds are the same', false)
    .option('--json', 'print the result as JSON', false)
    .option('--write', 'train on every book, write the model beside the pack and pin it in the pack (comments kept)', false)
    .option('-q, --quiet', 'no progress output', false)
    .action(async (flags: { pack: string; data: string; spec?: string; folds: number; budget?: number; report?: string; paragraphs?: string; labels: string[]; stability?: number; judgedOnly: boolean; json: boolean; write: boolean; quiet: boolean }) => {
      const progress = flags.quiet || !process.stderr.isTTY ? undefined : (line: string) => process.stderr.write(`${line}\n`);
      // A run takes minutes: refuse an output that exists before it starts, not after.
      if (flags.report !== undefined && resolve(flags.report) === resolve(flags.paragraphs ?? '')) throw new UsageError(`--report and --paragraphs name the same file '${flags.report}'`);
      for (const path of [flags.report, flags.paragraphs]) if (path) await assertAbsent(path);
      // --stability leaves background books out: refuse a spec without any before the first training.
      if (flags.stability && (await readTrainingSpec(flags.spec ?? specPathFor(await loadPack(flags.pack)))).background.length === 0) throw new UsageError(NO_BACKGROUND);
      const options = { ...flags, paragraphs: flags.paragraphs !== undefined, progress };
      const { paragraphs, ...result } = await runTrain(options);
      const stability = flags.stability ? await runStability({ ...options, paragraphs: false }, result, flags.stability) : undefined;
      const table = resultTable(result) + (stability ? `\n${stabilityTable(result, stability)}` : '');
      if (flags.report) await writeNewFile(flags.report, `${table}\n${passagesReport(result)}`);
      if (flags.paragraphs) await writeNewFile(flags.paragraphs, (paragraphs ?? []).map((outcome) => JSON.stringify(outcome) + '\n').join(''));
      if (flags.json) {
        process.stdout.write(JSON.stringify(stability ? { ...result, stability } : result, null, 2) + '\n');
        return;
      }
      const lines = [table, `threshold on every book's out-of-fold scores: ${result.threshold} (a paragraph alone: ${result.isolatedThreshold}; a document shorter than the smoothing window: ${result.documentThreshold})`];
      if (result.written) lines.push(`wrote ${result.written.model} (sha256 ${result.written.sha256}) and pinned it in ${result.written.pack}`);
      process.stdout.write(lines.join('\n') + '\n');
    });
}
