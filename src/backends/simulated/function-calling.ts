/**
 * When the simulated model calls a function: never with mode NONE or right after a function
 * response (it answers in text then); always with mode ANY (among `allowedFunctionNames`); with
 * AUTO when the last user text names a declared function ("get weather" names `get_weather`).
 */
import type { Content, FunctionDeclaration, GenerateContentRequest } from '../../core/gemini-types.js';
import type { Random } from './seeded-random.js';
import { generateSchemaValue } from './schema-value.js';

/** A declaration that has a name, i.e. one the model can call. */
export type CallableDeclaration = FunctionDeclaration & { name: string };

/** A function response part the client sent back. */
export interface ReturnedFunction {
  name: string;
  response: unknown;
}

/** The functions the request lets the model call now; empty when it must answer in text. */
export function callableFunctions(request: GenerateContentRequest): CallableDeclaration[] {
  const config = request.toolConfig?.functionCallingConfig;
  if (config?.mode?.toUpperCase() === 'NONE') return [];
  const declarations: CallableDeclaration[] = [];
  for (const tool of request.tools ?? []) {
    for (const declaration of tool.functionDeclarations ?? []) {
      if (typeof declaration.name === 'string' && declaration.name !== '') declarations.push({ ...declaration, name: declaration.name });
    }
  }
  return declarations;
}

/** The function to call for this prompt, or `undefined` to answer in text. */
export function chooseFunction(
  request: GenerateContentRequest,
  declarations: readonly CallableDeclaration[],
  userText: string,
  random: Random,
): CallableDeclaration | undefined {
  if (declarations.length === 0) return undefined;
  const config = request.toolConfig?.functionCallingConfig;
  const mentioned = declarations.find((declaration) => mentionsName(userText, declaration.name));
  if (config?.mode?.toUpperCase() !== 'ANY') return mentioned;
  const allowed = config.allowedFunctionNames ?? [];
  const eligible = allowed.length === 0 ? declarations : declarations.filter((declaration) => allowed.includes(declaration.name));
  const pool = eligible.length === 0 ? declarations : eligible;
  return pool.find((declaration) => declaration === mentioned) ?? random.pick(pool);
}

/** Arguments that fit the declaration's `parameters` or `parametersJsonSchema`. */
export function generateFunctionArgs(declaration: FunctionDeclaration, random: Random): Record<string, unknown> {
  const schema = declaration.parameters ?? declaration.parametersJsonSchema;
  if (schema === undefined) return {};
  const args = generateSchemaValue(schema, random);
  return typeof args === 'object' && args !== null && !Array.isArray(args) ? (args as Record<string, unknown>) : {};
}

/** The function responses in the last content; empty unless the client just answered a call. */
export function returnedFunctions(contents: readonly Content[]): ReturnedFunction[] {
  const returned: ReturnedFunction[] = [];
  for (const part of contents.at(-1)?.parts ?? []) {
    if (part.functionResponse !== undefined) {
      returned.push({ name: part.functionResponse.name ?? 'function', response: part.functionResponse.response });
    }
  }
  return returned;
}

/** One sentence per function response: `The get_weather function returned temperature: 21, unit: "C".` */
export function summarizeFunctionResults(returned: readonly ReturnedFunction[]): string {
  return returned.map(({ name, response }) => `The ${name} function returned ${describe(unwrap(response))}.`).join(' ');
}

/** Whether `text` names `name` as a whole word, ignoring case, with `_`, `-` or camel case read as spaces. */
export function mentionsName(text: string, name: string): boolean {
  const normalize = (value: string): string =>
    value.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_\-\s]+/g, ' ').toLowerCase();
  const haystack = ` ${normalize(text).replace(/[^a-z0-9 ]+/g, ' ')} `;
  const needle = normalize(name).trim();
  return needle !== '' && haystack.includes(` ${needle} `);
}

/** `{result: {...}}` and `{output: {...}}` wrappers hide the interesting part; look inside. */
function unwrap(response: unknown): unknown {
  if (typeof response !== 'object' || response === null || Array.isArray(response)) return response;
  const entries = Object.entries(response);
  return entries.length === 1 && entries[0] !== undefined ? entries[0][1] : response;
}

function describe(value: unknown): string {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return 'no data';
    const shown = entries.slice(0, 4).map(([key, entry]) => `${key}: ${describeLeaf(entry)}`).join(', ');
    return entries.length > 4 ? `${shown}, and ${entries.length - 4} more fields` : shown;
  }
  return describeLeaf(value);
}

function describeLeaf(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return `${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'object' && value !== null) return '{…}';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value === null ? 'null' : 'nothing';
}
