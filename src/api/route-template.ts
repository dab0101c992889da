/**
 * A route's template: the bounded name of a route for metrics and logs
 * (`/v1beta/batches/{batchId}:cancel`), never a path with ids in it. A route may say its own
 * (`Route.template`); otherwise it is derived once from the route's pattern:
 *
 * - a named group `(?<batchId>…)` becomes `{batchId}`;
 * - an optional group `(?:batches/)?` is left out;
 * - an alternation `(?:v1beta/openai|v1)` is named by its first branch, so a route served under
 *   both OpenAI roots has one template, `/v1beta/openai/…`;
 * - an escaped character is itself; anchors are dropped;
 * - anything else that matches variable text (`.`, a character class, `\d`, an unnamed capture)
 *   becomes `*`, so no request text can reach a template.
 */
import type { Route } from './router.js';

/** The template of requests that matched no route (404, 405, and requests refused before routing). */
export const UNMATCHED_ROUTE = 'unmatched';

const derived = new WeakMap<Route, string>();

export function templateOf(route: Route): string {
  if (route.template !== undefined) return route.template;
  let template = derived.get(route);
  if (template === undefined) {
    template = templateOfPattern(route.pattern);
    derived.set(route, template);
  }
  return template;
}

export function templateOfPattern(pattern: RegExp): string {
  return render(firstBranch(pattern.source.replace(/^\^/, '').replace(/(?<!\\)\$$/, '')));
}

const QUANTIFIER = /^(?:[?*+]|\{\d+(?:,\d*)?\})\??/;
const CLASS_ESCAPES = 'dDwWsSbB';

/** A regular-expression source (no top-level `|`) as a template. */
function render(source: string): string {
  let out = '';
  let i = 0;
  while (i < source.length) {
    const char = source[i]!;
    if (char === '\\') {
      const next = source[i + 1] ?? '';
      i += 2;
      const quantifier = QUANTIFIER.exec(source.slice(i))?.[0] ?? '';
      i += quantifier.length;
      out += CLASS_ESCAPES.includes(next) || quantifier !== '' ? '*' : next;
      continue;
    }
    if (char === '(') {
      const end = closingParen(source, i);
      const body = source.slice(i + 1, end);
      const quantifier = QUANTIFIER.exec(source.slice(end + 1))?.[0] ?? '';
      i = end + 1 + quantifier.length;
      const named = /^\?<([A-Za-z_$][\w$]*)>/.exec(body);
      if (named) out += `{${named[1]}}`;
      else if (body.startsWith('?=') || body.startsWith('?!') || body.startsWith('?<=') || body.startsWith('?<!')) continue;
      else if (!body.startsWith('?:')) out += '*';
      else if (quantifier.startsWith('?') || quantifier.startsWith('*') || quantifier.startsWith('{0')) continue;
      else if (quantifier !== '') out += '*';
      else out += render(firstBranch(body.slice(2)));
      continue;
    }
    if (char === '[') {
      i = closingBracket(source, i) + 1;
      i += QUANTIFIER.exec(source.slice(i))?.[0].length ?? 0;
      out += '*';
      continue;
    }
    if (char === '.') {
      i += 1 + (QUANTIFIER.exec(source.slice(i + 1))?.[0].length ?? 0);
      out += '*';
      continue;
    }
    if ('?*+{'.includes(char) && QUANTIFIER.test(source.slice(i))) {
      // A quantified literal (`s?`): the previous character is variable.
      i += QUANTIFIER.exec(source.slice(i))![0].length;
      out = `${out.slice(0, -1)}*`;
      continue;
    }
    out += char;
    i += 1;
  }
  return out;
}

/** The source up to its first top-level `|`. */
function firstBranch(source: string): string {
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    const char = source[i];
    if (char === '\\') i += 1;
    else if (char === '[') i = closingBracket(source, i);
    else if (char === '(') depth += 1;
    else if (char === ')') depth -= 1;
    else if (char === '|' && depth === 0) return source.slice(0, i);
  }
  return source;
}

/** The index of the `)` closing the group opened at `open`. */
function closingParen(source: string, open: number): number {
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    const char = source[i];
    if (char === '\\') i += 1;
    else if (char === '[') i = closingBracket(source, i);
    else if (char === '(') depth += 1;
    else if (char === ')' && --depth === 0) return i;
  }
  return source.length;
}

/** The index of the `]` closing the character class opened at `open`. */
function closingBracket(source: string, open: number): number {
  for (let i = open + 1; i < source.length; i++) {
    if (source[i] === '\\') i += 1;
    else if (source[i] === ']' && i > open + 1) return i;
  }
  return source.length;
}
