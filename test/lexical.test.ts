import { describe, expect, it } from 'vitest';
import { DetectorChain } from '../maskers/detectors/chain.js';
import { LexicalDetector } from '../maskers/detectors/lexical.js';
import { linearRegExp } from '../maskers/detectors/linear-regexp.js';
import { anchorsOf, foldedView, PatternScanner } from '../maskers/detectors/pattern-scanner.js';
import { loadPack, parsePack } from '../maskers/pack/load.js';
import { readSharedText, sharedAvailable } from './helpers.js';

const { pack } = await loadPack('physics-post-1900');
const parsedPacks = new Map(await Promise.all(['physics-post-1900', 'algebra-pre-galois', 'computing-modern'].map(async (id) => [id, (await loadPack(id)).pack] as const)));
const lexical = new LexicalDetector(pack);
const matched = (text: string) => lexical.detect(text).findings.map((finding) => text.slice(finding.start, finding.end));

describe('lexical detector on the physics pack', () => {
  it('matches inflections, possessives, case and hyphen/space/joined variants', () => {
    expect(matched('Two QUANTUM NUMBERS and the Lorentz-transformations.')).toEqual(['QUANTUM NUMBERS', 'Lorentz-transformations']);
    expect(matched('space-time, space time and spacetime')).toEqual(['space-time', 'space time', 'spacetime']);
    expect(matched('In Einstein’s theory the half-life and half life differ from halflife.')).toEqual(['Einstein’s theory', 'half-life', 'half life', 'halflife']);
  });

  it('reads a solid term split after a combining form: semi-conductor, thermo-nuclear, super conductors', () => {
    expect(matched('Electrons in p-type material of a semi-conductor; a thermo-nuclear reaction; super conductors.')).toEqual(['p-type', 'semi-conductor', 'thermo-nuclear', 'super conductors']);
    // Not a word split inside it, nor a prefix before a mere ending: "photo-n", "semi-circle".
    expect(matched('A semi-circle, a photo-n, a super-fine wire of telegraphy.')).toEqual([]);
  });

  it('names semiconductor devices, and their acronyms only as written', () => {
    expect(matched('An SCR, two MOSFETs and a thyristor; the op-amp; a Zener diode.')).toEqual(['SCR', 'MOSFETs', 'thyristor', 'op-amp', 'Zener', 'diode']);
    expect(matched('the scr of the rope, a cmos, and the line IC of the triangle.')).toEqual([]);
  });

  it('folds diacritics and knows the ASCII spellings', () => {
    expect(matched('Schrödinger’s equation, Schroedinger equation, Schrodinger equations')).toEqual(['Schrödinger’s equation', 'Schroedinger equation', 'Schrodinger equations']);
  });

  it('finds formulas: E = mc², E=mc^2, h\\nu, hν, \\hbar', () => {
    expect(matched('so E = mc² and E=mc^2 while E = h\\nu, or hν, with \\hbar.')).toEqual(['E = mc²', 'E=mc^2', 'h\\nu', 'hν', '\\hbar']);
  });

  it('finds the rest energy with a rest mass and the Lorentz transformation with γ, as books typeset them', () => {
    expect(matched('the energy $m_0 c^2$, then \\sqrt{\\psi^2 + {m_0}^2c^2}, or m₀c², flattened m 0 c 2')).toEqual(['m_0 c^2', 'm_0}^2c^2', 'm₀c²', 'm 0 c 2']);
    expect(matched("x' = γ(x − vt) and $t' = \\gamma \\left( t - \\frac{v x}{c^2} \\right)$")).toEqual(["x' = γ(x − vt", "t' = \\gamma \\left( t - \\frac{v x"]);
    // A mass m0 and a coefficient c2 are not a rest energy.
    expect(matched('the mass m0 and the coefficient c2; m_0 = 3 and c^2')).toEqual([]);
  });

  it('finds relativistic velocity addition whatever the two velocities are called, not a ratio of lengths', () => {
    expect(matched('u = (v + w)/(1 + vw/c²), or (u + v)/(1 + u v / c 2)')).toEqual(['vw/c²', 'u v / c 2']);
    expect(matched('the ratio uv/cd of the sides, and w/c2')).toEqual([]);
  });

  it("reads a four-vector and a world-point only with their hyphen: not \"draw the four vectors\" or \"real-world points\"", () => {
    // Both came up in a modern classical textbook (README, `lacuna eval` on whole books): a term reads a hyphen as a space.
    expect(matched('The energy-momentum four-vector; two four-vectors; a world-point and its world-points.')).toEqual(['four-vector', 'four-vectors', 'world-point', 'world-points']);
    expect(matched('Draw the four vectors to scale and annotate real-world points: a coal plant.')).toEqual([]);
  });

  it('keeps word boundaries: no photon in photonics, no laser in laserlike', () => {
    expect(matched('photonics laserlike isotopically')).toEqual([]);
  });

  it('suppresses matches inside keep contexts and counts them', async () => {
    const result = await new DetectorChain([lexical]).detect('The company made a quantum leap in sales, and critics wrote on the relativity of moral values. Galilean relativity is old.');
    expect(result.findings).toEqual([]);
    expect(result.suppressed.map((finding) => finding.evidence.match)).toEqual(['relativity', 'relativity']);
  });

  it('lets a term that holds a keep context whole and more through: radium is a keep, radium C and the radium emanation are not', () => {
    const { findings, suppressed } = lexical.detect('Radium C forms from the radium emanation; radium itself was found in 1898, and radium a few months old is weaker.');
    expect(findings.map((finding) => finding.evidence.match)).toEqual(['radium C', 'radium emanation']);
    expect(suppressed).toEqual([]);
  });

  it('resolves overlaps longest-first: the general theory of relativity is general relativity', () => {
    const text = 'the general theory of relativity';
    const [finding] = lexical.detect(text).findings;
    expect(finding).toMatchObject({ concept: 'general-relativity', start: 4, end: text.length });
  });

  it('knows what a modern textbook names in its post-1900 chapters, and not a bare LED or MRI-like capitals of old geometry', async () => {
    // Sentences of the kind a university textbook's modern-physics chapters hold; no pre-1900 book of ../shared uses these names.
    const chain = DetectorChain.forPack(pack);
    const sentences = [
      'Compared with the current in an LED lamp, the current in the connecting wire is the same.',
      'The supernova of 1987 was seen in a neighbouring dwarf galaxy.',
      'Food exposed to gamma radiation does not become radioactive.',
      'The stopping potential grows linearly with the frequency of the light.',
      'A particle in a box can only have certain energies, the lowest of which is the ground state.',
      'The activity falls off with the decay constant of the isotope.',
      'Solar cells and integrated circuits are made from doped silicon.',
      'An MRI scanner images the protons in water.',
      'The charge on an oil drop is always a whole multiple of a smallest charge.',
      'In both fission and fusion, energy is released while the mass decreases.',
      'Control rods absorb neutrons and slow the chain reaction; the fuel rods hold enriched uranium.',
      'If you travel at high speed, then compared with your friends who stay at home, you come back younger.',
      // Plain statements (pack 0.4.10), written for the pack, not taken from a measured set.
      'Moving clocks tick more slowly.',
      'Gravity bends the path of light.',
      'The universe is expanding.',
      'Half of a radioactive sample decays in a fixed time.',
      'You cannot know both the position and the momentum of a particle exactly.',
      'Atoms of the same element can have different masses.',
      'An atom gives off light when its electron drops to a lower orbit.',
      'The light from a distant galaxy is shifted toward the red.',
    ];
    for (const sentence of sentences) expect((await chain.detect(sentence)).findings.length, sentence).toBeGreaterThan(0);
    // Huygens (1690) names points of his figures with capitals: "LED" is a spheroid, not a diode.
    expect(matched('Let LED be the spheroid touched by the plane, and ABC the section of it.')).toEqual([]);
    expect(matched('She led the way; the younger brother stayed at home.')).toEqual([]);
    // Dalton's law and a star's Doppler shift are not the new statements.
    const rules = DetectorChain.forPack(pack, ['lexical', 'entity', 'context']);
    for (const older of ['All the atoms of the same element are alike in weight.', 'The lines in the spectrum of Sirius are shifted toward the red, so the star recedes from us.', 'The gas expands as it is heated.']) {
      expect((await rules.detect(older)).findings, older).toEqual([]);
    }
  });
});

