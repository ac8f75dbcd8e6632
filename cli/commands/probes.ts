import { writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { readQuestions } from '../../corpora/readers/questions.js';
import { defaultCacheDir } from '../../indexes/cache-dir.js';
import { DEFAULT_MODEL } from '../../indexes/semantic-models.js';
import type { DetectorName } from '../../maskers/detectors/chain.js';
import { loadPack } from '../../maskers/pack/load.js';
import { classifyQuestions } from '../../pipelines/probes/classify.js';
import { parseDetectors } from '../parse.js';

interface ClassifyFlags {
  pack: string;
  out?: string;
  detectors: DetectorName[];
  cacheDir: string;
  model: string;
}

export function probesCommand(): Command {
  const probes = new Command('probes').description('probe sets: classify existing benchmarks');
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
      if (flags.out) await writeFile(flags.out, all.map((item) => JSON.stringify(item)).join('\n') + '\n');
      process.stdout.write(lines.join('\n') + '\n' + (flags.out ? `labels written to ${flags.out}\n` : ''));
    });
  return probes;
}
