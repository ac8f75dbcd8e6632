/**
 * `lacuna probes classify`: labels each question of an existing benchmark as
 * masked (answering needs target knowledge), control (it is about the pack's
 * field, but not about a target) or unrelated, with the evidence.
 *
 * A question is read with its choices: a question whose options name a post-1900
 * idea needs that idea to be answered, if only to rule it out.
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
    const text = [question.question, ...question.choices].join('\n\n');
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
