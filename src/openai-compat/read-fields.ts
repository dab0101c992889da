/**
 * Typed readers of one request field, for the OpenAI request translations: each takes the value
 * and its `param` path, treats `undefined` and `null` as absent (the SDKs send null for unset
 * fields), and throws an OpenAIInputError naming the field when the type or range is wrong.
 */
import { invalidType, invalidValue, missingParameter } from './openai-input-error.js';

/** A plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isAbsent = (value: unknown): value is null | undefined => value === undefined || value === null;

/** Inclusive bounds of a number. */
export interface Range {
  min?: number;
  max?: number;
}

export function optionalNumber(value: unknown, param: string, range: Range = {}): number | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidType(param, 'a number', value);
  return checkRange(value, param, range, 'decimal');
}

export function optionalInteger(value: unknown, param: string, range: Range = {}): number | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw invalidType(param, 'an integer', value);
  return checkRange(value, param, range, 'integer');
}

export function optionalBoolean(value: unknown, param: string): boolean | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'boolean') throw invalidType(param, 'a boolean', value);
  return value;
}

export function optionalString(value: unknown, param: string): string | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'string') throw invalidType(param, 'a string', value);
  return value;
}

/** A string that must be present and not empty. */
export function requiredString(value: unknown, param: string): string {
  const text = optionalString(value, param);
  if (text === undefined) throw missingParameter(param);
  if (text === '') throw invalidValue(param, 'expected a non-empty string, but got an empty string instead.', 'empty_string');
  return text;
}

export function optionalRecord(value: unknown, param: string): Record<string, unknown> | undefined {
  if (isAbsent(value)) return undefined;
  if (!isRecord(value)) throw invalidType(param, 'an object', value);
  return value;
}

export function requiredRecord(value: unknown, param: string): Record<string, unknown> {
  const record = optionalRecord(value, param);
  if (record === undefined) throw missingParameter(param);
  return record;
}

export function optionalArray(value: unknown, param: string): unknown[] | undefined {
  if (isAbsent(value)) return undefined;
  if (!Array.isArray(value)) throw invalidType(param, 'an array', value);
  return value as unknown[];
}

/** One of `allowed`, or absent. */
export function optionalEnum<T extends string>(value: unknown, param: string, allowed: readonly T[]): T | undefined {
  const text = optionalString(value, param);
  if (text === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(text)) {
    throw invalidValue(param, `unsupported value '${text}'. Supported values are: ${allowed.map((item) => `'${item}'`).join(', ')}.`);
  }
  return text as T;
}

function checkRange(value: number, param: string, range: Range, kind: 'decimal' | 'integer'): number {
  if (range.min !== undefined && value < range.min) {
    throw invalidValue(param, `${kind} below minimum value. Expected a value >= ${range.min}, but got ${value} instead.`, `${kind}_below_min_value`);
  }
  if (range.max !== undefined && value > range.max) {
    throw invalidValue(param, `${kind} above maximum value. Expected a value <= ${range.max}, but got ${value} instead.`, `${kind}_above_max_value`);
  }
  return value;
}
