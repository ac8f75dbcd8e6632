/**
 * `lacuna probes export`: a probe set as files eval harnesses load directly.
 *
 * - hf/: one JSONL file per split (masked, control, reconstruction) and a
 *   dataset card whose front matter lists the splits, so
 *   `datasets.load_dataset("<dir>/hf")` gives three splits.
 * - lm-eval/: lm-evaluation-harness task YAMLs, one per split and probe type:
 *   generation (short answer and cloze, exact match against accepted answers,
 *   whitespace stripped) and multiple choice (accuracy), each loading its own
 *   JSONL through lacuna_data.py beside it (so lm_eval runs from anywhere with
 *   --include_path), with a few-shot file of control probes only; all tasks
 *   share the tag lacuna_<pack>.
 *   Reconstruction tasks are free-form derivations: they go to the HF
 *   dataset with their premises and key points, for a grader, not to lm-eval.
 *
 * Output is deterministic: same probes, same bytes.
 */
import type { WrittenFile } from '../../corpora/writers/jsonl-writer.js';
import type { RunDirectory } from '../../corpora/writers/run-directory.js';
import type { ProbeRecord } from './build.js';

const SPLITS = ['masked', 'control', 'reconstruction'] as const;

export interface ExportResult {
  /** Every file written, in staging (the caller lists them in its manifest). */
  files: WrittenFile[];
  tasks: string[];
}

function datasetRow(probe: ProbeRecord) {
  return {
    id: probe.id,
    concept: probe.concept,
    format: probe.format,
    question: probe.question,
    choices: probe.choices ?? [],
    answer: probe.answer,
    answer_index: probe.choices ? probe.choices.indexOf(probe.answer) : -1,
    premises: probe.premises ?? [],
    key_points: probe.keyPoints ?? [],
    source: probe.source,
    provenance: probe.provenance ? `${probe.provenance.id} [${probe.provenance.start}, ${probe.provenance.end})` : '',
    verified: probe.verification ? probe.verification.passed : null,
  };
}

const lines = (rows: unknown[]) => rows.map((row) => JSON.stringify(row)).join('\n') + (rows.length ? '\n' : '');

/**
 * The columns of every split, declared in the card. Without them the json builder infers each
 * split's types from its own rows and casts the others to the first split's: an always-empty
 * `premises` is list<null> in masked and list<string> in reconstruction, and loading the splits
 * together fails (huggingface/datasets#7092). Declared, every split loads with one schema.
 */
export const DATASET_FEATURES: [string, { dtype: 'string' | 'int64' | 'bool' } | { sequence: 'string' }][] = [
  ['id', { dtype: 'string' }],
  ['concept', { dtype: 'string' }],
  ['format', { dtype: 'string' }],
  ['question', { dtype: 'string' }],
  ['choices', { sequence: 'string' }],
  ['answer', { dtype: 'string' }],
  ['answer_index', { dtype: 'int64' }],
  ['premises', { sequence: 'string' }],
  ['key_points', { sequence: 'string' }],
  ['source', { dtype: 'string' }],
  ['provenance', { dtype: 'string' }],
  ['verified', { dtype: 'bool' }],
];

/** What the card says of where the probes come from. */
export interface ExportProvenance {
  packId: string;
  packVersion: string;
  packSha256: string;
  language: string;
  tool: string;
  seed: number | null;
  /** Probes left out because they failed verification (unless --include-failed). */
  excludedFailed: number;
}

