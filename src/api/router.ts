/**
 * A tiny router over regular expressions. Gemini paths put verbs after a colon
 * (`/v1beta/files/{id}:download`, `/v1beta/models/{m}:batchGenerateContent`), which the usual
 * path-segment routers handle poorly; explicit patterns with named groups say exactly what
 * matches.
 *
 * Path parameters are percent-decoded here; a bad escape (`%E0%A4%A`) or a control character
 * once decoded (`%00`) is the client's mistake: 400 naming the parameter, never a URIError.
 *
 * Two surfaces share the server: the native Gemini API and the OpenAI-compatible one (routes
 * with `surface: 'openai'`, under `/v1beta/openai/` and `/v1/`). OpenAI routes are tried first.
 * On the `/v1/` root a path both surfaces serve (files, batches, models…) is OpenAI's only for
 * a request that looks like one (`Authorization: Bearer`, and neither `x-goog-api-key` nor
 * `?key=`); paths only OpenAI's API has are OpenAI's whatever the credentials.
 */
import { invalidArgument } from '../core/errors.js';
import type { RouteContext } from './http.js';

export type Handler = (context: RouteContext) => Promise<void>;

export interface Route {
  methods: readonly string[];
  /** Anchored pattern over the path (without query); named groups become `params`. */
  pattern: RegExp;
  handler: Handler;
  /** Health checks and upload chunks (authorised by their upload id) need no API key. */
  isPublic?: boolean;
  /** OpenAI's wire format: Bearer keys, OpenAI-shaped errors (see app.ts). Native routes leave it unset. */
  surface?: 'openai';
  /** Its name in metrics and logs (`/v1beta/batches/{batchId}`); derived from `pattern` when unset (route-template.ts). */
  template?: string;
}

export type Surface = 'openai' | undefined;

export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allowed: string[]; surface?: 'openai' }
  | { kind: 'not-found'; surface?: 'openai' };

export interface MatchOptions {
  /** The request carries `Authorization: Bearer` and no Gemini key (`x-goog-api-key`, `?key=`). */
  openAIRequest?: boolean;
}

/** The OpenAI surface's roots: Google's `/v1beta/openai/` and the plain OpenAI `/v1/`. */
const OPENAI_ROOT = /^\/v1beta\/openai(?:\/|$)/;
const V1_ROOT = /^\/v1(?:\/|$)/;

/** The surface whose error shape a path answers in when no route decides it. */
export function surfaceOfPath(path: string, options: MatchOptions = {}): Surface {
  return OPENAI_ROOT.test(path) || (options.openAIRequest === true && V1_ROOT.test(path)) ? 'openai' : undefined;
}

export function matchRoute(routes: readonly Route[], method: string, path: string, options: MatchOptions = {}): RouteMatch {
  const openAI = routes.filter((route) => route.surface === 'openai');
  const native = routes.filter((route) => route.surface !== 'openai');
  // A path both surfaces serve on the /v1/ root is OpenAI's only for an OpenAI-looking request.
  const yieldsToNative = V1_ROOT.test(path) && !options.openAIRequest && native.some((route) => route.pattern.test(path));
  const candidates = yieldsToNative ? native : [...openAI, ...native];
  const allowed: string[] = [];
  let surface: Surface;
  let matchedPath = false;
  for (const route of candidates) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    if (!matchedPath) surface = route.surface;
    matchedPath = true;
    if (!route.methods.includes(method)) {
      allowed.push(...route.methods);
      continue;
    }
    const params: Record<string, string> = {};
    for (const [name, value] of Object.entries(match.groups ?? {})) params[name] = decodeParam(name, value);
    return { kind: 'found', route, params };
  }
  if (allowed.length > 0) return { kind: 'method-not-allowed', allowed, ...(surface ? { surface } : {}) };
  const fallback = surfaceOfPath(path, options);
  return { kind: 'not-found', ...(fallback ? { surface: fallback } : {}) };
}

/** C0 controls and DEL: never part of a name, and PostgreSQL refuses NUL in text. */
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

function decodeParam(name: string, raw: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw invalidArgument(`Invalid percent-encoding in the path parameter '${name}': '${shorten(raw)}'.`);
  }
  if (CONTROL_CHARACTER.test(decoded)) {
    throw invalidArgument(`The path parameter '${name}' contains a control character: '${shorten(raw)}'.`);
  }
  return decoded;
}

/** Echoes at most 100 characters of client input in an error message. */
export function shorten(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}
