/**
 * The concept-pack format: one versioned data file per body of target
 * knowledge. Validation is strict (unknown keys are errors) because a typo in
 * a pack silently weakens a mask, which is worse than a refused run.
 */
import { z } from 'zod';
import { decodeCentre } from '../../indexes/centre.js';
import { linearRegExp } from '../detectors/linear-regexp.js';
import { unmatchableSeparator } from '../detectors/phrase-matcher.js';

const slug = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lower-case words joined by hyphens');
const text = z.string().trim().min(1, 'must not be empty');
const year = z.number().int().min(-3000).max(3000);

export const PersonSchema = z.strictObject({
  name: text,
  aliases: z.array(text).default([]),
  /**
   * Whether every mention, full name and possessive included, needs a sentence that
   * speaks of the concept: for people whose other work must stay (Cauchy's analysis,
   * Jordan's curves).
   */
  needsContext: z.boolean().default(false),
  /**
   * Whether a bare surname counts in any sentence (not only in one about the concept):
   * for people whose every mention speaks of the target (Galois). Places and
   * organisations named after them still do not count.
   */
  alwaysCounts: z.boolean().default(false),
  note: z.string().optional(),
});

export const EventSchema = z.strictObject({
  label: text,
  year,
});

/** A look-alike that must stay: a match of a target term inside one is suppressed, not removed. */
export const KeepContextSchema = z.strictObject({
  label: text,
  terms: z.array(text).default([]),
  note: z.string().optional(),
});

/**
 * A claim: a statement of the target in ordinary words, found where one phrase of every group
 * occurs in one sentence within `window` characters ("No signal can travel faster than light":
 * [no signal, nothing, cannot] with [faster than light]). Phrases match as terms do (stemmed words,
 * case-insensitive). Each group alone is innocent; together they say what only the target says.
 */
export const ClaimSchema = z.strictObject({
  label: text,
  all: z.array(z.array(text).min(1, 'a group needs at least one phrase')).min(2, 'a claim needs at least two groups').max(8, 'a claim has at most eight groups'),
  /** Phrases that, anywhere in the sentence, say it is about something else (harmonics, not energy levels). */
  unless: z.array(text).default([]),
  /** The most characters from the first phrase's start to the last one's end. */
  window: z.number().int().min(10).max(1000).default(160),
  note: z.string().optional(),
});

export const SubstitutionSchema = z.strictObject({
  from: text,
  to: z.string(),
});

/**
 * A curated probe. Masked probes test the target knowledge (a model trained on
 * the masked corpus should fail them, unless it rediscovers the answer);
 * control probes test pre-cutoff knowledge that must survive; reconstruction
 * tasks give the pre-cutoff premises and ask for the target.
 */
export const ProbeSchema = z
  .strictObject({
    id: slug,
    kind: z.enum(['masked', 'control', 'reconstruction']),
    format: z.enum(['short-answer', 'cloze', 'multiple-choice', 'derivation']),
    /** For cloze probes, the blank is written ____. */
    question: text,
    answer: text,
    /** Multiple choice: four options, one of which is the answer. */
    choices: z.array(text).length(4).optional(),
    /**
     * Words a corpus must not hold for a masked probe to pass, or must hold for a
     * control to pass. Masked probes default to the pack terms found in the answer.
     */
    evidence: z.array(text).default([]),
    /** Reconstruction: the pre-cutoff observations and mathematics given to the model. */
    premises: z.array(text).default([]),
    /** Reconstruction: the points a grader checks in the derivation. */
    keyPoints: z.array(text).default([]),
    /** Reconstruction: phrases the corpus must still contain, one per premise at least. */
    premisePassages: z.array(text).default([]),
  })
  .superRefine((probe, context) => {
    if (probe.format === 'multiple-choice' && (!probe.choices || !probe.choices.includes(probe.answer))) {
      context.addIssue({ code: 'custom', path: ['choices'], message: 'a multiple-choice probe needs four choices, one of them the answer' });
    }
    if (probe.format !== 'multiple-choice' && probe.choices) context.addIssue({ code: 'custom', path: ['choices'], message: 'only multiple-choice probes have choices' });
    if (probe.format === 'cloze' && !probe.question.includes('____')) context.addIssue({ code: 'custom', path: ['question'], message: 'a cloze probe marks its blank with ____' });
    if (probe.kind === 'reconstruction') {
      if (probe.premises.length === 0) context.addIssue({ code: 'custom', path: ['premises'], message: 'a reconstruction task states its premises' });
      if (probe.keyPoints.length === 0) context.addIssue({ code: 'custom', path: ['keyPoints'], message: 'a reconstruction task lists the key points a grader checks' });
      if (probe.premisePassages.length === 0) context.addIssue({ code: 'custom', path: ['premisePassages'], message: 'a reconstruction task names the premise passages a corpus must keep' });
    }
    if (probe.kind === 'control' && probe.evidence.length === 0) context.addIssue({ code: 'custom', path: ['evidence'], message: 'a control probe names the words its knowledge rests on' });
  });

