/**
 * Claims: a pack's statements of the target in ordinary words, found where a phrase of every
 * group meets in one sentence within the claim's window (maskers/detectors/claims.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LexicalDetector } from '../maskers/detectors/lexical.js';
import { loadPack, parsePack } from '../maskers/pack/load.js';
import { SHARED, sharedAvailable } from './helpers.js';

const TOY = `
id: toy
title: Toy
version: 0.0.1
cutoff: 1900
description: A pack with one claim.
keep:
  - label: Newton's corpuscles
    terms: [ corpuscular theory of light as particles that knock out electrons ]
concepts:
  - id: light-quanta
    label: Light quanta
    description: Light as particles.
    terms: [ light quantum ]
    claims:
      - label: light is particles that free electrons
        window: 80
        unless: [ Lorentz ]
        all:
          - [ light ]
          - [ particles, packets ]
          - [ electron ]
`;

const toy = new LexicalDetector(parsePack('toy.yaml', TOY));
const claims = (detector: LexicalDetector, text: string) =>
  detector
    .detect(text)
    .findings.filter((finding) => finding.evidence.rule === 'claim')
    .map((finding) => ({ said: text.slice(finding.start, finding.end), claim: finding.evidence.match, concept: finding.concept }));

describe('claims', () => {
  it('are found where every group meets in one sentence, spanning the first cue to the last, inflections included', () => {
    const text = 'The ether is calm. Light arrives in packets, each freeing one electron from the plate.';
    expect(claims(toy, text)).toEqual([{ said: 'Light arrives in packets, each freeing one electron', claim: 'light is particles that free electrons', concept: 'light-quanta' }]);
    // Case and plural forms match as terms do; the order of the groups in the text does not matter.
    expect(claims(toy, 'ELECTRONS are struck by the PARTICLES of LIGHT.').map((found) => found.said)).toEqual(['ELECTRONS are struck by the PARTICLES of LIGHT']);
  });

  it('are not found when a group is missing, when the cues are in two sentences, or farther apart than the window', () => {
    expect(claims(toy, 'Light is made of particles, said Newton.')).toEqual([]);
    expect(claims(toy, 'Light is made of particles. The electron is another matter.')).toEqual([]);
    const wide = 'Light, as every reader of the long and learned treatises on optics of the last century knows, consists of particles, and an electron';
    expect(claims(toy, wide)).toEqual([]);
    // A window across two sentences spends no cue: the sentence after it still has its claim.
    expect(claims(toy, 'Light shines. Particles free an electron and light.').map((found) => found.said)).toEqual(['Particles free an electron and light']);
    // The shortest cover is taken: a second "light" nearer the others brings them within the window.
    expect(claims(toy, `${wide.replace(/, and an electron$/, '')}; light particles free an electron`).map((found) => found.said)).toEqual(['light particles free an electron']);
  });

  it('are found once per cover and again further on, and one said wholly inside a keep context stays', () => {
    const twice = 'Light packets free an electron, and light packets free another electron.';
    expect(claims(toy, twice).map((found) => found.said)).toEqual(['Light packets free an electron', 'light packets free another electron']);
    const inKeep = toy.detect('Newton held a corpuscular theory of light as particles that knock out electrons, it is said.');
    expect(inKeep.findings).toEqual([]);
    expect(inKeep.suppressed.map((finding) => finding.evidence.rule)).toEqual(['claim']);
  });

  it("are not found in a sentence that holds one of the claim's unless phrases", () => {
    expect(claims(toy, 'In Lorentz\'s theory, light is emitted by particles, each an electron.')).toEqual([]);
    expect(claims(toy, 'Lorentz wrote on it. Light is emitted by particles, each an electron.').map((found) => found.said)).toEqual(['Light is emitted by particles, each an electron']);
  });

  it('are validated: a claim needs two groups and a group a phrase', () => {
    expect(() => parsePack('p.yaml', TOY.replace(/all:\n(.*\n)*/, 'all:\n          - [ light ]\n'))).toThrow(/p\.yaml: concepts\[0\]\.claims\[0\]\.all: a claim needs at least two groups/);
    expect(() => parsePack('p.yaml', TOY.replace('- [ electron ]', '- [ ]'))).toThrow(/p\.yaml: concepts\[0\]\.claims\[0\]\.all\[2\]: a group needs at least one phrase/);
  });
});

