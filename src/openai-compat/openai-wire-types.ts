/**
 * The OpenAI chat-completions and embeddings wire shapes, typed with the `openai` package's
 * declarations (types only: the client itself is never loaded). Shared by both directions: the
 * OpenAI-compatible backend (backends/openai/) sends requests and reads answers in these shapes,
 * and the OpenAI-compatible surface (this folder) reads requests and writes answers in them.
 * Non-standard fields that OpenAI-compatible servers accept or add are spelled out here, in one
 * place.
 */
import type {
  ChatCompletion,
  ChatCompletionTokenLogprob,
  ChatCompletionChunk,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
  ChatCompletionMessage,
} from 'openai/resources/chat/completions';

/** `top_k` is not OpenAI's, but vLLM, SGLang, llama.cpp and Ollama accept it. */
interface SamplingExtensions {
  top_k?: number;
}

/** The body of a non-streaming `POST /chat/completions`. */
export type ChatRequestBody = ChatCompletionCreateParamsNonStreaming & SamplingExtensions;

/** The body of a streaming `POST /chat/completions`. */
export type ChatStreamRequestBody = ChatCompletionCreateParamsStreaming & SamplingExtensions;

/** Reasoning text some servers add beside the answer (vLLM, SGLang, DeepSeek: `reasoning_content`; Ollama, newer vLLM: `reasoning`). */
export interface ReasoningExtensions {
  reasoning_content?: string | null;
  reasoning?: string | null;
}

/** An assistant message as OpenAI-compatible servers return it. */
export type ChatResponseMessage = ChatCompletionMessage & ReasoningExtensions;

/** One choice of a chat completion, with the servers' extensions. */
export type ChatResponseChoice = Omit<ChatCompletion.Choice, 'message' | 'finish_reason'> & {
  message: ChatResponseMessage;
  /** OpenAI's five values, or whatever else a server says (`abort`, `error`, null…). */
  finish_reason: ChatCompletion.Choice['finish_reason'] | (string & {}) | null;
};

/** A chat completion as OpenAI-compatible servers return it. */
export type ChatResponse = Omit<ChatCompletion, 'choices'> & { choices: ChatResponseChoice[] };

/** A streamed delta, with the servers' reasoning extensions. */
export type ChatChunkDelta = ChatCompletionChunk.Choice.Delta & ReasoningExtensions;

/** One streamed choice. */
export type ChatChunkChoice = Omit<ChatCompletionChunk.Choice, 'delta' | 'finish_reason'> & {
  delta: ChatChunkDelta;
  finish_reason: ChatCompletionChunk.Choice['finish_reason'] | (string & {});
};

/** One `data:` payload of a streamed chat completion (vLLM may also send `{error}` mid-stream). */
export type ChatChunk = Omit<ChatCompletionChunk, 'choices'> & { choices: ChatChunkChoice[] };

export type { ChatCompletion, ChatCompletionChunk, ChatCompletionTokenLogprob };
