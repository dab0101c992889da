/**
 * The human-readable message in an OpenAI-compatible server's error body. Shapes seen in the
 * wild: OpenAI and newer vLLM `{error:{message,type,code}}`; older vLLM and SGLang
 * `{object:'error', message, type, code}`; llama.cpp `{error:{code,message,type}}`; Ollama
 * `{error:'text'}`; FastAPI validation `{detail:[{loc,msg}]}` or `{detail:'text'}`; anything
 * else is shown as raw text, clipped.
 */

const LONGEST_MESSAGE = 1000;

/** The message in `body` (already parsed JSON, or raw text). */
export function upstreamErrorMessage(body: unknown): string {
  const message = findMessage(body) ?? (typeof body === 'string' ? body : JSON.stringify(body) ?? '');
  const trimmed = message.trim();
  return trimmed.length > LONGEST_MESSAGE ? `${trimmed.slice(0, LONGEST_MESSAGE)}…` : trimmed;
}

/** The message in an error body's text: JSON when it parses, raw text otherwise. */
export function upstreamErrorMessageOfText(text: string): string {
  try {
    return upstreamErrorMessage(JSON.parse(text));
  } catch {
    return upstreamErrorMessage(text);
  }
}

function findMessage(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  const { error, detail, message } = record;
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null) {
    const nested = (error as Record<string, unknown>).message;
    if (typeof nested === 'string') return nested;
  }
  if (typeof message === 'string') return message;
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) {
    return detail
      .map((item: unknown) => {
        if (typeof item !== 'object' || item === null) return String(item);
        const { loc, msg } = item as Record<string, unknown>;
        return `${Array.isArray(loc) ? loc.join('.') + ': ' : ''}${typeof msg === 'string' ? msg : JSON.stringify(item)}`;
      })
      .join('; ');
  }
  return undefined;
}
