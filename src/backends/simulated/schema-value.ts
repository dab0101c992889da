/**
 * Generates a JSON value that validates against a schema in either dialect Gemini accepts: the
 * OpenAPI subset of `responseSchema` and function `parameters` (upper-case types, `nullable`,
 * `format: 'enum'`, `minItems` as strings, `propertyOrdering`) and the JSON Schema of
 * `responseJsonSchema` and `parametersJsonSchema` (type lists, `const`, `oneOf`, `allOf`, local
 * `$ref`, numeric bounds, `prefixItems`). Every declared property is emitted, so `required` always
 * holds. Not honoured: `pattern`, `not`, `if/then/else`, `dependentRequired`.
 */
import { generateNumber, generateString, toNumber } from './leaf-values.js';
import type { Random } from './seeded-random.js';

type SchemaObject = Record<string, unknown>;

/**
 * Depth limits: past `shallow`, recursive schemas shrink to the minimum (required properties,
 * `minItems` items); past `max`, `$ref` cycles that cannot shrink stop with `null`.
 */
const DEPTH = { shallow: 6, max: 24 } as const;

interface Walk {
  random: Random;
  root: unknown;
  depth: number;
  /** The property the value is for: picks realistic strings (`email`, `city`) and numbers (`age`). */
  key: string;
}

/** A value valid against `schema` (`undefined` or `true` accept anything: a short string). */
export function generateSchemaValue(schema: unknown, random: Random, key = ''): unknown {
  return generate(schema, { random, root: schema, depth: 0, key });
}

function generate(schema: unknown, walk: Walk): unknown {
  if (schema === undefined || schema === true) return generateString({}, walk.key, walk.random);
  if (!isSchemaObject(schema) || walk.depth > DEPTH.max) return null;
  if (typeof schema.$ref === 'string') return generate(resolveRef(schema.$ref, walk.root), deeper(walk, walk.key));
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return walk.random.pick(schema.enum);
  const branches = Array.isArray(schema.anyOf) ? schema.anyOf : schema.oneOf;
  if (Array.isArray(branches) && branches.length > 0) {
    const rest = { ...schema, anyOf: undefined, oneOf: undefined };
    const branch: unknown = walk.random.pick(branches);
    return generate(isSchemaObject(branch) ? { ...rest, ...branch } : branch, deeper(walk, walk.key));
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0) return generate(mergeAll(schema), deeper(walk, walk.key));
  switch (typeOf(schema)) {
    case 'object':
      return generateObject(schema, walk);
    case 'array':
      return generateArray(schema, walk);
    case 'integer':
      return generateNumber(schema, walk.key, walk.random, true);
    case 'number':
      return generateNumber(schema, walk.key, walk.random, false);
    case 'boolean':
      return walk.random.next() < 0.5;
    case 'null':
      return null;
    default:
      return generateString(schema, walk.key, walk.random);
  }
}

function generateObject(schema: SchemaObject, walk: Walk): Record<string, unknown> {
  const properties = isSchemaObject(schema.properties) ? schema.properties : {};
  const ordering = Array.isArray(schema.propertyOrdering) ? schema.propertyOrdering : [];
  const keys = [...ordering.filter((key): key is string => typeof key === 'string'), ...Object.keys(properties)];
  const result: Record<string, unknown> = {};
  const required = Array.isArray(schema.required) ? schema.required : [];
  const isShallow = walk.depth <= DEPTH.shallow;
  for (const key of keys) {
    if (!isShallow && !required.includes(key)) continue;
    if (Object.hasOwn(properties, key) && !Object.hasOwn(result, key)) {
      setOwn(result, key, generate(properties[key], deeper(walk, key)));
    }
  }
  const extra = schema.additionalProperties;
  for (const key of required) {
    if (typeof key === 'string' && !Object.hasOwn(result, key)) {
      setOwn(result, key, generate(isSchemaObject(extra) ? extra : undefined, deeper(walk, key)));
    }
  }
  if (keys.length === 0 && required.length === 0 && isShallow && isSchemaObject(extra)) {
    setOwn(result, 'key1', generate(extra, deeper(walk, walk.key)));
  }
  return result;
}

function generateArray(schema: SchemaObject, walk: Walk): unknown[] {
  const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : Array.isArray(schema.items) ? schema.items : [];
  const rest = Array.isArray(schema.items) ? undefined : schema.items;
  const minItems = toNumber(schema.minItems) ?? 0;
  const maxItems = toNumber(schema.maxItems) ?? Number.POSITIVE_INFINITY;
  const preferred = walk.depth <= DEPTH.shallow ? walk.random.int(1, 3) : 0;
  let count = Math.min(Math.max(preferred, minItems), maxItems);
  if (rest === false) count = Math.min(count, prefix.length);
  const result: unknown[] = [];
  for (let index = 0; index < count && index < prefix.length; index++) result.push(generate(prefix[index], deeper(walk, walk.key)));
  // Distinct items when the schema asks for them, and for enums (a list repeating a label reads as a bug).
  const isDistinct = schema.uniqueItems === true || (isSchemaObject(rest) && Array.isArray(rest.enum));
  const seen = new Set(result.map((item) => JSON.stringify(item)));
  for (let tries = 0; result.length < count && tries < count * 8; tries++) {
    const item = generate(rest, deeper(walk, walk.key));
    const text = JSON.stringify(item);
    if (isDistinct && seen.has(text) && tries < count * 4) continue;
    seen.add(text);
    result.push(item);
  }
  return result;
}

/** The schema's type in lower case, inferred from its keywords when it has none. */
function typeOf(schema: SchemaObject): string {
  const type = schema.type;
  if (typeof type === 'string') return type.toLowerCase();
  if (Array.isArray(type)) {
    const named = type.filter((entry): entry is string => typeof entry === 'string').map((entry) => entry.toLowerCase());
    return named.find((entry) => entry !== 'null') ?? named[0] ?? 'string';
  }
  if (schema.properties !== undefined || schema.required !== undefined || schema.additionalProperties !== undefined) return 'object';
  if (schema.items !== undefined || schema.prefixItems !== undefined) return 'array';
  if (schema.minimum !== undefined || schema.maximum !== undefined) return 'number';
  return 'string';
}

/** Resolves a local JSON pointer (`#/$defs/Item`, `#/definitions/Item`, `#`) against the root schema. */
function resolveRef(ref: string, root: unknown): unknown {
  if (!ref.startsWith('#')) return undefined;
  let node = root;
  for (const token of ref.slice(1).split('/').filter((segment) => segment !== '')) {
    if (!isSchemaObject(node)) return undefined;
    node = node[decodeURIComponent(token).replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}

/** `allOf` flattened into one schema: properties and required lists merged, other keywords last-wins. */
function mergeAll(schema: SchemaObject): SchemaObject {
  let merged: SchemaObject = { ...schema, allOf: undefined };
  for (const part of schema.allOf as unknown[]) {
    if (!isSchemaObject(part)) continue;
    const next: SchemaObject = { ...merged, ...part };
    if (isSchemaObject(merged.properties) && isSchemaObject(part.properties)) {
      next.properties = { ...merged.properties, ...part.properties };
    }
    if (Array.isArray(merged.required) && Array.isArray(part.required)) {
      next.required = [...(merged.required as unknown[]), ...(part.required as unknown[])];
    }
    merged = next;
  }
  return merged;
}

function deeper(walk: Walk, key: string): Walk {
  return { random: walk.random, root: walk.root, depth: walk.depth + 1, key };
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function isSchemaObject(value: unknown): value is SchemaObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
