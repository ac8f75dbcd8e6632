import { warn } from '../output.js';
import { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { UsageError } from '../../corpora/errors.js';
import { builtinPackIds, loadPack } from '../../maskers/pack/load.js';
import { conceptClosure } from '../../maskers/pack/closure.js';
import { packTemplate } from '../../maskers/pack/template.js';

export function packsCommand(): Command {
  const packs = new Command('packs').description('list, show and validate concept packs');
  packs
    .command('list')
    .description('list the built-in packs')
    .action(async () => {
      for (const id of builtinPackIds()) {
        const { pack } = await loadPack(id);
        process.stdout.write(`${pack.id}\t${pack.version}\tcutoff ${pack.cutoff}\t${pack.concepts.length} concepts\t${pack.title}\n`);
      }
    });
  packs
    .command('show')
    .description('show a pack\'s concepts, terms, claims and keep contexts')
    .argument('<id|file>')
    .action(async (ref: string) => {
      const { pack, sha256, source } = await loadPack(ref);
      const lines = [`${pack.id} ${pack.version}: ${pack.title} (cutoff ${pack.cutoff})`, `source ${source}`, `sha256 ${sha256}`];
      const passage = pack.passage;
      if (passage) lines.push(`passage model ${passage.model} (sha256 ${passage.sha256}); threshold ${passage.threshold}, ${passage.isolatedThreshold ?? passage.threshold} for a paragraph alone, ${passage.documentThreshold ?? passage.threshold} for a document shorter than the smoothing window, ${passage.supportMargin} less with another detector's finding (${passage.localSupportMargin ?? passage.supportMargin} when all it has is context words of the paragraphs around), ${passage.keepMargin} more for one that names a keep context (${passage.isolatedKeepMargin ?? passage.keepMargin} alone)${passage.isolatedContextWords === undefined ? '' : `; a paragraph alone with ${passage.isolatedContextWords} distinct context words of one concept counts as supported${passage.isolatedContextWordStep === undefined ? '' : ` (${passage.isolatedContextWordStep} less margin for each word fewer)`}${passage.shortDocumentContextWords === true ? ', and so does a paragraph of a document shorter than the smoothing window that holds no other finding' : ''}`}`);
      lines.push('');
      for (const concept of pack.concepts) {
        lines.push(`${concept.id}: ${concept.label}`);
        lines.push(`  terms (${concept.terms.length + concept.variants.length}): ${[...concept.terms, ...concept.variants].join(', ')}`);
        if (concept.people.length) lines.push(`  people: ${concept.people.map((person) => person.name).join(', ')}`);
        if (concept.claims.length) lines.push(`  claims (${concept.claims.length}): ${concept.claims.map((claim) => claim.label).join('; ')}`);
        if (concept.keep.length) lines.push(`  keeps: ${concept.keep.map((keep) => keep.label).join('; ')}`);
        if (concept.implies.length) lines.push(`  implies: ${concept.implies.join(', ')}; masking it masks ${conceptClosure(pack, [concept.id]).join(', ')}`);
      }
      if (pack.keep.length) lines.push('', `pack-wide keeps: ${pack.keep.map((keep) => keep.label).join('; ')}`);
      process.stdout.write(lines.join('\n') + '\n');
    });
  packs
    .command('validate')
    .description('check a pack file against the schema')
    .argument('<file>')
    .action(async (file: string) => {
      const { pack, warnings } = await loadPack(file);
      for (const warning of warnings) warn(`${file}: ${warning}`);
      process.stdout.write(`${file}: valid pack ${pack.id} ${pack.version} with ${pack.concepts.length} concepts\n`);
    });
  packs
    .command('init')
    .description('write a commented starting point for a new pack')
    .argument('[file]', 'where to write it', 'my-pack.yaml')
    .option('--force', 'replace an existing file', false)
    .action(async (file: string, flags: { force: boolean }) => {
      const id = basename(file, extname(file)).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'my-pack';
      try {
        await writeFile(file, packTemplate(id), { flag: flags.force ? 'w' : 'wx' });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new UsageError(code === 'EEXIST' ? `'${file}' exists; pass --force to replace it` : `cannot write '${file}': ${code ?? (error as Error).message}`);
      }
      process.stdout.write(`wrote ${file} (pack ${id}); edit it, then: lacuna packs validate ${file}\n`);
    });
  return packs;
}
