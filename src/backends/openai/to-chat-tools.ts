/**
 * Gemini `tools` + `toolConfig` → chat `tools` + `tool_choice`.
 *
 * Only `functionDeclarations` can run on an OpenAI-compatible server: the function runs on the
 * client, the server only decides to call it. googleSearch, googleSearchRetrieval and
 * urlContext are run by batchmode itself before the call reaches this backend
 * (backends/builtin-tools/, which removes them from the request); every other Gemini tool
 * (codeExecution, fileSearch, googleMaps, computerUse, mcpServers, …) needs Google's servers, so a
 * request naming one (or a built-in tool, when this backend is used without that decorator) fails
 * with INVALID_ARGUMENT.
 *
 * Function calling modes: AUTO → `auto`, NONE → `none`, ANY → `required`, VALIDATED → `auto`.
 * With ANY, `allowedFunctionNames` narrows the tools sent to those functions, and a single
 * allowed function is named in `tool_choice` (`allowed_tools` is OpenAI-only; narrowing the
 * list means the same everywhere). A declaration without parameters is sent with an empty
 * object schema, which servers that require `parameters` accept too.
 */
import type { ChatCompletionFunctionTool, ChatCompletionToolChoiceOption } from 'openai/resources/chat/completions';
import type { FunctionDeclaration, GenerateContentRequest, Schema } from '../../core/gemini-types.js';
import { invalidRequest, unsupportedFeature } from './invalid-request.js';
import { toJsonSchema } from './to-json-schema.js';

/** The tool fields of a chat request (both absent when the request declares no functions). */
export interface ChatTools {
  tools?: ChatCompletionFunctionTool[];
  tool_choice?: ChatCompletionToolChoiceOption;
}

const EMPTY_PARAMETERS = { type: 'object', properties: {} } as const;

/** The chat tools for `request`. Throws INVALID_ARGUMENT for tools other than function declarations. */
export function toChatTools(request: GenerateContentRequest, serverLabel: string): ChatTools {
  if (request.tools === undefined || request.tools.length === 0) return {};
  const declarations: FunctionDeclaration[] = [];
  request.tools.forEach((tool, index) => {
    for (const [field, value] of Object.entries(tool)) {
      if (value === undefined || value === null) continue;
      if (field !== 'functionDeclarations') throw unsupportedFeature(field, serverLabel);
      if (!Array.isArray(value)) throw invalidRequest(`tools[${index}].functionDeclarations must be a list`);
    }
    declarations.push(...(tool.functionDeclarations ?? []));
  });
  if (declarations.length === 0) return {};
  let tools = declarations.map(toFunctionTool);
  const config = request.toolConfig?.functionCallingConfig;
  const mode = config?.mode?.toUpperCase();
  if (mode === 'NONE') return { tools, tool_choice: 'none' };
  if (mode !== 'ANY') return { tools, ...(mode === 'AUTO' || mode === 'VALIDATED' ? { tool_choice: 'auto' as const } : {}) };
  const allowed = config?.allowedFunctionNames ?? [];
  if (allowed.length === 0) return { tools, tool_choice: 'required' };
  const declared = new Set(tools.map((tool) => tool.function.name));
  const unknown = allowed.find((name) => !declared.has(name));
  if (unknown !== undefined) throw invalidRequest(`toolConfig.functionCallingConfig.allowedFunctionNames names '${unknown}', which no functionDeclaration declares`);
  tools = tools.filter((tool) => allowed.includes(tool.function.name));
  const only = allowed.length === 1 ? allowed[0] : undefined;
  return { tools, tool_choice: only === undefined ? 'required' : { type: 'function', function: { name: only } } };
}

function toFunctionTool(declaration: FunctionDeclaration, index: number): ChatCompletionFunctionTool {
  if (declaration.name === undefined || declaration.name === '') throw invalidRequest(`functionDeclarations[${index}].name is required`);
  const parameters = parametersOf(declaration);
  return {
    type: 'function',
    function: {
      name: declaration.name,
      ...(declaration.description === undefined ? {} : { description: declaration.description }),
      parameters,
    },
  };
}

function parametersOf(declaration: FunctionDeclaration): Record<string, unknown> {
  const jsonSchema = declaration.parametersJsonSchema;
  if (typeof jsonSchema === 'object' && jsonSchema !== null && !Array.isArray(jsonSchema)) return jsonSchema as Record<string, unknown>;
  const schema: Schema | undefined = declaration.parameters;
  return schema === undefined ? { ...EMPTY_PARAMETERS } : toJsonSchema(schema);
}