describe('the physics pack states its targets as claims', async () => {
  const { pack } = await loadPack('physics-post-1900');
  const physics = new LexicalDetector(pack);
  it('finds the theory said in plain words, sentences none of its claims was written from', () => {
    const said = [
      'However hard the rocket pushes, it can never go faster than light.',
      'An astronaut back from a round trip at high speed is younger than her sister who stayed home.',
      'Light from a star grazing the Sun is bent by its gravity.',
      'In the furnace walls the oscillators take up energy only in whole multiples of a fixed amount.',
      'The position of a particle and its momentum cannot both be known exactly.',
      'Inside the Sun, hydrogen is fused into helium nuclei.',
      'A strong short-range force binds the protons of the nucleus together despite the repulsion of their charges.',
      'No two electrons in an atom can be in the same quantum state.',
      'Shut in a closed box, you cannot tell the pull of gravity from a steady acceleration.',
      'Electrons tunnel through barriers they classically could not cross.',
      'Galaxies are moving away from us, and the farther ones faster.',
      'A principal source of the Earth’s internal energy is radioactivity.',
      'The electron behaves as a wave when it passes through a crystal.',
      'Two observers moving relative to each other disagree about the length of a rod.',
      'A clock on a mountain runs faster than one at sea level because gravity is weaker there.',
      'Most of the mass of an atom is packed into a tiny core about ten thousand times smaller than the atom itself.',
      'The Sun will swell into a red giant when its core runs out of hydrogen.',
      'Liquid helium cooled below two kelvin flows up the walls of its container.',
      'An electron can only be found with a certain probability, never with certainty, at any given place.',
    ];
    for (const sentence of said) expect(claims(physics, sentence).length, sentence).toBeGreaterThan(0);
  });

  it('leave pre-1900 physics said in plain words alone', () => {
    const kept = [
      'Light consists of particles shot out by luminous bodies, as Newton held.',
      'A clock carried to the equator loses time, for the pendulum swings more slowly there.',
      'The energy of a vibrating string is shared among its harmonics, whose frequencies are whole multiples of the fundamental.',
      'Laplace held that knowing the position and velocity of every particle one could foresee the future.',
      'Helium, first seen in the spectrum of the Sun, was found on Earth by Ramsay in 1895.',
      'Heat and work are two forms of energy, and a given mass of water needs the same heat to warm it one degree.',
      'A star so dense and compressed that light could not escape it was imagined by Michell.',
      'The energy of each wave is proportional to the square of its amplitude and to its frequency.',
      'The particles of the gas pass through the wall of the porous vessel, though they lack the energy to break it.',
      'No two particles of matter can occupy the same portion of space at the same time.',
      'Water in the vacuum will bubble and boil as vehemently as in the open air.',
      'The clock runs slower at the foot of a tower, for the pendulum swings more slowly under stronger gravity.',
    ];
    for (const sentence of kept) expect(claims(physics, sentence), sentence).toEqual([]);
  });

  it.runIf(sharedAvailable('claims on the pre-1900 physics books of ../shared'))('find nothing in any pre-1900 physics book and something in the post-1900 books', () => {
    const inDir = (dir: string) => readdirSync(join(SHARED, 'corpora', dir)).filter((name) => name.endsWith('.txt')).map((name) => join(SHARED, 'corpora', dir, name));
    // Crowell's modern chapters on classical physics are left out: their asides on nuclear reactions, the Big Bang or E = mc² are post-1900.
    const pre = [...inDir('physics/pre1900'), ...inDir('train/physics/pre').filter((path) => !path.includes('crowell_'))];
    expect(pre.length).toBeGreaterThanOrEqual(20);
    for (const path of pre) expect(claims(physics, readFileSync(path, 'utf8')), path).toEqual([]);
    const post = inDir('physics/post1900').map((path) => claims(physics, readFileSync(path, 'utf8')).length);
    expect(post.reduce((sum, count) => sum + count, 0)).toBeGreaterThanOrEqual(50);
  });
});

describe.runIf(sharedAvailable('claims of the algebra and computing packs on ../shared'))('the algebra and computing packs state theirs too', () => {
  const inDir = (dir: string) => readdirSync(join(SHARED, 'corpora', dir)).filter((name) => name.endsWith('.txt')).map((name) => join(SHARED, 'corpora', dir, name));
  const claimsIn = async (packId: string, paths: string[]) => {
    const detector = new LexicalDetector((await loadPack(packId)).pack);
    return paths.map((path) => ({ path, count: claims(detector, readFileSync(path, 'utf8')).length }));
  };

  it('find the theory said in plain words, and not the older algebra and machines', async () => {
    const algebra = new LexicalDetector((await loadPack('algebra-pre-galois')).pack);
    const computing = new LexicalDetector((await loadPack('computing-modern')).pack);
    for (const sentence of ['Every group of prime order is cyclic.', 'The rotations of a cube form a group of twenty-four elements.', 'Every permutation can be written as a product of transpositions.', 'In the elementary sphere-geometry the group is formed by all the linear substitutions of the five quantities.']) expect(claims(algebra, sentence).length, sentence).toBeGreaterThan(0);
    for (const sentence of ['Ferrari reduced the quartic to a cubic.', 'Lagrange studied how the roots of an equation are permuted by the resolvent.', 'The stars of the Pleiades form a group.', 'Group the terms in x, then make the linear substitution x = y - p to remove the second term.']) expect(claims(algebra, sentence), sentence).toEqual([]);
    for (const sentence of ['The machine reads a symbol from the tape, writes another and moves one square.', 'A virus is a program that copies itself into other programs.', 'The cache keeps recently used data close to the processor.', 'Packets of data find their own way across the network to their destination.']) expect(claims(computing, sentence).length, sentence).toBeGreaterThan(0);
    for (const sentence of ['The stock ticker prints the symbols of the trades on a paper tape.', 'The packet ships carried the mails across the network of ocean routes to their destinations.', 'A virus spreads from one patient to another.']) expect(claims(computing, sentence), sentence).toEqual([]);
  });

  it('find nothing in the books before each cutoff and something after it', async () => {
    const algebraPre = [...inDir('train/algebra/pre'), join(SHARED, 'corpora/algebra/dickson_first_course_theory_of_equations_pg29785.detex.txt')];
    for (const { path, count } of await claimsIn('algebra-pre-galois', algebraPre)) expect(count, path).toBe(0);
    const algebraPost = await claimsIn('algebra-pre-galois', inDir('train/algebra/post'));
    expect(algebraPost.reduce((sum, book) => sum + book.count, 0)).toBeGreaterThanOrEqual(8);
    const computingPre = [...inDir('train/computing/pre'), ...['babbages_calculating_engine_1834_pg71292.txt', 'turck_origin_modern_calculating_machines_1921_pg69386.txt'].map((name) => join(SHARED, 'corpora/computing', name))];
    for (const { path, count } of await claimsIn('computing-modern', computingPre)) expect(count, path).toBe(0);
    const computingPost = await claimsIn('computing-modern', inDir('train/computing/post'));
    expect(computingPost.reduce((sum, book) => sum + book.count, 0)).toBeGreaterThanOrEqual(20);
  });
});
