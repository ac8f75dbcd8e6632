import { Command } from 'commander';
import { defaultCacheDir } from '../../indexes/cache-dir.js';
import { DEFAULT_MODEL } from '../../indexes/semantic-models.js';
import { runCalibrate } from '../../pipelines/calibrate.js';
import { parseCount, parseFraction } from '../parse.js';

export function calibrateCommand(): Command {
  return new Command('calibrate')
    .description("set the semantic detector's thresholds from labelled sentences (TSV: label, kind, text)")
    .requiredOption('-p, --pack <id|file>', 'concept pack')
    .requiredOption('--labelled <files...>', 'labelled sentences: label (1 target, 0 keep) <TAB> kind <TAB> text, with a header line; several files are read as one set')
    .option('--background <inputs...>', 'pre-cutoff text (files or directories) whose sentences are all negatives', [])
    .option('--background-sentences <n>', 'background sentences to sample', parseCount, 1500)
    .option('--background-budget <fraction>', 'largest share of background sentences that may be flagged', parseFraction, 0.01)
    .option('--labelled-budget <fraction>', 'largest share of labelled negatives that may be flagged', parseFraction, 0.05)
    .option('--model <model>', 'encoder: use-lite, hf:<repo> or a model directory', DEFAULT_MODEL)
    .option('--no-centre', 'take similarities of the raw embeddings, not centred on the background (see README)')
    .option('--write', "store the thresholds in the pack file (its comments are kept)", false)
    .option('--cache-dir <dir>', 'where distilled embedders and cached embeddings are kept', defaultCacheDir())
    .action(async (flags: { pack: string; labelled: string[]; background: string[]; backgroundSentences: number; backgroundBudget: number; labelledBudget: number; centre: boolean; write: boolean; cacheDir: string; model: string }) => {
      const result = await runCalibrate(flags);
      const lines = [result.centre ? `embeddings centred on the background mean (${result.centre.model})` : 'raw embeddings (no centre)', `keep margin ${result.keepMargin}, window screen ${result.screen}, sentence screen ${result.sentenceScreen}`];
      for (const [concept, item] of Object.entries(result.concepts)) {
        const between = item.lowestTaken === null ? 'no positive taken' : `weakest positive taken ${item.lowestTaken}`;
        lines.push(`  ${concept}: threshold ${item.threshold} (${between}; highest negative below ${item.highestNegative ?? 'none'}; positives found ${item.found}/${item.positives}; background flagged ${item.backgroundFlagged})`);
        if (item.highestNegativeText) lines.push(`      highest negative: ${item.highestNegativeText.length > 150 ? item.highestNegativeText.slice(0, 149) + '…' : item.highestNegativeText}`);
      }
      lines.push('flagged with all detectors, by kind:');
      for (const [kind, rate] of Object.entries(result.rates)) lines.push(`  ${kind}: ${rate.flagged}/${rate.total} (${((rate.flagged / rate.total) * 100).toFixed(1)}%)`);
      lines.push(`the screens let ${(result.backgroundScreenedIn * 100).toFixed(1)}% of background sentences through to the encoder`);
      if (result.written) lines.push(`wrote the thresholds into ${result.written}`);
      process.stdout.write(lines.join('\n') + '\n');
    });
}