describe('the notation and words of the 1900s–1920s (pack 0.4.11)', () => {
  it('finds Minkowski, Bohr and the radium books in their own terms, and not their pre-1900 neighbours', async () => {
    const rules = DetectorChain.forPack(pack, ['lexical', 'entity', 'context']);
    const found = [
      'Henceforth space by itself, and time by itself, are doomed to fade away into mere shadows.',
      'A point of space at a point of time I will call a world-point.',
      'We introduce the imaginary fourth co-ordinate x4 = ict.',
      'The quantity c²t² − x² − y² − z² is invariant for these transformations.',
      'In LaTeX the same interval reads $x^2 + y^2 + z^2 - c^2 t^2$.',
      'The angular momentum of the electron is an integral multiple of h/2π.',
      'Its angular momentum is $n \\frac{h}{2\\pi}$.',
      'The longitudinal mass of the electron exceeds its transverse mass.',
      'The energy locked up in the atom is enormous compared with that of any chemical change.',
      'The age of a mineral can be read from the lead and helium it contains.',
      'A gram of radium gives out enough heat each hour to melt its own weight of ice.',
      'Light behaves sometimes as a wave and sometimes as a stream of particles.',
      'An observer on a fast train finds the clocks on the platform running slow.',
      'No material body can be made to move as fast as light.',
      'Half of any quantity of radium is transformed in about seventeen hundred years.',
      'Deep in the stars hydrogen is turned into helium.',
      'The spectral lines of distant nebulae are displaced toward the red.',
    ];
    for (const sentence of found) expect((await rules.detect(sentence)).findings.length, sentence).toBeGreaterThan(0);
    const older = [
      // Lorentz's local time (1895), a sphere of light, Newton against Huygens, a pendulum clock, Huggins's nebulae.
      "For the local time we may write t' = t − vx/V².",
      'The wave front is the sphere x² + y² + z² = c²t².',
      'Newton held light to be a stream of particles, Huygens a wave in the ether.',
      'The clock in the railway station runs slow in hot weather.',
      'The lines of the gaseous nebulae are bright, and are not displaced.',
      'Half of the light is absorbed in the first layer, and half of the remainder in the next.',
    ];
    for (const sentence of older) expect((await rules.detect(sentence)).findings, sentence).toEqual([]);
  });
});

