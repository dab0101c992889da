/**
 * The Gemini request messages batchmode accepts, as a table: message type → field (lowerCamelCase
 * json_name) → kind. `normalizeMessage` walks a request against it; every field is also
 * accepted under its proto (snake_case) name.
 *
 * Kinds: a scalar, a message type name (PascalCase), `free` (any JSON value, copied untouched:
 * Struct, schema and map fields, and fields whose shape moves too fast to pin down), and any
 * of those with `[]` for a repeated field. Fields the JS SDK 2.32 sends to the Gemini API are all
 * here; fields it rejects as Vertex-only are not, as the real API rejects them too.
 */

/** The message types of the table. */
export const MESSAGE_TYPE_NAMES = [
  'GenerateContentRequest',
  'EmbedContentRequest',
  'Content',
  'Part',
  'Blob',
  'FileData',
  'FunctionCall',
  'FunctionResponse',
  'ExecutableCode',
  'CodeExecutionResult',
  'VideoMetadata',
  'Tool',
  'FunctionDeclaration',
  'ToolConfig',
  'FunctionCallingConfig',
  'SafetySetting',
  'GenerationConfig',
  'ThinkingConfig',
] as const;

/** A message type the validator knows. */
export type MessageTypeName = (typeof MESSAGE_TYPE_NAMES)[number];

/**
 * Scalar kinds: `integer` is int32 (a JSON integer in range); `int64` is an integer or a string
 * of decimal digits (proto3 JSON writes int64 as a string); `bytes` is a base64 string (not
 * decoded here); `enum` is a value name or its number.
 */
export type ScalarKind = 'string' | 'bytes' | 'number' | 'integer' | 'boolean' | 'int64' | 'enum';

/** What one field holds, before the optional `[]` of a repeated field. */
export type FieldKind = ScalarKind | 'free' | MessageTypeName;

/** One field's entry in the table: its kind, with `[]` appended when repeated. */
export type FieldSpec = FieldKind | `${FieldKind}[]`;

/** The fields of one message type, keyed by lowerCamelCase name. */
export type MessageFields = Readonly<Record<string, FieldSpec>>;

/** Every known request message type with its fields. */
export const MESSAGE_TABLE: Readonly<Record<MessageTypeName, MessageFields>> = {
  GenerateContentRequest: {
    model: 'string',
    contents: 'Content[]',
    systemInstruction: 'Content',
    tools: 'Tool[]',
    toolConfig: 'ToolConfig',
    safetySettings: 'SafetySetting[]',
    generationConfig: 'GenerationConfig',
    cachedContent: 'string',
    labels: 'free',
    serviceTier: 'enum',
    store: 'boolean',
    continuationToken: 'free',
  },
  EmbedContentRequest: {
    model: 'string',
    content: 'Content',
    taskType: 'enum',
    title: 'string',
    outputDimensionality: 'integer',
  },
  Content: {
    role: 'string',
    parts: 'Part[]',
  },
  Part: {
    text: 'string',
    inlineData: 'Blob',
    fileData: 'FileData',
    functionCall: 'FunctionCall',
    functionResponse: 'FunctionResponse',
    executableCode: 'ExecutableCode',
    codeExecutionResult: 'CodeExecutionResult',
    thought: 'boolean',
    thoughtSignature: 'bytes',
    videoMetadata: 'VideoMetadata',
    mediaResolution: 'free',
    partMetadata: 'free',
    toolCall: 'free',
    toolResponse: 'free',
    audioTranscription: 'free',
    mediaProcessing: 'free',
    speechMetadata: 'free',
  },
  Blob: {
    mimeType: 'string',
    data: 'bytes',
    displayName: 'string',
  },
  FileData: {
    mimeType: 'string',
    fileUri: 'string',
    displayName: 'string',
  },
  FunctionCall: {
    id: 'string',
    name: 'string',
    args: 'free',
  },
  FunctionResponse: {
    id: 'string',
    name: 'string',
    response: 'free',
    willContinue: 'boolean',
    scheduling: 'enum',
    parts: 'free[]',
  },
  ExecutableCode: {
    id: 'string',
    language: 'enum',
    code: 'string',
  },
  CodeExecutionResult: {
    id: 'string',
    outcome: 'enum',
    output: 'string',
  },
  VideoMetadata: {
    startOffset: 'string',
    endOffset: 'string',
    fps: 'number',
  },
  Tool: {
    functionDeclarations: 'FunctionDeclaration[]',
    googleSearchRetrieval: 'free',
    codeExecution: 'free',
    googleSearch: 'free',
    urlContext: 'free',
    fileSearch: 'free',
    computerUse: 'free',
    googleMaps: 'free',
    mcpServers: 'free',
  },
  FunctionDeclaration: {
    name: 'string',
    description: 'string',
    behavior: 'enum',
    parameters: 'free',
    parametersJsonSchema: 'free',
    response: 'free',
    responseJsonSchema: 'free',
  },
  ToolConfig: {
    functionCallingConfig: 'FunctionCallingConfig',
    retrievalConfig: 'free',
    includeServerSideToolInvocations: 'boolean',
  },
  FunctionCallingConfig: {
    mode: 'enum',
    allowedFunctionNames: 'string[]',
  },
  SafetySetting: {
    category: 'enum',
    threshold: 'enum',
    method: 'enum',
  },
  GenerationConfig: {
    stopSequences: 'string[]',
    responseMimeType: 'string',
    responseSchema: 'free',
    responseJsonSchema: 'free',
    _responseJsonSchema: 'free',
    responseModalities: 'enum[]',
    candidateCount: 'integer',
    maxOutputTokens: 'integer',
    temperature: 'number',
    topP: 'number',
    topK: 'integer',
    seed: 'integer',
    presencePenalty: 'number',
    frequencyPenalty: 'number',
    responseLogprobs: 'boolean',
    logprobs: 'integer',
    enableEnhancedCivicAnswers: 'boolean',
    speechConfig: 'free',
    thinkingConfig: 'ThinkingConfig',
    imageConfig: 'free',
    mediaResolution: 'enum',
    audioTranscriptionConfig: 'free',
  },
  ThinkingConfig: {
    includeThoughts: 'boolean',
    thinkingBudget: 'integer',
    thinkingLevel: 'enum',
  },
};
