import { Command, Option } from 'commander';
import { UsageError } from '../../corpora/errors.js';
import { assertAbsent, writeNewFile } from '../../corpora/user-file.js';
import { defaultCacheDir } from '../../indexes/cache-dir.js';
import { DEFAULT_MODEL } from '../../indexes/semantic-models.js';
import { DEFAULT_DETECTORS, type DetectorName } from '../../maskers/detectors/chain.js';
import { bookEvaluationMarkdown, evaluateBooks } from '../../pipelines/evaluate-books.js';
import { evaluateLabelled, evaluationMarkdown } from '../../pipelines/evaluate-labelled.js';
import { parseDetectors } from '../parse.js';

interface EvalFlags {
  pack: string;
  detectors: DetectorName[];
  targetBooks: string[];
  otherBooks: string[];
  labels: string[];
  json: boolean;
  out?: string;
  cacheDir: string;
  model: string;
  quiet: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function evalCommand(): Command {
  return new Command('eval')
    .description(
      'measure the detectors on passages a person labelled (TSV: label, kind, text): targets removed and other passages touched, each masked as a document of its own, with the passages that went wrong; or, with --target-books and --other-books, on whole books: the share of each removed in the book, in documents of 8,000 characters and paragraph by paragraph',
    )
    .argument('[labelled...]', 'labelled passages: TSV with a header line, label 1 (target knowledge) or 0, a kind, the text')
    .requiredOption('-p, --pack <id|file>', 'concept pack')
    .addOption(new Option('--target-books <path>', 'a book whose subject is the target (a .txt or .md file, or a directory of them); repeat for more').argParser(collect).default([], 'none'))
    .addOption(new Option('--other-books <path>', 'a book that holds none of the target (written before the cutoff, or modern prose about older knowledge); repeat for more').argParser(collect).default([], 'none'))
    .addOption(new Option('--labels <file>', 'with books: paragraphs labelled by hand in them (TSV with a header line: label 1 or 0, book, start, end, begins; as lacuna train --labels reads), scored exactly; repeat for more').argParser(collect).default([], 'none'))
    .option('--detectors <list>', 'detectors (default: those of `lacuna mask`)', parseDetectors, [...DEFAULT_DETECTORS])
    .option('--json', 'print the evaluation as JSON instead of Markdown', false)
    .option('-o, --out <file>', 'also write the JSON evaluation to this new file')
    .option('--model <model>', 'encoder for the semantic detector', DEFAULT_MODEL)
    .option('--cache-dir <dir>', 'where distilled embedders and cached embeddings are kept', defaultCacheDir())
    .option('-q, --quiet', 'no progress output', false)
    .action(async (files: string[], flags: EvalFlags) => {
      const books = flags.targetBooks.length + flags.otherBooks.length > 0;
      if (books && files.length > 0) throw new UsageError('give labelled passages or --target-books/--other-books, not both');
      if (!books && files.length === 0) throw new UsageError('give labelled passages (TSV files), or books with --target-books and --other-books');
      if (!books && flags.labels.length > 0) throw new UsageError('--labels labels paragraphs of books: give the books with --target-books and --other-books (labelled passages are given as arguments)');
      // Books take minutes: refuse an output that exists before the first one, not after.
      if (flags.out) await assertAbsent(flags.out);
      let json: unknown;
      let markdown: string;
      if (books) {
        const onBook = flags.quiet || !process.stderr.isTTY ? undefined : (path: string, at: number, of: number) => process.stderr.write(`lacuna eval: book ${at + 1} of ${of}: ${path}\n`);
        const result = await evaluateBooks({ targetBooks: flags.targetBooks, otherBooks: flags.otherBooks, labels: flags.labels, pack: flags.pack, detectors: flags.detectors, cacheDir: flags.cacheDir, model: flags.model, onBook });
        json = result;
        markdown = bookEvaluationMarkdown(result);
      } else {
        const result = await evaluateLabelled({ files, pack: flags.pack, detectors: flags.detectors, cacheDir: flags.cacheDir, model: flags.model });
        json = result;
        markdown = evaluationMarkdown(result);
      }
      if (flags.out) await writeNewFile(flags.out, JSON.stringify(json, null, 2) + '\n');
      process.stdout.write(flags.json ? JSON.stringify(json, null, 2) + '\n' : markdown);
    });
}
