/**
 * The lm-evaluation-harness export, read the way lm-eval reads it (issue 14): its YAML loader
 * (with the `!function` tag resolved next to the YAML), the loader script's paths relative to
 * itself, doc_to_text rendered, targets taken from the `answers` column, a generation cut at
 * `until`, the filters applied in order (remove_whitespace, take_first) and exact_match with
 * ignore_case and ignore_punctuation (lm_eval/api/metrics.py: exact_match_hf_evaluate; any of
 * several targets counts, lm_eval/api/task.py process_results). An oracle answer that comes back
 * with lm-eval's leading space scores 1; a wrong one scores 0.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { readJsonlFile, ROOT, runCli, tempDir } from './helpers.js';

const SAMPLE = join(ROOT, 'samples', 'physics-mini.jsonl');

interface TaskConfig {
  task: string;
  tag: string;
  custom_dataset: { function: string };
  dataset_kwargs: { data_file: string; fewshot_file: string };
  test_split: string;
  fewshot_split: string;
  doc_to_text: string;
  output_type: 'generate_until' | 'multiple_choice';
  doc_to_target: string;
  doc_to_choice?: string;
  generation_kwargs?: { until: string[] };
  filter_list?: { name: string; filter: { function: string }[] }[];
  metric_list: { metric: string; ignore_case?: boolean; ignore_punctuation?: boolean }[];
}

type Row = Record<string, unknown> & { question: string; answers: string[]; choices: string[]; answer: string; answer_index: number };

const render = (template: string, doc: Row) => template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, field: string) => String(doc[field]));
/** Python's string.punctuation. */
const PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;

function exactMatch(prediction: string, reference: string, metric: TaskConfig['metric_list'][number]): number {
  const normalise = (text: string) => {
    let out = metric.ignore_case ? text.toLowerCase() : text;
    if (metric.ignore_punctuation) out = out.replace(PUNCTUATION, '');
    return out;
  };
  return normalise(prediction) === normalise(reference) ? 1 : 0;
}

/** Scores a model's raw generation for a doc as lm-eval would. */
function scoreGeneration(config: TaskConfig, doc: Row, generation: string): number {
  let text = generation;
  for (const stop of config.generation_kwargs!.until) if (text.includes(stop)) text = text.slice(0, text.indexOf(stop));
  let responses: string[] | string = [text];
  for (const step of config.filter_list![0].filter) {
    if (step.function === 'remove_whitespace') responses = (responses as string[]).map((response) => response.trim());
    else if (step.function === 'take_first') responses = (responses as string[])[0];
    else throw new Error(`filter ${step.function} is not emulated`);
  }
  const targets = doc[config.doc_to_target] as string[];
  expect(Array.isArray(targets)).toBe(true);
  return targets.some((target) => exactMatch(responses as string, target, config.metric_list[0]) === 1) ? 1 : 0;
}

