/** Option parsers: a bad value becomes commander's one-line "argument is invalid" error. */
import { InvalidArgumentError } from 'commander';
import { DETECTOR_NAMES, type DetectorName } from '../maskers/detectors/chain.js';

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1e3, kb: 1e3, kib: 1024, m: 1e6, mb: 1e6, mib: 1024 ** 2, g: 1e9, gb: 1e9, gib: 1024 ** 3 };

export function parseSize(value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value.trim());
  const unit = match ? SIZE_UNITS[match[2].toLowerCase()] : undefined;
  if (!match || unit === undefined) throw new InvalidArgumentError('expected a size such as 268435456, 256MB or 1GiB');
  const bytes = Math.round(Number(match[1]) * unit);
  if (bytes < 1) throw new InvalidArgumentError('must be at least 1 byte');
  return bytes;
}

export function parseFraction(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0 || number > 1) throw new InvalidArgumentError('expected a number from 0 to 1');
  return number;
}

export function parseCount(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(number)) throw new InvalidArgumentError('expected a whole number (0 or more)');
  return number;
}

export function parseChoice<T extends string>(choices: readonly T[]) {
  return (value: string): T => {
    if (!(choices as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${choices.join(', ')}`);
    return value as T;
  };
}

export function parseGzipLevel(value: string): number {
  const level = Number(value);
  if (!/^[1-9]$/.test(value.trim())) throw new InvalidArgumentError('expected a gzip level from 1 to 9');
  return level;
}

/**
 * A comma-separated list of detectors; `none` runs none (the null pipeline: read → parse →
 * write, every document kept; the baseline benchmarks compare against, and a format copy).
 */
export function parseDetectors(value: string): DetectorName[] {
  if (value.trim() === 'none') return [];
  const names = value.split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = names.filter((name) => !(DETECTOR_NAMES as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length > 0) throw new InvalidArgumentError(`expected a comma-separated list of ${DETECTOR_NAMES.join(', ')}, or none`);
  return names as DetectorName[];
}

/** A dotted path into a JSON record (`text`, `meta.body`): no empty segment, so `""` or `a..b` is refused. */
export function parseFieldPath(value: string): string {
  if (value.split('.').some((segment) => segment.trim() === '')) throw new InvalidArgumentError('expected a dotted field path such as text or meta.body, with no empty part');
  return value;
}

export function parsePositive(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || number < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return number;
}