export const ConceptSchema = z.strictObject({
  id: slug,
  label: text,
  description: text,
  terms: z.array(text).min(1, 'a concept needs at least one term'),
  variants: z.array(text).default([]),
  patterns: z.array(text).default([]),
  /**
   * Patterns matched on the text as written, case kept (not folded as `patterns` are): for a unit
   * whose case is its meaning, "13.6 eV" and not "e v" or "ev" (charge times velocity) or "eVIL".
   */
  casedPatterns: z.array(text).default([]),
  people: z.array(PersonSchema).default([]),
  events: z.array(EventSchema).default([]),
  keep: z.array(KeepContextSchema).default([]),
  /**
   * Supporting vocabulary: words that speak of the concept but are not specific
   * enough alone (clock, co-ordinate system, nucleus). They make a post-cutoff year
   * or a bare surname count, and mark passages inside text dense with the concept.
   */
  context: z.array(text).default([]),
  /** Statements of the concept in ordinary words: phrase groups that must meet in one sentence. */
  claims: z.array(ClaimSchema).default([]),
  exemplars: z.array(text).default([]),
  keepExemplars: z.array(text).default([]),
  substitutions: z.array(SubstitutionSchema).default([]),
  implies: z.array(slug).default([]),
  probes: z.array(ProbeSchema).default([]),
  /** Cosine similarity to an exemplar above which a sentence carries the concept (calibrated; see `lacuna calibrate`). */
  threshold: z.number().min(-1).max(1).optional(),
});

/** Settings of the semantic detector, calibrated on labelled sentences. */
export const SemanticSettingsSchema = z.strictObject({
  /** Static-embedder similarity above which a window of sentences is looked at sentence by sentence. */
  screen: z.number().min(-1).max(1).default(0.3),
  /** Static-embedder similarity above which a sentence of such a window is given to the encoder. */
  sentenceScreen: z.number().min(-1).max(1).default(0.3),
  /** Default sentence threshold for concepts without their own. */
  threshold: z.number().min(-1).max(1).default(0.6),
  /** A sentence closer to a keep exemplar than to the concept's, by this margin or less, stays. */
  keepMargin: z.number().min(0).max(1).default(0.0),
  /** Sentences per screening window. */
  window: z.number().int().min(1).max(20).default(3),
  /**
   * Mean embedding of pre-cutoff background text under one encoder, subtracted
   * from every vector before similarities are taken (set by `lacuna calibrate`;
   * see indexes/centre.ts). Thresholds are calibrated in that space.
   */
  centre: z
    .strictObject({
      model: z.string().min(1),
      vector: z.string().superRefine((value, context) => {
        const decoded = decodeCentre(value);
        if (typeof decoded === 'string') context.addIssue({ code: 'custom', message: `not a centre vector: ${decoded}` });
      }),
    })
    .optional(),
});

/**
 * The pack's learned passage classifier (see indexes/classifier/): a model file
 * beside the pack, pinned by its sha256, and the passage score (a logit) from
 * which a paragraph counts as target knowledge. Written by `lacuna train`.
 */
