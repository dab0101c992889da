/**
 * Gemini's OpenAPI-style `Schema` (responseSchema, function `parameters`) → JSON Schema, as
 * OpenAI-compatible servers expect in `response_format.json_schema.schema` and tool
 * `parameters`: types lowercased (`OBJECT` → `object`), `nullable: true` → `type: [t, 'null']`
 * (and `null` added to an `enum`), numeric bounds sent as numbers (proto3 JSON may write int64
 * bounds as strings). Gemini-only keywords (`propertyOrdering`, `example`, `format: enum`) are
 * dropped; `responseJsonSchema` / `parametersJsonSchema` are JSON Schema already and never come here.
 */
import type { Schema } from '../../core/gemini-types.js';

/** Keywords copied unchanged when present. */
const COPIED = ['title', 'description', 'pattern', 'default', 'required'] as const;
/** Keywords that are numbers in JSON Schema but may arrive as int64 strings. */
const NUMERIC = ['minItems', 'maxItems', 'minLength', 'maxLength', 'minProperties', 'maxProperties', 'minimum', 'maximum'] as const;

/** The JSON Schema equivalent of `schema`. */
export function toJsonSchema(schema: Schema): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  const type = typeof schema.type === 'string' ? schema.type.toLowerCase() : undefined;
  const isNullable = schema.nullable === true;
  if (type !== undefined && type !== 'type_unspecified') result.type = isNullable && type !== 'null' ? [type, 'null'] : type;
  for (const keyword of COPIED) if (schema[keyword] !== undefined) result[keyword] = schema[keyword];
  if (typeof schema.format === 'string' && schema.format !== 'enum') result.format = schema.format;
  for (const keyword of NUMERIC) {
    const value = schema[keyword];
    if (typeof value === 'number') result[keyword] = value;
    else if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) result[keyword] = Number(value);
  }
  if (Array.isArray(schema.enum)) result.enum = isNullable ? [...schema.enum, null] : schema.enum;
  if (schema.properties !== undefined) {
    result.properties = Object.fromEntries(Object.entries(schema.properties).map(([name, property]) => [name, toJsonSchema(property)]));
  }
  if (schema.items !== undefined) result.items = toJsonSchema(schema.items);
  if (Array.isArray(schema.anyOf)) {
    const variants = schema.anyOf.map(toJsonSchema);
    result.anyOf = isNullable && type === undefined ? [...variants, { type: 'null' }] : variants;
  }
  return result;
}
