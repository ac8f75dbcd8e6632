/**
 * Question sets for probe classification: CSV as MMLU ships it (question,
 * four choices, answer as an index 0–3 or a letter A–D, with or without a
 * header line) or JSONL records {id?, question, choices, answer}.
 */
import { basename, extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import { UsageError } from '../errors.js';
import { readUserFile } from '../user-file.js';

export interface Question {
  id: string;
  question: string;
  choices: string[];
  /** Index of the correct choice, when known. */
  answer: number | undefined;
}

function answerIndex(value: unknown, where: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const text = String(value).trim();
  if (/^[0-3]$/.test(text)) return Number(text);
  if (/^[A-Da-d]$/.test(text)) return text.toUpperCase().charCodeAt(0) - 65;
  throw new UsageError(`${where}: answer '${text}' is neither 0–3 nor A–D`);
}

export async function readQuestions(path: string): Promise<Question[]> {
  const content = (await readUserFile(path, 'question set')).toString('utf8');
  const name = basename(path, extname(path));
  if (/\.jsonl?$/i.test(path)) {
    return content
      .split('\n')
      .map((line, index) => ({ line, index }))
      .filter(({ line }) => line.trim())
      .map(({ line, index }) => {
        let record: { id?: unknown; question?: unknown; choices?: unknown; answer?: unknown };
        try {
          record = JSON.parse(line);
        } catch (error) {
          throw new UsageError(`${path} line ${index + 1}: malformed JSON: ${(error as Error).message}`);
        }
        if (typeof record.question !== 'string') throw new UsageError(`${path} line ${index + 1}: 'question' is missing or not a string`);
        const choices = Array.isArray(record.choices) ? record.choices.map(String) : [];
        return { id: record.id !== undefined ? String(record.id) : `${name}#${index}`, question: record.question, choices, answer: answerIndex(record.answer, `${path} line ${index + 1}`) };
      });
  }
  let rows: string[][];
  try {
    rows = parse(content, { relax_column_count: true, skip_empty_lines: true }) as string[][];
  } catch (error) {
    throw new UsageError(`${path}: not valid CSV (${(error as Error).message.split('\n')[0]})`);
  }
  const hasHeader = rows.length > 0 && rows[0][0]?.trim().toLowerCase() === 'question';
  return rows.slice(hasHeader ? 1 : 0).map((row, index) => {
    if (row.length < 2) throw new UsageError(`${path} row ${index + (hasHeader ? 2 : 1)}: expected question, choices and answer`);
    const answer = row.length >= 6 ? answerIndex(row[5], `${path} row ${index + (hasHeader ? 2 : 1)}`) : undefined;
    return { id: `${name}#${index}`, question: row[0], choices: row.slice(1, Math.min(5, row.length)), answer };
  });
}
