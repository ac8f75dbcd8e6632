import { Command } from 'commander';
import { writeNewFile } from '../../corpora/user-file.js';
import { defaultCacheDir } from '../../indexes/cache-dir.js';
import { DEFAULT_MODEL } from '../../indexes/semantic-models.js';
import { DEFAULT_DETECTORS, type DetectorName } from '../../maskers/detectors/chain.js';
import { evaluateLabelled, evaluationMarkdown } from '../../pipelines/evaluate-labelled.js';
import { parseDetectors } from '../parse.js';

interface EvalFlags {
  pack: string;
  detectors: DetectorName[];
  json: boolean;
  out?: string;
  cacheDir: string;
  model: string;
}

export function evalCommand(): Command {
  return new Command('eval')
    .description('measure the detectors on passages a person labelled (TSV: label, kind, text): targets removed and other passages touched, each masked as a document of its own, with the passages that went wrong')
    .argument('<labelled...>', 'labelled passages: TSV with a header line, label 1 (target knowledge) or 0, a kind, the text')
    .requiredOption('-p, --pack <id|file>', 'concept pack')
    .option('--detectors <list>', 'detectors (default: those of `lacuna mask`)', parseDetectors, [...DEFAULT_DETECTORS])
    .option('--json', 'print the evaluation as JSON instead of Markdown', false)
    .option('-o, --out <file>', 'also write the JSON evaluation to this new file')
    .option('--model <model>', 'encoder for the semantic detector', DEFAULT_MODEL)
    .option('--cache-dir <dir>', 'where distilled embedders and cached embeddings are kept', defaultCacheDir())
    .action(async (files: string[], flags: EvalFlags) => {
      const result = await evaluateLabelled({ files, pack: flags.pack, detectors: flags.detectors, cacheDir: flags.cacheDir, model: flags.model });
      if (flags.out) await writeNewFile(flags.out, JSON.stringify(result, null, 2) + '\n');
      process.stdout.write(flags.json ? JSON.stringify(result, null, 2) + '\n' : evaluationMarkdown(result));
    });
}
