/**
 * The Gemini wire shapes batchmode reads and writes (lowerCamelCase, as proto3 JSON writes
 * them). Only what the code touches is spelled out; the rest rides along as unknown fields.
 */

export interface Part {
  text?: string;
  inlineData?: { mimeType?: string; data?: string };
  fileData?: { mimeType?: string; fileUri?: string };
  functionCall?: { id?: string; name?: string; args?: Record<string, unknown> };
  functionResponse?: { id?: string; name?: string; response?: Record<string, unknown> };
  thought?: boolean;
  [field: string]: unknown;
}

export interface Content {
  role?: string;
  parts?: Part[];
}

export interface FunctionDeclaration {
  name?: string;
  description?: string;
  parameters?: Schema;
  parametersJsonSchema?: unknown;
  [field: string]: unknown;
}

export interface Tool {
  functionDeclarations?: FunctionDeclaration[];
  [field: string]: unknown;
}

/** OpenAPI-style schema used by responseSchema and function parameters (types in either case). */
export interface Schema {
  type?: string;
  format?: string;
  description?: string;
  enum?: string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  minItems?: number | string;
  maxItems?: number | string;
  nullable?: boolean;
  anyOf?: Schema[];
  [field: string]: unknown;
}

export interface GenerationConfig {
  stopSequences?: string[];
  responseMimeType?: string;
  responseSchema?: Schema;
  responseJsonSchema?: unknown;
  candidateCount?: number;
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  thinkingConfig?: { includeThoughts?: boolean; thinkingBudget?: number; thinkingLevel?: string };
  [field: string]: unknown;
}

export interface GenerateContentRequest {
  model?: string;
  contents: Content[];
  systemInstruction?: Content;
  tools?: Tool[];
  toolConfig?: { functionCallingConfig?: { mode?: string; allowedFunctionNames?: string[] } };
  safetySettings?: unknown[];
  generationConfig?: GenerationConfig;
  cachedContent?: string;
  labels?: Record<string, string>;
  [field: string]: unknown;
}

export interface Candidate {
  content?: Content;
  finishReason?: string;
  index?: number;
  [field: string]: unknown;
}

export interface UsageMetadata {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  totalTokenCount?: number;
  thoughtsTokenCount?: number;
  cachedContentTokenCount?: number;
  promptTokensDetails?: { modality: string; tokenCount: number }[];
  [field: string]: unknown;
}

export interface GenerateContentResponse {
  candidates?: Candidate[];
  usageMetadata?: UsageMetadata;
  modelVersion?: string;
  responseId?: string;
  promptFeedback?: unknown;
  [field: string]: unknown;
}

export interface EmbedContentRequest {
  model?: string;
  content: Content;
  taskType?: string;
  title?: string;
  outputDimensionality?: number;
  [field: string]: unknown;
}

export interface EmbedContentResponse {
  embedding: { values: number[] };
  [field: string]: unknown;
}

/** google.rpc.Status as it appears inside results (gRPC numeric codes). */
export interface RpcStatus {
  code: number;
  message: string;
  status?: string;
  details?: unknown[];
}
