/** The commented starting point written by `lacuna packs init`: every field, explained, and valid as it stands. */
export function packTemplate(id: string): string {
  return `# A Lacuna concept pack: one body of target knowledge to take out of a corpus.
# Validate it with \`lacuna packs validate <file>\`; use it with \`lacuna mask ... --pack <file>\`.

# Lower-case words joined by hyphens; cited in every manifest with the version and the file's sha256.
id: ${id}
title: My target knowledge
# Bump the version whenever the pack changes: a manifest cites the exact pack it ran with.
version: 0.1.0
# Knowledge from this year on is the target; observations and mathematics from before it must stay.
cutoff: 1900
description: >-
  What this pack removes, what it keeps, and why.
language: en

# Look-alikes that must survive everywhere: a target match overlapping one of these terms is
# suppressed (and counted as suppressed in reports), not removed.
keep:
  - label: Colloquial uses
    terms: [quantum leap]
    note: Everyday English, not physics.

concepts:
  - id: example-concept
    label: Example concept
    description: One paragraph on what the concept is and where its boundary lies.
    # Terms are matched case-insensitively on whole words, after folding accents (Schrödinger =
    # Schrodinger) and inflections (a term in the singular also matches the plural). Hyphen, space
    # and joined forms are one term: "space-time" also matches "space time" and "spacetime".
    terms:
      - example theory
      - example effect
    # Other spellings and irregular forms the folding does not reach (Schroedinger, quanta).
    variants: []
    # Formulas, as regular expressions run on lower-cased text by a linear-time engine (no
    # backreferences or lookaround). Write \\b for word boundaries and \\s* for optional space.
    patterns: []
    # The same, run on the text as written, case kept: for a unit whose case is its meaning
    # ("13.6 eV", where a folded "ev" would also be e times v).
    casedPatterns: []
    # People whose names speak of the concept. A full name, initials ("A. Einstein") or a possessive
    # always count; a bare surname only in a sentence about the concept; never inside a place or an
    # organisation ("Einstein Street").
    people:
      - name: Jane Example
        aliases: [Example]
    # Dated events; a year after the cutoff counts where its sentence speaks of the concept.
    events:
      - { label: discovery of the example effect, year: 1905 }
    # Look-alikes of this concept that must stay (pre-cutoff observations it explains).
    keep: []
    # Supporting vocabulary: counts only near strong evidence of the concept (see README).
    context: [example apparatus]
    # The concept said in ordinary words: found where a phrase of every group meets in one sentence
    # (within 160 characters, or \`window\`), unless one of the \`unless\` phrases is in it.
    claims:
      - label: every apparatus behaves differently
        all:
          - [apparatus, instrument, instruments]
          - [behaves differently, behave differently, acts otherwise]
        unless: [broken, faulty]
    # Sentences that state the concept without its terms, for semantic detection.
    exemplars:
      - The example effect makes every apparatus behave differently.
    # Sentences close to the concept that must stay.
    keepExemplars: []
    # Counterfactual rewriting: replace a phrase instead of removing its sentence.
    substitutions: []
    # Concepts that masking this one must also mask (ids of this pack).
    implies: []
    # Curated probes: masked (tests the target), control (tests kept knowledge), reconstruction.
    probes:
      - id: example-probe
        kind: masked
        format: short-answer
        question: What does the example effect do?
        answer: It makes every apparatus behave differently.
`;
}