export const PassageSettingsSchema = z.strictObject({
  /** The model file, relative to the pack file (the loader makes it absolute). */
  model: text,
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 in lower-case hex'),
  threshold: z.number(),
  /**
   * The threshold for a document of one paragraph, which has no neighbours and no section to
   * steady its score (chosen by `lacuna train` at the same budget on such scores); the
   * threshold when absent.
   */
  isolatedThreshold: z.number().optional(),
  /**
   * The threshold for a document of several paragraphs, but fewer than the classifier's smoothing
   * window spans (an article, a web page): its scores are averaged over fewer neighbours than a
   * book's, so they stray further from it (chosen by `lacuna train` at the same budget on the
   * negatives cut into documents of DOCUMENT_CHARS); the threshold when absent.
   */
  documentThreshold: z.number().optional(),
  /**
   * How much lower the threshold is for a paragraph in which another detector
   * already found the target: a sentence naming Einstein in a paragraph that
   * reads like relativity takes the paragraph with it.
   */
  supportMargin: z.number().min(0).default(2),
  /**
   * The support margin when every finding in the paragraph is a context word counted only because
   * the paragraphs around it carry the concept (default: supportMargin): the weakest evidence,
   * which a single planted sentence nearby can supply.
   */
  localSupportMargin: z.number().min(0).optional(),
  /**
   * How much higher the threshold is for a paragraph that names one of the pack's keep contexts
   * and holds no finding of another detector: the look-alikes a pack keeps (the Michelson–Morley
   * null result, radium) are the pre-cutoff topics post-cutoff books discuss most, so the
   * classifier's topic score needs this much more before it takes such a paragraph.
   */
  keepMargin: z.number().min(0).default(0),
  /**
   * The same margin for a paragraph that is the whole document, over the isolated threshold
   * (default: keepMargin). Alone, a paragraph has no section to make it the target: its own score
   * is all there is, and the isolated threshold is already set for that.
   */
  isolatedKeepMargin: z.number().min(0).optional(),
  /**
   * A paragraph that is the whole document and holds at least this many distinct context words of
   * one concept (the pack's `context` lists) is supported as a paragraph with a local context
   * finding is: it goes at `localSupportMargin` under the isolated threshold. Alone, a paragraph has
   * no neighbours for the context detector to count its context words by, so without this they
   * count for nothing. Absent: context words alone never support a paragraph.
   */
  isolatedContextWords: z.number().int().min(1).optional(),
  /**
   * With `isolatedContextWords`: each context word short of that many takes this much off the
   * margin a lone paragraph gets, so fewer words still lower its bar, by less (with a local margin
   * of 2, a step of 1 and 3 words: 3 words or more go at 2 under the isolated threshold, 2 words at
   * 1, one word not at all). Absent: fewer words than `isolatedContextWords` count for nothing.
   */
  isolatedContextWordStep: z.number().gt(0).optional(),
  /**
   * With `isolatedContextWords`: the same support for a paragraph of a document shorter than the
   * smoothing window (an article, a web page) that holds no finding of another detector. The
   * context detector counts a paragraph's context words only beside another detector's findings,
   * so in such a document with none they count for nothing, as in a paragraph alone. Books (longer
   * documents) are judged with their sections and never get it.
   */
  shortDocumentContextWords: z.boolean().optional(),
  /** The concept a passage finding carries when no finding of another detector names one nearby. */
  concept: slug,
});