describe('the lm-evaluation-harness export', () => {
  it('scores an oracle answer with a leading space 1 and a wrong one 0, on every task, from any directory', async () => {
    const dir = tempDir();
    expect((await runCli(['mask', SAMPLE, '--pack', 'physics-post-1900', '--out', join(dir, 'run'), '--quiet'])).code).toBe(0);
    expect((await runCli(['probes', 'build', '--pack', 'physics-post-1900', '--corpus', join(dir, 'run'), '--out', join(dir, 'probes'), '--generated', '5'])).code).toBe(0);
    const out = join(dir, 'export');
    // With the failed ones: on this small corpus most reconstruction probes miss a premise passage.
    expect((await runCli(['probes', 'export', join(dir, 'probes'), '--out', out, '--include-failed'])).code).toBe(0);
    const taskDir = join(out, 'lm-eval');
    // The loader opens its files relative to itself: lm_eval needs only --include_path.
    expect(readFileSync(join(taskDir, 'lacuna_data.py'), 'utf8')).toContain('HERE = os.path.dirname(os.path.abspath(__file__))');
    const masked = new Set(readJsonlFile<Row>(join(out, 'hf', 'masked.jsonl')).map((row) => row.answer));
    expect(readdirSync(taskDir)).toContain('lacuna_physics_post_1900_reconstruction_gen.yaml');
    const yamls = readdirSync(taskDir).filter((name) => name.endsWith('.yaml') && !/_(masked|control)\.yaml$/.test(name)).sort();
    expect(yamls.length).toBeGreaterThanOrEqual(4);
    // One group per kind, listing that kind's tasks, averaged the only way lm-eval groups average.
    for (const kind of ['masked', 'control']) {
      const group = parseYaml(readFileSync(join(taskDir, `lacuna_physics_post_1900_${kind}.yaml`), 'utf8')) as { group: string; task: string[]; aggregate_metric_list: { metric: string; aggregation: string }[] };
      expect(group.group).toBe(`lacuna_physics_post_1900_${kind}`);
      expect(group.task).toEqual(yamls.filter((name) => name.includes(`_${kind}_`)).map((name) => name.replace(/\.yaml$/, '')));
      expect(group.aggregate_metric_list.map((entry) => `${entry.metric}:${entry.aggregation}`)).toEqual(['exact_match:mean', 'acc:mean']);
    }
    for (const file of yamls) {
      const config = parseYaml(readFileSync(join(taskDir, file), 'utf8'), { customTags: [{ tag: '!function', resolve: (value: string) => ({ function: value }) }] }) as TaskConfig;
      expect(config.custom_dataset.function).toBe('lacuna_data.load');
      expect(config.tag).toBe('lacuna_physics_post_1900');
      const docs = readJsonlFile<Row>(join(taskDir, config.dataset_kwargs.data_file));
      expect(docs.length).toBeGreaterThan(0);
      if (config.metric_list[0].metric === 'bypass') {
        // Reconstruction: generated for a grader, with the key points the grader checks.
        expect(config.task).toBe('lacuna_physics_post_1900_reconstruction_gen');
        for (const doc of docs) expect((doc.key_points as unknown as string[]).length).toBeGreaterThan(0);
        continue;
      }
      const fewshot = readJsonlFile<Row>(join(taskDir, config.dataset_kwargs.fewshot_file));
      // No masked answer is ever a few-shot example, and no test doc is its own example.
      for (const example of fewshot) expect(masked.has(example.answer), example.answer).toBe(false);
      expect(docs.filter((doc) => fewshot.some((example) => example.id === doc.id))).toEqual([]);
      for (const doc of docs) {
        const prompt = render(config.doc_to_text, doc);
        expect(prompt).toBe(`Question: ${doc.question}\nAnswer:`);
        if (config.output_type === 'generate_until') {
          expect(scoreGeneration(config, doc, ` ${doc.answers[0]}\nQuestion: the model goes on`), `${config.task} ${doc.id}`).toBe(1);
          expect(scoreGeneration(config, doc, ' Something else entirely.'), `${config.task} ${doc.id}`).toBe(0);
        } else {
          const choices = doc.choices;
          const gold = Number(render(config.doc_to_target, doc));
          expect(render(config.doc_to_choice!, doc).length).toBeGreaterThan(0);
          expect(choices[gold]).toBe(doc.answer);
        }
      }
    }
  });
});

describe('lacuna probes gap', () => {
  it("reads lm-eval's results file and gives masked and control accuracy and their difference", async () => {
    const dir = tempDir();
    const file = join(dir, 'results.json');
    // The shape lm_eval writes (lm_eval/result_schema.py): scores under "<metric>,<filter>", counts under n-samples.
    writeFileSync(
      file,
      JSON.stringify({
        results: {
          lacuna_physics_post_1900_masked: { 'exact_match,strip': 0.1 },
          lacuna_physics_post_1900_masked_gen: { 'exact_match,strip': 0.1, 'exact_match_stderr,strip': 0.05 },
          lacuna_physics_post_1900_masked_mc: { 'acc,none': 0.25 },
          lacuna_physics_post_1900_control_gen: { 'exact_match,strip': 0.6 },
          lacuna_physics_post_1900_control_mc: { 'acc,none': 0.8 },
          mmlu: { 'acc,none': 0.5 },
        },
        'n-samples': {
          lacuna_physics_post_1900_masked_gen: { original: 40, effective: 40 },
          lacuna_physics_post_1900_masked_mc: { original: 20, effective: 20 },
          lacuna_physics_post_1900_control_gen: { original: 30, effective: 30 },
          lacuna_physics_post_1900_control_mc: { original: 10, effective: 10 },
        },
      }),
    );
    const run = await runCli(['probes', 'gap', file, '--json']);
    expect(run.code).toBe(0);
    const gap = JSON.parse(run.stdout);
    // masked: 4 + 5 of 60; control: 18 + 8 of 40.
    expect(gap.masked).toMatchObject({ probes: 60, correct: 9, tasks: ['lacuna_physics_post_1900_masked_gen', 'lacuna_physics_post_1900_masked_mc'] });
    expect(gap.control).toMatchObject({ probes: 40, correct: 26 });
    expect(gap.gap).toBeCloseTo(0.65 - 0.15, 6);
    expect(gap.masked.accuracy.low).toBeLessThan(0.15);
    const text = await runCli(['probes', 'gap', file]);
    expect(text.stdout).toContain('gap      50.0 points (control − masked)');
  });
});