function card(provenance: ExportProvenance, counts: Record<string, number>): string {
  const features = DATASET_FEATURES.map(([name, type]) => `  - name: ${name}\n    ${'dtype' in type ? `dtype: ${type.dtype}` : `sequence: ${type.sequence}`}`).join('\n');
  const packId = provenance.packId;
  return `---
language:
- ${provenance.language}
license: other
license_name: lacuna-probes
license_link: LICENSE
task_categories:
- question-answering
- text-generation
tags:
- lacuna
- knowledge-masking
- ${packId}
pretty_name: ${packId} probes
configs:
- config_name: default
  data_files:
${SPLITS.map((split) => `  - split: ${split}\n    path: ${split}.jsonl`).join('\n')}
dataset_info:
  features:
${features}
  splits:
${SPLITS.map((split) => `  - name: ${split}\n    num_examples: ${counts[split]}`).join('\n')}
lacuna:
  pack: ${packId}
  pack_version: ${provenance.packVersion}
  pack_sha256: ${provenance.packSha256}
  tool: ${provenance.tool}
  seed: ${provenance.seed ?? 'null'}
  excluded_failed_verification: ${provenance.excludedFailed}
---

# ${packId} probes

Probe sets made by Lacuna for the ${packId} concept pack.

| split | probes | what it tests |
|---|---:|---|
| masked | ${counts.masked} | knowledge the mask removed: a model trained on the masked corpus should fail these unless it rediscovers the answer |
| control | ${counts.control} | pre-cutoff knowledge the mask must keep: the model should answer these |
| reconstruction | ${counts.reconstruction} | derivations of a target from pre-cutoff premises, for a grader (reference answer and key points) |

Made with ${provenance.tool} from pack ${packId} ${provenance.packVersion} (sha256 \`${provenance.packSha256}\`), seed ${provenance.seed ?? 'none'}. ${provenance.excludedFailed > 0 ? `${provenance.excludedFailed} probe(s) that failed verification against the masked corpus are left out (\`--include-failed\` keeps them).` : 'No probe was left out.'}

Licence: curated probes come from the pack and are under the pack's licence; generated probes quote sentences of the corpus they were made from and carry that corpus's licence (\`license: other\`).

Fields: \`id\`, \`concept\`, \`format\` (short-answer, cloze, multiple-choice, derivation), \`question\` (cloze blanks are \`____\`), \`choices\`, \`answer\`, \`answer_index\` (multiple choice), \`premises\`, \`key_points\`, \`source\` (curated in the pack, or generated from a corpus), \`provenance\` (document id and span of a generated probe), \`verified\` (whether the probe passed verification against the masked corpus; null when not verified).
`;
}

/**
 * lm-eval resolves `data_files` against the directory lm_eval runs in, so tasks that name their
 * JSONL directly run only from inside lm-eval/. This loader, written beside the task files, is
 * found by lm-eval's `!function` next to the YAML and opens the files relative to itself.
 */
const LOADER = `"""Loads Lacuna's probe files beside this file, wherever lm_eval runs from. Written by Lacuna."""
import os

import datasets

HERE = os.path.dirname(os.path.abspath(__file__))


def load(data_file, fewshot_file=None, **kwargs):
    files = {"test": os.path.join(HERE, data_file)}
    if fewshot_file:
        files["fewshot"] = os.path.join(HERE, fewshot_file)
    return datasets.load_dataset("json", data_files=files)
`;

/** Few-shot examples per task type: control probes only, so no masked answer is ever shown to the model. */
const FEWSHOT = 3;

/** What every task shares: its name, the loader, the test and few-shot files, and the prompt. */
function taskHeader(name: string, dataFile: string, fewshotFile: string): string {
  return `task: ${name}
tag: ${name.replace(/_(masked|control)_(gen|mc)$/, '')}
custom_dataset: !function lacuna_data.load
dataset_kwargs:
  data_file: ${dataFile}
  fewshot_file: ${fewshotFile}
test_split: test
fewshot_split: fewshot
fewshot_config:
  sampler: first_n
doc_to_text: "Question: {{question}}\\nAnswer:"
`;
}

/**
 * Generation: the model's answer is stripped of surrounding whitespace (lm-eval keeps the leading
 * space after "Answer:"), cut at the end of its line, and matched, case and punctuation aside,
 * against any of the probe's accepted answers (the reference and the pack terms it rests on).
 */
function generationTask(name: string, dataFile: string, fewshotFile: string): string {
  return `${taskHeader(name, dataFile, fewshotFile)}output_type: generate_until
doc_to_target: answers
generation_kwargs:
  until:
    - "\\n"
    - "Question:"
  do_sample: false
filter_list:
  - name: strip
    filter:
      - function: remove_whitespace
      - function: take_first
metric_list:
  - metric: exact_match
    aggregation: mean
    higher_is_better: true
    ignore_case: true
    ignore_punctuation: true
metadata:
  version: 2.0
`;
}

function multipleChoiceTask(name: string, dataFile: string, fewshotFile: string): string {
  return `${taskHeader(name, dataFile, fewshotFile)}output_type: multiple_choice
doc_to_choice: "{{choices}}"
doc_to_target: "{{answer_index}}"
metric_list:
  - metric: acc
    aggregation: mean
    higher_is_better: true
metadata:
  version: 2.0
`;
}

/**
 * A group per kind of probe, so `--tasks lacuna_<pack>_masked` and `..._control` report one score
 * each (exact match over the generation tasks, accuracy over the multiple-choice ones, weighted by
 * size). lm-eval's group aggregation is a weighted mean only (lm_eval/api/group.py), so the gap
 * between the two is for the reader to take.
 */
function groupConfig(name: string, tasks: string[]): string {
  return `group: ${name}
task:
${tasks.map((task) => `  - ${task}`).join('\n')}
aggregate_metric_list:
  - metric: exact_match
    aggregation: mean
    weight_by_size: true
  - metric: acc
    aggregation: mean
    weight_by_size: true
metadata:
  version: 1.0
`;
}

/** A derivation to write out in full, for a grader: no score of its own (lm-eval's `bypass`). */
function reconstructionTask(name: string, dataFile: string): string {
  return `task: ${name}
tag: ${name.replace(/_reconstruction_gen$/, '')}
custom_dataset: !function lacuna_data.load
dataset_kwargs:
  data_file: ${dataFile}
test_split: test
doc_to_text: "Premises:\\n{{premises | join('\\n')}}\\n\\nTask: {{question}}\\nDerivation:"
doc_to_target: answer
output_type: generate_until
generation_kwargs:
  until:
    - "Task:"
  max_gen_toks: 1024
  do_sample: false
metric_list:
  - metric: bypass
metadata:
  version: 1.0
`;
}

/** A row of an lm-eval data file: the dataset row and the answers a generation is accepted with. */
function taskRow(probe: ProbeRecord) {
  return { ...datasetRow(probe), answers: [...new Set([probe.answer, ...probe.evidence])] };
}

/** Writes the export into `run`'s staging; the caller commits it (so nothing it did not write is replaced). */
/** Probes that failed verification stay out unless asked for: a masked probe the corpus answers measures nothing. */
export function exportable(probes: readonly ProbeRecord[], includeFailed: boolean): { kept: ProbeRecord[]; excluded: number } {
  const kept = includeFailed ? [...probes] : probes.filter((probe) => probe.verification?.passed !== false);
  return { kept, excluded: probes.length - kept.length };
}

export async function exportProbes(provenance: ExportProvenance, probes: ProbeRecord[], run: RunDirectory): Promise<ExportResult> {
  const packId = provenance.packId;
  const files: WrittenFile[] = [];
  const tasks: string[] = [];
  const write = async (path: string, content: string) => {
    files.push(await run.writeFile(path, content));
  };
  const counts: Record<string, number> = {};
  for (const split of SPLITS) {
    const rows = probes.filter((probe) => probe.kind === split).map(datasetRow);
    counts[split] = rows.length;
    await write(`hf/${split}.jsonl`, lines(rows));
  }
  await write('hf/README.md', card(provenance, counts));
  const prefix = `lacuna_${packId.replace(/[^a-z0-9]+/gi, '_')}`;
  await write('lm-eval/lacuna_data.py', LOADER);
  const ofFormat = (split: 'masked' | 'control', type: 'gen' | 'mc') => probes.filter((probe) => probe.kind === split && (type === 'mc' ? probe.format === 'multiple-choice' : probe.format === 'short-answer' || probe.format === 'cloze'));
  for (const type of ['gen', 'mc'] as const) {
    // The few-shot file holds control probes only, and those are left out of the control test.
    // At most half of them, so a small set keeps a control test.
    const controls = ofFormat('control', type);
    const fewshot = controls.slice(0, Math.min(FEWSHOT, Math.floor(controls.length / 2)));
    const shown = new Set(fewshot.map((probe) => probe.id));
    await write(`lm-eval/data/fewshot_${type}.jsonl`, lines(fewshot.map(taskRow)));
    for (const split of ['masked', 'control'] as const) {
      const rows = ofFormat(split, type).filter((probe) => !shown.has(probe.id)).map(taskRow);
      if (rows.length === 0) continue;
      const name = `${prefix}_${split}_${type}`;
      await write(`lm-eval/data/${split}_${type}.jsonl`, lines(rows));
      await write(`lm-eval/${name}.yaml`, (type === 'gen' ? generationTask : multipleChoiceTask)(name, `data/${split}_${type}.jsonl`, `data/fewshot_${type}.jsonl`));
      tasks.push(name);
    }
  }
  // Derivations are graded by a person or a judge model: lm-eval only generates (--log_samples keeps
  // the answers); the key points a grader checks are in each row.
  const reconstruction = probes.filter((probe) => probe.kind === 'reconstruction').map(taskRow);
  if (reconstruction.length > 0) {
    const name = `${prefix}_reconstruction_gen`;
    await write('lm-eval/data/reconstruction_gen.jsonl', lines(reconstruction));
    await write(`lm-eval/${name}.yaml`, reconstructionTask(name, 'data/reconstruction_gen.jsonl'));
    tasks.push(name);
  }
  for (const split of ['masked', 'control'] as const) {
    const members = tasks.filter((task) => task.startsWith(`${prefix}_${split}_`));
    if (members.length > 0) await write(`lm-eval/${prefix}_${split}.yaml`, groupConfig(`${prefix}_${split}`, members));
  }
  return { files, tasks };
}