export const PackSchema = z
  .strictObject({
    id: slug,
    title: text,
    version: z.string().regex(/^\d+\.\d+\.\d+$/, 'must be a version like 1.0.0'),
    cutoff: year,
    description: z.string().default(''),
    language: z.string().default('en'),
    /** Keep contexts that apply to every concept of the pack. */
    keep: z.array(KeepContextSchema).default([]),
    /**
     * Vocabulary of the pack's field at large, before and after the cutoff (force, lens,
     * circuit...): a question that speaks of it but not of a target is a control question.
     */
    field: z.array(text).default([]),
    /** Pre-cutoff statements close to the targets that must stay, for every concept. */
    keepExemplars: z.array(text).default([]),
    passage: PassageSettingsSchema.optional(),
    semantic: SemanticSettingsSchema.default({ screen: 0.3, sentenceScreen: 0.3, threshold: 0.6, keepMargin: 0, window: 3 }),
    concepts: z.array(ConceptSchema).min(1, 'a pack needs at least one concept'),
  })
  .superRefine((pack, context) => {
    const ids = new Map<string, number>();
    pack.concepts.forEach((concept, index) => {
      if (ids.has(concept.id)) {
        context.addIssue({ code: 'custom', path: ['concepts', index, 'id'], message: `duplicate concept id '${concept.id}' (first at concepts[${ids.get(concept.id)}])` });
      } else ids.set(concept.id, index);
    });
    pack.concepts.forEach((concept, index) => {
      concept.implies.forEach((implied, at) => {
        if (!ids.has(implied)) context.addIssue({ code: 'custom', path: ['concepts', index, 'implies', at], message: `unknown concept '${implied}'` });
      });
      for (const field of ['patterns', 'casedPatterns'] as const) {
        concept[field].forEach((pattern, at) => {
          try {
            // An empty match is a finding of no text at every position: never what a pack means.
            if (linearRegExp(pattern).test('')) context.addIssue({ code: 'custom', path: ['concepts', index, field, at], message: `pattern ${JSON.stringify(pattern)} matches the empty string, so it would match everywhere` });
          } catch (error) {
            context.addIssue({ code: 'custom', path: ['concepts', index, field, at], message: `pattern ${JSON.stringify(pattern)} ${(error as Error).message}` });
          }
        });
      }
    });
    const probeIds = new Map<string, string>();
    pack.concepts.forEach((concept, index) => {
      concept.probes.forEach((probe, at) => {
        const first = probeIds.get(probe.id);
        if (first) context.addIssue({ code: 'custom', path: ['concepts', index, 'probes', at, 'id'], message: `duplicate probe id '${probe.id}' (first at ${first})` });
        else probeIds.set(probe.id, `concepts[${index}].probes[${at}]`);
      });
    });
    if (pack.passage && !ids.has(pack.passage.concept)) context.addIssue({ code: 'custom', path: ['passage', 'concept'], message: `unknown concept '${pack.passage.concept}'` });
    const cycle = findImplicationCycle(pack.concepts);
    if (cycle) context.addIssue({ code: 'custom', path: ['concepts'], message: `implied concepts form a cycle: ${cycle.join(' -> ')}` });
  });

export type Pack = z.infer<typeof PackSchema>;
export type Concept = z.infer<typeof ConceptSchema>;
export type KeepContext = z.infer<typeof KeepContextSchema>;
export type SemanticSettings = z.infer<typeof SemanticSettingsSchema>;
export type PassageSettings = z.infer<typeof PassageSettingsSchema>;
export type Probe = z.infer<typeof ProbeSchema>;

/** A cycle in the `implies` graph, as a list of ids that starts and ends with the same id; null when acyclic. */
export function findImplicationCycle(concepts: { id: string; implies: string[] }[]): string[] | null {
  const graph = new Map(concepts.map((concept) => [concept.id, concept.implies]));
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | null => {
    if (state.get(id) === 'done') return null;
    if (state.get(id) === 'visiting') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'visiting');
    path.push(id);
    for (const next of graph.get(id) ?? []) {
      if (!graph.has(next)) continue;
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(id, 'done');
    return null;
  };
  for (const concept of concepts) {
    const cycle = visit(concept.id);
    if (cycle) return cycle;
  }
  return null;
}

/**
 * What a valid pack may still get wrong, said before a run: a one-letter term (or variant)
 * matches as a word all over ordinary text ("a", "I", the variable "c"); a term with punctuation
 * between its words never matches at all.
 */
export function packWarnings(pack: Pack): string[] {
  const warnings: string[] = [];
  pack.concepts.forEach((concept, index) => {
    for (const field of ['terms', 'variants'] as const) {
      concept[field].forEach((term, at) => {
        if ([...term.trim()].length <= 1) warnings.push(`concepts[${index}].${field}[${at}] ${JSON.stringify(term)} (${concept.id}) is a single character: it matches as a word all over ordinary text`);
        const separator = unmatchableSeparator(term);
        if (separator !== undefined) warnings.push(`concepts[${index}].${field}[${at}] ${JSON.stringify(term)} (${concept.id}) has ${JSON.stringify(separator)} between words: a phrase is never read across it, so the term never matches (write the words with spaces or a hyphen, or use a pattern)`);
      });
    }
  });
  // Settings that refine isolatedContextWords do nothing without it: said, not silently ignored.
  const passage = pack.passage;
  if (passage && passage.isolatedContextWords === undefined) {
    for (const field of ['isolatedContextWordStep', 'shortDocumentContextWords'] as const) {
      if (passage[field] !== undefined) warnings.push(`passage.${field} has no effect without passage.isolatedContextWords`);
    }
  }
  return warnings;
}

/** `["concepts", 3, "terms", 2]` → `concepts[3].terms[2]`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key);
  return out || '(top level)';
}
