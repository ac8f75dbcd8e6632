import { describe, expect, it } from 'vitest';
import { DetectorChain } from '../maskers/detectors/chain.js';
import { loadPack } from '../maskers/pack/load.js';

const { pack } = await loadPack('physics-post-1900');
const chain = DetectorChain.forPack(pack);
const entity = DetectorChain.forPack(pack, ['entity']);
const byRule = async (text: string, rule: string, detectors = chain) =>
  (await detectors.detect(text)).findings.filter((finding) => finding.evidence.rule === rule).map((finding) => text.slice(finding.start, finding.end));

describe('entity detector', () => {
  it("finds Einstein's, A. Einstein and Albert Einstein, but not Einstein Street", async () => {
    expect(await byRule("Einstein's paper changed physics.", 'person', entity)).toEqual(["Einstein's"]);
    expect(await byRule('A paper by A. Einstein appeared.', 'person', entity)).toEqual(['A. Einstein']);
    expect(await byRule('Albert Einstein was born in Ulm.', 'person', entity)).toEqual(['Albert Einstein']);
    expect(await byRule('Einstein Street is a quiet road lined with bakeries.', 'person', entity)).toEqual([]);
    expect(await byRule('We met at the Planck Institute for lunch.', 'person', entity)).toEqual([]);
  });

  it('counts a bare surname only in a sentence about the field, unless every mention of the name is the target', async () => {
    // Planck's thermodynamics and radiation work of the 1890s stays: his surname needs physics beside it.
    expect(await byRule('Planck showed that the energy of a resonator comes in quanta.', 'person', entity)).toEqual(['Planck']);
    expect(await byRule('Planck liked long walks.', 'person', entity)).toEqual([]);
    // Marshal de Broglie led armies two centuries before his descendant's wavelength.
    expect(await byRule('Marshal de Broglie led the army across the Rhine.', 'person', entity)).toEqual([]);
    // Heisenberg and Einstein did no physics before 1900 (alwaysCounts in the pack).
    expect(await byRule('Heisenberg liked long walks.', 'person', entity)).toEqual(['Heisenberg']);
    expect(await byRule('The writings of Einstein, Minkowski, Hilbert and Weyl have provided the groundwork.', 'person', entity)).toEqual(['Einstein', 'Weyl']);
  });

  it('counts a post-cutoff year only where it dates the science', async () => {
    expect(await byRule('Chadwick found the neutron in 1932.', 'year')).toEqual(['1932']);
    expect(await byRule('In 1911 Rutherford scattered alpha particles from gold and found the nucleus.', 'year')).toEqual(['1911']);
    expect(await byRule('The Panama Canal opened in 1914.', 'year')).toEqual([]);
    expect(await byRule('Michelson and Morley found no ether drift in 1887.', 'year')).toEqual([]);
    // A magnitude is not a year.
    expect(await byRule('The resistance of the wire was about 2000 ohms in the electron theory.', 'year')).toEqual([]);
  });
});

describe('context detector', () => {
  const relativityParagraph = 'The special theory of relativity changed the notion of time.';
  const clockParagraph = 'A clock on the embankment and a clock in the railway carriage are compared.';

  it('marks supporting vocabulary where the concept is dense', async () => {
    const text = [relativityParagraph, relativityParagraph, clockParagraph, relativityParagraph].join('\n\n');
    expect(await byRule(text, 'context')).toEqual(expect.arrayContaining(['clock', 'embankment', 'railway carriage']));
  });

  it('leaves the same vocabulary alone where the concept is absent or isolated', async () => {
    const filler = 'Faraday wound two coils on an iron ring and watched the galvanometer.';
    const isolated = [relativityParagraph, ...Array(8).fill(filler), clockParagraph, ...Array(8).fill(filler)].join('\n\n');
    expect(await byRule(isolated, 'context')).toEqual([]);
    expect(await byRule(clockParagraph, 'context')).toEqual([]);
  });
});