describe('patterns', () => {
  it('find their anchor literal, or the set of alternatives every match contains one of', () => {
    // Whitespace does not end a run: "e = m c" (GAP is any whitespace, none included), not "=".
    expect(anchorsOf('\\be\\s*=\\s*m\\s*c\\s*(\\^\\s*)?2\\b')).toEqual(['e = m c']);
    expect(anchorsOf('\\bintel \\d+')).toEqual(['intel']);
    expect(anchorsOf('\\\\hbar\\b')).toEqual(['\\hbar']);
    expect(anchorsOf('a|b')).toBeUndefined();
    expect(anchorsOf('\\b(fifth|quintic|higher than the fourth)\\b[^.]*\\b(cannot|impossib[a-z]*)')).toEqual(['fifth', 'quintic', 'higher']);
    // An optional group, or one that is not plain literals, is no anchor.
    expect(anchorsOf('(fifth|quintic)?x*')).toBeUndefined();
    expect(anchorsOf('(impossib[a-z]*|cannot)\\b')).toBeUndefined();
  });

  it('in every shipped pack have an anchor, so none runs over a whole document (about 2 MB/s, and gigabytes on 50 MB)', async () => {
    for (const id of ['physics-post-1900', 'algebra-pre-galois', 'computing-modern']) {
      const { pack } = await loadPack(id);
      const patterns = pack.concepts.flatMap((concept) => [...(concept.patterns ?? []), ...(concept.casedPatterns ?? [])]);
      expect(patterns.length, id).toBeGreaterThan(0);
      for (const pattern of patterns) expect(anchorsOf(pattern), `${id}: ${pattern}`).toBeDefined();
      // An anchor of one common character is almost none: the interval pattern of pack 0.4.11 was first
      // anchored on "c", and a 50 MB document took 2 GB and 22 s instead of 0.8 GB and 15 s. A rare
      // symbol alone (ħ) is a fine anchor.
      for (const pattern of patterns) {
        for (const anchor of anchorsOf(pattern)!) {
          const compact = anchor.replace(/ /g, '');
          expect(compact.length >= 2 || /[^\x00-\x7f]/.test(compact), `${id}: ${pattern} anchored on "${anchor}"`).toBe(true);
          // An anchor with gaps is looked for by a piece of three characters or more, else by one
          // character: that must not be an ASCII letter, which a text holds everywhere ("h f" of
          // hf − φ and "d z" of a line element, anchored so, took the default detectors from 11.6
          // to 9.9 MB/s per worker).
          if (anchor.includes(' ')) {
            const longPiece = anchor.split(' ').some((piece) => piece.length >= 3);
            expect(longPiece || /[^a-z ]/.test(anchor), `${id}: ${pattern} is looked for by a letter of "${anchor}"`).toBe(true);
          }
        }
      }
    }
  });

  it('find an anchor with gaps however the text spaces, cases or accents it, and nowhere else', () => {
    const scanner = new PatternScanner('\\be\\s*=\\s*m\\s*c\\s*(\\^\\s*)?2\\b');
    const text = 'E = mc^2; e=MC2; E =\n  m c 2; É = mc²; but x = m c and e = n c^2 and E = m c\u200b2.';
    expect(scanner.scan(text).map(({ start, end }) => text.slice(start, end))).toEqual(['E = mc^2', 'e=MC2', 'E =\n  m c 2', 'É = mc²']);
    // Pivoted on the rarest character (ν, not h), in the folded view (no-break space).
    expect(new PatternScanner('\\bh\\s*ν').scan('the quantum h ν and H\u00a0ν, not hv')).toEqual([
      { start: 12, end: 15 },
      { start: 20, end: 23 },
    ]);
  });

  it('find a short anchor in any mix of cases, as units are written (eV, kBq, mSv)', () => {
    const scanner = new PatternScanner('\\b\\d+\\s+ev\\b');
    expect(scanner.scan('It took 13.6 eV, then 2 EV, then 5 Ev, then 7 ev.').length).toBe(4);
  });

  it('cased: match the text as written, so 13.6 eV is an energy and e v, ev and eVIL are not (physics pack)', () => {
    const scanner = new PatternScanner('\\d+(?:[.,]\\d+)?\\s?-?eV\\b', { cased: true });
    const text = 'It took 13.6 eV, then a 2.3-eV photon; but 2 EV, 5 Ev, \\tfrac{1}{3} ev Z, 7 ev and 4eVIL are not.';
    expect(scanner.scan(text).map(({ start, end }) => text.slice(start, end))).toEqual(['13.6 eV', '2.3-eV']);
    // The shipped pack's own: J. J. Thomson's "ev" (1893) stays, the ionisation energy goes.
    expect(matched('the force \\tfrac{1}{3} ev Z on the charge; the mnemonic eVIL')).toEqual([]);
    expect(matched('The ionisation energy of hydrogen is 13.6 eV.')).toEqual(['13.6 eV']);
  });

  it('are checked in casedPatterns as in patterns, at validation', () => {
    const yaml = 'id: p\ntitle: T\nversion: 1.0.0\ncutoff: 1900\nconcepts:\n  - id: c\n    label: C\n    description: D\n    terms: [t]\n    casedPatterns: ["x*"]\n';
    expect(() => parsePack('p.yaml', yaml)).toThrow(/p\.yaml: concepts\[0\]\.casedPatterns\[0\]: pattern "x\*" matches the empty string/);
  });

  it('find anchors written in lower, upper or title case', () => {
    const scanner = new PatternScanner('\\bintel \\d+');
    expect(scanner.scan('The Intel 4004, the INTEL 8080 and the intel 8086.').length).toBe(3);
    const quintic = new PatternScanner('\\b(fifth|quintic)\\b[^.\\n]*\\bcannot\\b');
    expect(quintic.scan('Quintic equations, Abel showed, cannot be solved. The fifth of May.')).toEqual([{ start: 0, end: 38 }]);
    // A pattern that can run over a clause looks farther from its anchor than one for a formula.
    const far = `the fifth degree, ${'as the older algebraists found after long and fruitless labour, '.repeat(2)}cannot be solved`;
    expect(quintic.scan(far)).toEqual([{ start: 4, end: far.length - ' be solved'.length }]);
  });

  it('run in linear time even when written to backtrack catastrophically', () => {
    // (a+)+b on a long run of a's without b takes exponential time on a backtracking engine.
    const scanner = new PatternScanner('(a+)+b');
    expect(scanner.scan('a'.repeat(5000) + 'c')).toEqual([]);
    expect(scanner.scan('xx aaab')).toEqual([{ start: 3, end: 7 }]);
  });

  it('give on the fast engine exactly what the linear-time engine gives, on real books', () => {
    // Patterns run on V8's backtracking engine and fall back to the linear one only after many
    // backtracks (linear-regexp.ts): every match of every pack pattern must be the same either way.
    if (!sharedAvailable('pattern engines compared on real books')) return;
    const books = ['physics/post1900/crowell_lm_modern_physics_quantum_chapters.detex.txt', 'physics/post1900/einstein_relativity_pg5001.txt', 'physics/post1900/bohr_theory_spectra_atomic_constitution_pg47464.detex.txt'];
    const folded = books.map((book) => foldedView(readSharedText(book))).join('\n\n');
    let matches = 0;
    for (const id of ['physics-post-1900', 'algebra-pre-galois', 'computing-modern']) {
      for (const concept of parsedPacks.get(id)!.concepts) {
        for (const source of concept.patterns) {
          const fast = [...folded.matchAll(linearRegExp(source))].map((match) => [match.index, match[0].length]);
          const linear = [...folded.matchAll(new RegExp(source, 'gl'))].map((match) => [match.index, match[0].length]);
          expect(fast, source).toEqual(linear);
          matches += fast.length;
        }
      }
    }
    expect(matches).toBeGreaterThan(50);
  });

  it('take a document in which their anchor occurs hundreds of thousands of times', () => {
    // Its places were once spread into one call's arguments, which overflowed the stack.
    const scanner = new PatternScanner('\\b\\d[\\d.,]*\\s+(?:million|billion)\\s+light[- ]?years?\\b');
    expect(anchorsOf(scanner.source)).toEqual(['light']);
    const text = `${'light '.repeat(600_000)}at 4 million light years`;
    expect(scanner.scan(text, foldedView(text))).toEqual([{ start: text.length - '4 million light years'.length, end: text.length }]);
  });

  it('without an anchor run over a whole long document that is not ASCII', () => {
    // quint[a-z]* is no literal, so the whole text is folded at once; megabytes once overflowed the stack.
    expect(anchorsOf('\\b(fifth|quint[a-z]*)\\b')).toBeUndefined();
    const scanner = new PatternScanner('\\b(fifth|quint[a-z]*)\\b[^.\\n]*\\b(cannot|impossible)\\b');
    const filler = 'Évariste wrote of the cubic and of équations. '.repeat(50_000);
    const text = `${filler}The quintic, he said, cannot be solved. ${filler}`;
    expect(scanner.scan(text)).toEqual([{ start: filler.length + 4, end: filler.length + 'The quintic, he said, cannot'.length }]);
  });

  it('are refused at validation when they need backtracking', () => {
    const yaml = 'id: p\ntitle: T\nversion: 1.0.0\ncutoff: 1900\nconcepts:\n  - id: c\n    label: C\n    description: D\n    terms: [t]\n    patterns: ["(a)\\\\1"]\n';
    expect(() => parsePack('p.yaml', yaml)).toThrow(/p\.yaml: concepts\[0\]\.patterns\[0\]: pattern "\(a\)\\\\1" needs backtracking/);
  });
});
