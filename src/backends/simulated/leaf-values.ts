/**
 * Strings and numbers for generated JSON, shaped by the schema's `format` and bounds and, when
 * the schema says little, by the property name (`email`, `city`, `age`, `createdAt` …).
 */
import { generatePhrase, generateSentence } from './generate-text.js';
import type { Random } from './seeded-random.js';
import { CITIES, COLORS, COUNTRIES, PERSON_NAMES } from './vocabulary.js';

type SchemaObject = Record<string, unknown>;

const EPOCH_2020_MS = Date.UTC(2020, 0, 1);
const DAY_MS = 86_400_000;
const PROSE_WORDS = new Set([
  'description', 'summary', 'explanation', 'reason', 'reasoning', 'answer', 'text', 'content', 'comment',
  'message', 'body', 'notes', 'justification', 'analysis', 'feedback', 'review', 'response', 'rationale',
]);
const PERSON_WORDS = new Set(['author', 'person', 'user', 'customer', 'employee', 'full', 'contact', 'owner', 'speaker']);
const NUMBER_RANGES: readonly (readonly [string, number, number])[] = [
  ['age', 18, 90], ['year', 1990, 2025], ['rating', 1, 5], ['stars', 1, 5], ['score', 0, 100],
  ['percent', 0, 100], ['percentage', 0, 100], ['price', 1, 500], ['cost', 1, 500], ['amount', 1, 500],
  ['latitude', -90, 90], ['longitude', -180, 180], ['count', 1, 20], ['quantity', 1, 20],
  ['confidence', 0, 1], ['probability', 0, 1],
];

/** The lowercase words of a property name: `createdAt` → `created at`, `first_name` → `first name`. */
export function keyWords(key: string): string[] {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/).filter((word) => word !== '');
}

/** A string for `schema` (format, length bounds) under property `key`. */
export function generateString(schema: SchemaObject, key: string, random: Random): string {
  const format = typeof schema.format === 'string' ? schema.format.toLowerCase() : '';
  let value = formattedString(format, random) ?? stringForKey(keyWords(key), random);
  const minLength = toNumber(schema.minLength);
  const maxLength = toNumber(schema.maxLength);
  while (minLength !== undefined && value.length < minLength) value = `${value} ${generatePhrase(random, 2)}`.trim();
  if (maxLength !== undefined && value.length > maxLength) value = value.slice(0, Math.max(0, maxLength));
  return value;
}

/** A number for `schema` honouring minimum/maximum (inclusive or exclusive) and, for integers, multipleOf. */
export function generateNumber(schema: SchemaObject, key: string, random: Random, isInteger: boolean): number {
  let minimum = toNumber(schema.minimum);
  let maximum = toNumber(schema.maximum);
  let isMinimumExclusive = schema.exclusiveMinimum === true;
  let isMaximumExclusive = schema.exclusiveMaximum === true;
  const exclusiveMinimum = toNumber(schema.exclusiveMinimum);
  const exclusiveMaximum = toNumber(schema.exclusiveMaximum);
  if (exclusiveMinimum !== undefined && (minimum === undefined || exclusiveMinimum >= minimum)) {
    minimum = exclusiveMinimum;
    isMinimumExclusive = true;
  }
  if (exclusiveMaximum !== undefined && (maximum === undefined || exclusiveMaximum <= maximum)) {
    maximum = exclusiveMaximum;
    isMaximumExclusive = true;
  }
  if (minimum === undefined && maximum === undefined) {
    const words = keyWords(key);
    const range = NUMBER_RANGES.find(([word]) => words.includes(word));
    minimum = range?.[1] ?? 0;
    maximum = range?.[2] ?? 100;
  }
  const low = minimum ?? (maximum as number) - 100;
  const high = maximum ?? low + 100;
  if (isInteger) return integerBetween(low, high, isMinimumExclusive, isMaximumExclusive, toNumber(schema.multipleOf), random);
  let value = Math.round((low + random.next() * (high - low)) * 100) / 100;
  if (value < low || (isMinimumExclusive && value <= low) || value > high || (isMaximumExclusive && value >= high)) {
    value = (low + high) / 2;
  }
  return value;
}

/** A finite number from a number or a numeric string (the OpenAPI subset writes int64 as strings). */
export function toNumber(value: unknown): number | undefined {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) ? number : undefined;
}

function integerBetween(
  low: number,
  high: number,
  isLowExclusive: boolean,
  isHighExclusive: boolean,
  multipleOf: number | undefined,
  random: Random,
): number {
  const first = isLowExclusive ? Math.floor(low) + 1 : Math.ceil(low);
  const last = isHighExclusive ? Math.ceil(high) - 1 : Math.floor(high);
  if (last < first) return first;
  let value = random.int(first, last);
  if (multipleOf !== undefined && Number.isInteger(multipleOf) && multipleOf > 0) {
    value = Math.round(value / multipleOf) * multipleOf;
    if (value < first) value += multipleOf;
    if (value > last) value -= multipleOf;
  }
  return value;
}

function formattedString(format: string, random: Random): string | undefined {
  switch (format) {
    case 'date-time':
      return dateTime(random);
    case 'date':
      return dateTime(random).slice(0, 10);
    case 'time':
      return dateTime(random).slice(11, 19);
    case 'email':
      return email(random);
    case 'uri':
    case 'url':
      return `https://example.com/${generatePhrase(random, 2).replace(' ', '-')}`;
    case 'uuid':
      return uuid(random);
    case 'hostname':
      return 'example.com';
    case 'ipv4':
      return `192.0.2.${random.int(1, 254)}`;
    default:
      return undefined;
  }
}

function stringForKey(words: readonly string[], random: Random): string {
  const has = (word: string): boolean => words.includes(word);
  if (has('email')) return email(random);
  if (has('url') || has('uri') || has('link') || has('website')) return `https://example.com/${random.int(100, 999)}`;
  if (has('timestamp') || has('time') || words.at(-1) === 'at') return dateTime(random);
  if (has('date') || has('birthday')) return dateTime(random).slice(0, 10);
  if (has('id') || has('uuid')) return uuid(random);
  if (has('city')) return random.pick(CITIES);
  if (has('country')) return random.pick(COUNTRIES);
  if (has('color') || has('colour')) return random.pick(COLORS);
  if (has('name') && (has('first') || has('given'))) return random.pick(PERSON_NAMES).split(' ')[0] as string;
  if (has('name') && (has('last') || has('family') || has('surname'))) return random.pick(PERSON_NAMES).split(' ').at(-1) as string;
  if (words.some((word) => PERSON_WORDS.has(word)) || (words.length === 1 && has('name'))) return random.pick(PERSON_NAMES);
  if (has('title') || has('headline') || has('name')) return titleCase(generatePhrase(random, random.int(2, 4)));
  if (words.some((word) => PROSE_WORDS.has(word))) return generateSentence(random);
  return generatePhrase(random, random.int(2, 3));
}

function dateTime(random: Random): string {
  const epochMs = EPOCH_2020_MS + random.int(0, 6 * 365) * DAY_MS + random.int(0, 86_399) * 1000;
  return new Date(epochMs).toISOString().replace('.000Z', 'Z');
}

function email(random: Random): string {
  const [first = 'ada', last = 'lovelace'] = random.pick(PERSON_NAMES).toLowerCase().split(' ');
  return `${first}.${last}@example.com`;
}

function uuid(random: Random): string {
  let hex = '';
  for (let index = 0; index < 32; index++) hex += Math.floor(random.next() * 16).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}

function titleCase(text: string): string {
  return text.replace(/\b[a-z]/g, (letter) => letter.toUpperCase());
}
