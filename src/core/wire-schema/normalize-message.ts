/**
 * Normalises and validates a Gemini request message against `MESSAGE_TABLE` in one pass.
 *
 * Proto3 JSON accepts every field under its lowerCamelCase and its snake_case name, mixed
 * freely; unknown fields are rejected with a 400. This walker copies the known structure with
 * camelCase keys, checks each scalar's JSON type, drops `null` fields (proto3 JSON: null means
 * absent) and leaves free-form values (Struct, schema and map fields) exactly as they came.
 *
 * It is on the batch-creation hot path (every line of an input file), so it is hand-written:
 * one Map lookup per key, no closures, and the error path string is built only when throwing
 * (the walker keeps a stack of path segments).
 */
import { compileMessageTable } from './compile-message-table.js';
import type { CompiledField, CompiledMessage } from './compile-message-table.js';
import { MESSAGE_TABLE } from './message-table.js';
import type { MessageTypeName } from './message-table.js';
import { WireSchemaError } from './wire-schema-error.js';

const COMPILED = compileMessageTable(MESSAGE_TABLE);

const INT64_PATTERN = /^-?\d{1,19}$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const LONGEST_VALUE_SHOWN = 80;

/** Where the walker is: the caller's root path plus field names and array indices below it. */
interface WalkContext {
  readonly root: string;
  readonly segments: (string | number)[];
}

/**
 * Returns a copy of `value` with every known field in lowerCamelCase, or throws a
 * `WireSchemaError` naming the first offending field. `path` prefixes the paths in errors
 * (`'request'` for a batch line's wrapped request; empty for a bare body, as Google does).
 * Free-form values are shared with the input, not cloned.
 */
export function normalizeMessage(value: unknown, type: MessageTypeName, path = ''): unknown {
  return walkMessage(value, COMPILED[type], { root: path, segments: [] });
}

function walkMessage(value: unknown, message: CompiledMessage, context: WalkContext): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidValue(context, message.typeLabel, value, Array.isArray(value) ? 'not a repeated field' : undefined);
  }
  const input = value as Record<string, unknown>;
  const output: Record<string, unknown> = {};
  for (const key in input) {
    const field = message.fields.get(key);
    if (field === undefined) throw unknownName(context, key);
    if (key !== field.name && Object.hasOwn(input, field.name)) throw duplicateField(context, key, field);
    const inner = input[key];
    if (inner === null || inner === undefined) continue;
    context.segments.push(key);
    output[field.name] = field.isRepeated ? walkList(inner, field, context) : walkValue(inner, field, context);
    context.segments.pop();
  }
  return output;
}

function walkList(value: unknown, field: CompiledField, context: WalkContext): unknown[] {
  if (!Array.isArray(value)) throw invalidValue(context, `repeated ${field.typeLabel}`, value, 'expected a list');
  if (field.kind === 'free') return value;
  const length = value.length;
  const output: unknown[] = [];
  for (let index = 0; index < length; index++) {
    context.segments.push(index);
    const element: unknown = value[index];
    if (element === null || element === undefined) throw invalidValue(context, field.typeLabel, element);
    output.push(walkValue(element, field, context));
    context.segments.pop();
  }
  return output;
}

function walkValue(value: unknown, field: CompiledField, context: WalkContext): unknown {
  switch (field.kind) {
    case 'message':
      return walkMessage(value, field.message, context);
    case 'free':
      return value;
    case 'string':
    case 'bytes':
      if (typeof value === 'string') return value;
      break;
    case 'number':
      if (Number.isFinite(value)) return value;
      break;
    case 'integer':
      if (typeof value === 'number' && (value | 0) === value) return value;
      break;
    case 'int64':
      if (isInt64(value)) return value;
      break;
    case 'boolean':
      if (typeof value === 'boolean') return value;
      break;
    case 'enum':
      if ((typeof value === 'string' && value !== '') || (typeof value === 'number' && (value | 0) === value)) return value;
      break;
  }
  throw invalidValue(context, field.typeLabel, value, Array.isArray(value) ? 'not a repeated field' : undefined);
}

function isInt64(value: unknown): boolean {
  if (typeof value === 'number') return Number.isInteger(value) && Math.abs(value) <= 2 ** 63;
  if (typeof value !== 'string' || !INT64_PATTERN.test(value)) return false;
  if (value.length < 19) return true;
  const big = BigInt(value);
  return big >= INT64_MIN && big <= INT64_MAX;
}

function renderPath(context: WalkContext): string {
  let path = context.root;
  for (const segment of context.segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else path += path === '' ? segment : `.${segment}`;
  }
  return path;
}

const joinPath = (parent: string, key: string): string => (parent === '' ? key : `${parent}.${key}`);

const atPath = (path: string): string => (path === '' ? '' : ` at '${path}'`);

/** A short rendering of an offending value for messages; never the whole of a large one. */
function renderValue(value: unknown): string {
  if (typeof value === 'string') {
    return value.length > LONGEST_VALUE_SHOWN ? `${JSON.stringify(value.slice(0, LONGEST_VALUE_SHOWN))}...` : JSON.stringify(value);
  }
  if (Array.isArray(value)) return value.length === 0 ? '[]' : '[...]';
  if (typeof value === 'object' && value !== null) return Object.keys(value).length === 0 ? '{}' : '{...}';
  return String(value);
}

function unknownName(context: WalkContext, key: string): WireSchemaError {
  const parent = renderPath(context);
  return new WireSchemaError(
    joinPath(parent, key),
    'unknown field',
    `Invalid JSON payload received. Unknown name "${key}"${atPath(parent)}: Cannot find field.`,
  );
}

function duplicateField(context: WalkContext, key: string, field: CompiledField): WireSchemaError {
  const parent = renderPath(context);
  return new WireSchemaError(
    joinPath(parent, key),
    'duplicate field',
    `Invalid JSON payload received. Field "${field.protoName}"${atPath(parent)} is given twice, as "${field.name}" and as "${field.protoName}".`,
  );
}

function invalidValue(context: WalkContext, typeLabel: string, value: unknown, hint?: string): WireSchemaError {
  const path = renderPath(context);
  const where = path === '' ? 'Invalid value' : `Invalid value at '${path}'`;
  return new WireSchemaError(
    path,
    'invalid value',
    `${where} (${typeLabel}), ${renderValue(value)}${hint === undefined ? '' : `: ${hint}`}`,
  );
}
