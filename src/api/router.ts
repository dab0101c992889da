/**
 * A tiny router over regular expressions. Gemini paths put verbs after a colon
 * (`/v1beta/files/{id}:download`, `/v1beta/models/{m}:batchGenerateContent`), which the usual
 * path-segment routers handle poorly; explicit patterns with named groups say exactly what
 * matches.
 *
 * Path parameters are percent-decoded here; a bad escape (`%E0%A4%A`) or a control character
 * once decoded (`%00`) is the client's mistake: 400 naming the parameter, never a URIError.
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
}

export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allowed: string[] }
  | { kind: 'not-found' };

export function matchRoute(routes: readonly Route[], method: string, path: string): RouteMatch {
  const allowed: string[] = [];
  for (const route of routes) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    if (!route.methods.includes(method)) {
      allowed.push(...route.methods);
      continue;
    }
    const params: Record<string, string> = {};
    for (const [name, value] of Object.entries(match.groups ?? {})) params[name] = decodeParam(name, value);
    return { kind: 'found', route, params };
  }
  return allowed.length > 0 ? { kind: 'method-not-allowed', allowed } : { kind: 'not-found' };
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
