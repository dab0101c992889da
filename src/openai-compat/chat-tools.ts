/**
 * Chat `tools` + `tool_choice` → Gemini `tools` + `toolConfig`.
 *
 * - Function tools `{type: 'function', function: {name, description, parameters}}` become the
 *   functionDeclarations of one Gemini tool, `parameters` (JSON Schema) as parametersJsonSchema.
 *   `strict` is ignored (Gemini has no such switch); other tool types (`custom`) are refused.
 *   The legacy `functions` list reads the same (when neither `tools` nor `tool_choice` is set).
 * - tool_choice (or the legacy `function_call`): `none` → NONE, `auto` → AUTO, `required` → ANY,
 *   `{type: 'function', function: {name}}` → ANY with allowedFunctionNames [name];
 *   `{type: 'allowed_tools', allowed_tools: {mode, tools}}` → ANY with those names for
 *   `required`, and for `auto` AUTO with the declarations narrowed to those named (Gemini allows
 *   allowedFunctionNames with ANY only). A name must be declared; a choice other than none/auto
 *   needs tools.
 */
import type { FunctionDeclaration, GenerateContentRequest } from '../core/gemini-types.js';
import { invalidType, invalidValue, missingParameter, paramPath } from './openai-input-error.js';
import { isRecord, optionalArray, optionalRecord, optionalString, requiredRecord, requiredString } from './read-fields.js';

type ToolFields = Pick<GenerateContentRequest, 'tools' | 'toolConfig'>;

/** The Gemini tool fields for a chat body's `tools`/`tool_choice` (or `functions`/`function_call`). */
export function chatToolsToGemini(body: Record<string, unknown>): ToolFields {
  const isLegacy = isAbsent(body.tools) && isAbsent(body.tool_choice) && (!isAbsent(body.functions) || !isAbsent(body.function_call));
  const listParam = isLegacy ? 'functions' : 'tools';
  const choiceParam = isLegacy ? 'function_call' : 'tool_choice';
  let declarations = isLegacy ? functionsList(body.functions) : toolsList(body.tools);
  const choice = body[choiceParam];
  if (choice === undefined || choice === null) return declarations.length > 0 ? { tools: [{ functionDeclarations: declarations }] } : {};
  const declared = new Set(declarations.map((declaration) => declaration.name));
  const { mode, names, narrow } = readChoice(choice, choiceParam, declared);
  if (declarations.length === 0) {
    if (mode === 'NONE' || mode === 'AUTO') return {};
    throw invalidValue(choiceParam, `'${choiceParam}' is only allowed when '${listParam}' are specified.`);
  }
  if (narrow !== undefined) declarations = declarations.filter((declaration) => narrow.includes(declaration.name ?? ''));
  return {
    tools: [{ functionDeclarations: declarations }],
    toolConfig: { functionCallingConfig: { mode, ...(names === undefined ? {} : { allowedFunctionNames: names }) } },
  };
}

const isAbsent = (value: unknown): boolean => value === undefined || value === null;

function toolsList(value: unknown): FunctionDeclaration[] {
  const tools = optionalArray(value, 'tools') ?? [];
  return tools.map((tool, index) => {
    const where = paramPath('tools', index);
    const record = requiredRecord(tool, where);
    const type = optionalString(record.type, paramPath(where, 'type'));
    if (type === undefined) throw missingParameter(paramPath(where, 'type'));
    if (type !== 'function') throw invalidValue(paramPath(where, 'type'), `only 'function' tools are supported, got '${type}'.`);
    return declarationOf(requiredRecord(record.function, paramPath(where, 'function')), paramPath(where, 'function'));
  });
}

function functionsList(value: unknown): FunctionDeclaration[] {
  const functions = optionalArray(value, 'functions') ?? [];
  return functions.map((fn, index) => declarationOf(requiredRecord(fn, paramPath('functions', index)), paramPath('functions', index)));
}

function declarationOf(fn: Record<string, unknown>, where: string): FunctionDeclaration {
  const declaration: FunctionDeclaration = { name: requiredString(fn.name, paramPath(where, 'name')) };
  const description = optionalString(fn.description, paramPath(where, 'description'));
  if (description !== undefined) declaration.description = description;
  const parameters = optionalRecord(fn.parameters, paramPath(where, 'parameters'));
  if (parameters !== undefined) declaration.parametersJsonSchema = parameters;
  return declaration;
}

interface Choice {
  mode: 'NONE' | 'AUTO' | 'ANY';
  names?: string[];
  /** Declarations to keep (allowed_tools in auto mode). */
  narrow?: string[];
}

function readChoice(choice: unknown, param: string, declared: ReadonlySet<string | undefined>): Choice {
  if (typeof choice === 'string') {
    if (choice === 'none') return { mode: 'NONE' };
    if (choice === 'auto') return { mode: 'AUTO' };
    if (choice === 'required' && param === 'tool_choice') return { mode: 'ANY' };
    throw invalidValue(param, `unsupported value '${choice}'. Supported values are: 'none', 'auto'${param === 'tool_choice' ? ", 'required'" : ''}, or an object naming a function.`);
  }
  if (!isRecord(choice)) throw invalidType(param, 'a string or an object', choice);
  if (param === 'function_call') return { mode: 'ANY', names: [namedFunction(choice.name, paramPath(param, 'name'), declared)] };
  const type = optionalString(choice.type, paramPath(param, 'type'));
  if (type === 'function') {
    const fn = requiredRecord(choice.function, paramPath(param, 'function'));
    return { mode: 'ANY', names: [namedFunction(fn.name, paramPath(param, 'function.name'), declared)] };
  }
  if (type === 'allowed_tools') {
    const where = paramPath(param, 'allowed_tools');
    const allowed = requiredRecord(choice.allowed_tools, where);
    const tools = optionalArray(allowed.tools, paramPath(where, 'tools')) ?? [];
    const names = tools.map((tool, index) => {
      const at = paramPath(paramPath(where, 'tools'), index);
      const fn = requiredRecord(requiredRecord(tool, at).function, paramPath(at, 'function'));
      return namedFunction(fn.name, paramPath(at, 'function.name'), declared);
    });
    if (allowed.mode === 'required') return { mode: 'ANY', names };
    if (allowed.mode === 'auto') return { mode: 'AUTO', narrow: names };
    throw invalidValue(paramPath(where, 'mode'), "expected 'auto' or 'required'.");
  }
  throw invalidValue(paramPath(param, 'type'), "expected 'function' or 'allowed_tools'.");
}

function namedFunction(value: unknown, param: string, declared: ReadonlySet<string | undefined>): string {
  const name = requiredString(value, param);
  if (!declared.has(name)) throw invalidValue(param, `no function named '${name}' is declared in the tools.`);
  return name;
}
