/**
 * `lacuna probes classify`: labels each question of an existing benchmark as
 * masked (answering needs target knowledge), control (it is about the pack's
 * field, but not about a target) or unrelated, with the evidence.
 *
 * A question is read with each of its choices, the stem and the choice as one
 * statement ("A principal source of the Earth's internal energy is radioactivity."),
 * so a rule that needs both halves in one sentence (a claim) sees them together.
 * Every choice counts, right or wrong: a question whose options name a post-1900
 * idea needs that idea to be answered, if only to rule it out. (Tried: counting a
 * wrong choice only when the stem asks which is NOT so; it lost 3 masked questions
 * of the labelled sets for 2 gained, see README.)
 */
import type { Question } from '../../corpora/readers/questions.js';
import { DetectorChain, type DetectorName } from '../../maskers/detectors/chain.js';
import { PhraseMatcher } from '../../maskers/detectors/phrase-matcher.js';
import type { Pack } from '../../maskers/pack/schema.js';
import { loadSemanticModels } from '../../indexes/semantic-models.js';

export type QuestionLabel = 'masked' | 'control' | 'unrelated';

export interface ClassifiedQuestion {
  id: string;
  label: QuestionLabel;
  /** For masked: the findings (concept, detector, matched text); for control: the field words. */
  evidence: string[];
  concepts: string[];
  question: string;
}

export interface ClassifyOptions {
  detectors: DetectorName[];
  cacheDir: string;
  model: string;
}

export async function classifyQuestions(pack: Pack, questions: Question[], options: ClassifyOptions): Promise<ClassifiedQuestion[]> {
  const models = options.detectors.includes('semantic') ? await loadSemanticModels(options.cacheDir, options.model) : undefined;
  const chain = await DetectorChain.create(pack, { detectors: options.detectors, models });
  const field = new PhraseMatcher(pack.field);
  const results: ClassifiedQuestion[] = [];
  for (const question of questions) {
    const text = statements(question);
    const { findings } = await chain.detect(text);
    if (findings.length > 0) {
      const evidence = [...new Set(findings.map((finding) => `${finding.concept}: ${finding.detector} "${text.slice(finding.start, finding.end)}"`))];
      results.push({ id: question.id, label: 'masked', evidence, concepts: [...new Set(findings.map((finding) => finding.concept))].sort(), question: question.question });
      continue;
    }
    const words = [...new Set(field.scan(text).map((match) => pack.field[match.phrase]))];
    results.push({ id: question.id, label: words.length > 0 ? 'control' : 'unrelated', evidence: words, concepts: [], question: question.question });
  }
  return results;
}

/**
 * The stem, then the stem with each choice: one paragraph each. A stem that ends in a question
 * mark is joined to the choice with a colon, so the two read as one sentence ("Why are Cepheid
 * stars relevant for astronomers: To measure galactic distances.") for the rules that look
 * within a sentence; with the question mark they were two.
 */
function statements(question: Question): string {
  const stem = question.question.trimEnd();
  const joined = stem.endsWith('?') ? `${stem.slice(0, -1).trimEnd()}:` : stem;
  return [stem, ...question.choices.map((choice) => `${joined} ${choice}`)].join('\n\n');
}
