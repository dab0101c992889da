import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GenerateContentRequest } from '../../core/gemini-types.js';
import { generateSchemaValue } from './schema-value.js';
import { createRandom } from './seeded-random.js';
import { createSimulatedBackend } from './simulated-backend.js';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A tiny validator for the schema subset the generator claims; returns the first problem found. */
function problem(schema: unknown, value: unknown, root: unknown = schema, path = '$'): string | undefined {
  if (!isObject(schema)) return undefined;
  if (typeof schema.$ref === 'string') {
    const target = schema.$ref.slice(2).split('/').reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), root);
    return problem(target, value, root, path);
  }
  if ('const' in schema && JSON.stringify(schema.const) !== JSON.stringify(value)) return `${path}: not the const`;
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) return `${path}: ${JSON.stringify(value)} not in enum`;
  const branches = (schema.anyOf ?? schema.oneOf) as unknown[] | undefined;
  if (branches !== undefined && branches.every((branch) => problem(branch, value, root, path) !== undefined)) return `${path}: no branch fits`;
  if (value === null && (schema.nullable === true || (Array.isArray(schema.type) && schema.type.includes('null')))) return undefined;
  const types = (Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type]).map((type) => String(type).toLowerCase());
  const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
  if (types.length > 0 && !types.includes(actual) && !(actual === 'integer' && types.includes('number'))) return `${path}: ${actual} is not ${types.join('|')}`;
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) return `${path}: below minimum`;
    if (typeof schema.maximum === 'number' && value > schema.maximum) return `${path}: above maximum`;
    if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) return `${path}: not above exclusiveMinimum`;
  }
  if (typeof value === 'string') {
    if (schema.format === 'date-time' && !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(value)) return `${path}: not a date-time`;
    if (schema.format === 'date' && !/^\d{4}-\d\d-\d\d$/.test(value)) return `${path}: not a date`;
    if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) return `${path}: too long`;
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < Number(schema.minItems)) return `${path}: fewer than minItems`;
    if (schema.maxItems !== undefined && value.length > Number(schema.maxItems)) return `${path}: more than maxItems`;
    if (schema.uniqueItems === true && new Set(value.map((item) => JSON.stringify(item))).size !== value.length) return `${path}: duplicates`;
    for (const [index, item] of value.entries()) {
      const found = problem(schema.items, item, root, `${path}[${index}]`);
      if (found !== undefined) return found;
    }
  }
  if (isObject(value)) {
    const properties = isObject(schema.properties) ? schema.properties : {};
    for (const key of (schema.required as string[] | undefined) ?? []) if (!(key in value)) return `${path}.${key}: required but missing`;
    for (const [key, item] of Object.entries(value)) {
      if (!(key in properties) && schema.additionalProperties === false) return `${path}.${key}: not allowed`;
      const found = problem(properties[key], item, root, `${path}.${key}`);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

const bookSchema = {
  type: 'OBJECT',
  properties: {
    title: { type: 'STRING' },
    tags: { type: 'ARRAY', items: { type: 'STRING', format: 'enum', enum: ['fiction', 'history', 'science', 'poetry'] }, minItems: '2', maxItems: '2' },
    author: { type: 'OBJECT', properties: { name: { type: 'STRING' }, email: { type: 'STRING' } }, required: ['name', 'email'] },
    published: { type: 'STRING', format: 'date-time' },
    firstPrinting: { type: 'STRING', format: 'date' },
    pages: { type: 'INTEGER' },
    rating: { type: 'NUMBER' },
    inPrint: { type: 'BOOLEAN' },
    isbn: { type: 'STRING', nullable: true },
    edition: { anyOf: [{ type: 'INTEGER' }, { type: 'STRING' }] },
  },
  required: ['title', 'tags', 'author', 'published', 'pages', 'inPrint'],
  propertyOrdering: ['title', 'author'],
};

const inventorySchema = {
  type: 'object',
  properties: {
    id: { type: 'integer', minimum: 10, maximum: 12 },
    score: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
    kind: { const: 'inventory' },
    labels: { type: 'array', items: { enum: ['a', 'b', 'c'] }, minItems: 1, maxItems: 2, uniqueItems: true },
    note: { type: ['string', 'null'], maxLength: 12 },
    choice: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
    root: { $ref: '#/$defs/node' },
    many: { type: 'array', items: { type: 'boolean' }, minItems: 5 },
  },
  required: ['id', 'score', 'kind', 'labels', 'root', 'many'],
  additionalProperties: false,
  $defs: {
    node: {
      type: 'object',
      properties: { value: { type: 'string' }, children: { type: 'array', items: { $ref: '#/$defs/node' } } },
      required: ['value', 'children'],
    },
  },
};

test('the checker used below rejects values that break a schema', () => {
  assert.equal(problem(bookSchema, { title: 'x' }), '$.tags: required but missing');
  assert.match(problem(inventorySchema.properties.labels, ['a', 'a']) ?? '', /duplicates/);
  assert.match(problem(inventorySchema.properties.id, 13) ?? '', /above maximum/);
  assert.match(problem(bookSchema.properties.tags, ['fiction', 'drama']) ?? '', /not in enum/);
});

test('generated values validate against OpenAPI and JSON Schema schemas for many seeds', () => {
  for (let seed = 0; seed < 300; seed++) {
    for (const schema of [bookSchema, inventorySchema]) {
      const value = generateSchemaValue(schema, createRandom(seed));
      assert.equal(problem(schema, value), undefined, `seed ${seed}: ${JSON.stringify(value)}`);
    }
  }
  const book = generateSchemaValue(bookSchema, createRandom(1)) as Json;
  assert.deepEqual(Object.keys(book).slice(0, 3), ['title', 'author', 'tags']);
  assert.match((book.author as Json).email as string, /^[a-z]+\.[a-z]+@example\.com$/);
});

const backend = createSimulatedBackend();
const jsonText = async (generationConfig: GenerateContentRequest['generationConfig']): Promise<string> => {
  const request = { contents: [{ role: 'user', parts: [{ text: 'Give me data' }] }], generationConfig };
  const response = await backend.generateContent(request, { model: 'gemini-2.5-flash', signal: new AbortController().signal });
  return response.candidates?.[0]?.content?.parts?.[0]?.text ?? '';
};

test('JSON mode answers valid JSON for responseSchema and responseJsonSchema, untruncated', async () => {
  const book: unknown = JSON.parse(await jsonText({ responseMimeType: 'application/json', responseSchema: bookSchema, maxOutputTokens: 3 }));
  assert.equal(problem(bookSchema, book), undefined);
  const inventory: unknown = JSON.parse(await jsonText({ responseMimeType: 'application/json', responseJsonSchema: inventorySchema }));
  assert.equal(problem(inventorySchema, inventory), undefined);
  const list: unknown = JSON.parse(await jsonText({ responseMimeType: 'application/json', responseSchema: { type: 'ARRAY', items: { type: 'OBJECT', properties: { n: { type: 'INTEGER' } }, required: ['n'] }, minItems: 4 } }));
  assert.ok(Array.isArray(list) && list.length >= 4 && list.every((item) => Number.isInteger((item as Json).n)));
  const free: unknown = JSON.parse(await jsonText({ responseMimeType: 'application/json' }));
  assert.ok(isObject(free) && typeof free.answer === 'string' && free.answer.length > 0);
});

test('text/x.enum answers one enum value as plain text', async () => {
  const values = ['positive', 'negative', 'neutral'];
  const text = await jsonText({ responseMimeType: 'text/x.enum', responseSchema: { type: 'STRING', format: 'enum', enum: values } });
  assert.ok(values.includes(text), text);
});
