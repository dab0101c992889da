/**
 * A tiny router over regular expressions. Gemini paths put verbs after a colon
 * (`/v1beta/files/{id}:download`, `/v1beta/models/{m}:batchGenerateContent`), which the usual
 * path-segment routers handle poorly; explicit patterns with named groups say exactly what
 * matches.
 */
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
    for (const [name, value] of Object.entries(match.groups ?? {})) params[name] = decodeURIComponent(value);
    return { kind: 'found', route, params };
  }
  return allowed.length > 0 ? { kind: 'method-not-allowed', allowed } : { kind: 'not-found' };
}
