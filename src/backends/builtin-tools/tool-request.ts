/**
 * Reading a request for the built-in tools batchmode runs itself: which ones it asks for, the
 * request without them, the search query, the URLs named, and the request with the tools'
 * results added as context.
 *
 * The query is the text of the user's last turn (whitespace collapsed, cut at 400 characters),
 * not a query the backend model writes first: no extra model call per request, the same query
 * for the same request on every try, and nothing more to run at batch scale.
 *
 * The context is one text part appended to the last user turn, after the caller's own parts:
 * everything up to the question stays byte-identical to the same request without tools (so a
 * backend's prefix cache and batchmode's prefix-aware dispatch still see the shared prefix),
 * roles keep alternating (chat templates that insist on user/assistant turns accept it), and
 * the instruction to cite comes last, nearest the answer, where small models follow it best.
 */
import type { Content, GenerateContentRequest, Tool } from '../../core/gemini-types.js';
import type { SearchResult } from './search-provider.js';
import type { FetchedUrl } from './url-fetcher.js';

/** Gemini's limit of URLs per request for the URL context tool. */
export const MAX_URLS = 20;
const MAX_QUERY_CHARS = 400;
const SEARCH_TOOLS = ['googleSearch', 'googleSearchRetrieval'] as const;
const BUILT_IN = new Set<string>([...SEARCH_TOOLS, 'urlContext']);
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`()[\]{}]+/gi;

/** Which built-in tools the request asks for. */
export interface ToolAsk {
  search: boolean;
  urlContext: boolean;
}

const present = (tool: Tool, field: string): boolean => tool[field] !== undefined && tool[field] !== null;

export function toolsAsked(request: GenerateContentRequest): ToolAsk {
  const tools = request.tools ?? [];
  return {
    search: tools.some((tool) => SEARCH_TOOLS.some((field) => present(tool, field))),
    urlContext: tools.some((tool) => present(tool, 'urlContext')),
  };
}

/** The request without the built-in tools (a tool left empty is dropped; no tools left: no `tools`). */
export function withoutBuiltInTools(request: GenerateContentRequest): GenerateContentRequest {
  if (request.tools === undefined) return request;
  const tools = request.tools
    .map((tool) => Object.fromEntries(Object.entries(tool).filter(([field]) => !BUILT_IN.has(field))) as Tool)
    .filter((tool) => Object.values(tool).some((value) => value !== undefined && value !== null));
  const { tools: _dropped, ...rest } = request;
  return tools.length > 0 ? { ...rest, tools } : rest;
}

const isUserTurn = (content: Content): boolean => content.role !== 'model';
const textOf = (content: Content | undefined): string =>
  (content?.parts ?? []).filter((part) => typeof part.text === 'string' && part.thought !== true).map((part) => part.text as string).join('\n');

/** The search query: the user's last turn's text, collapsed and cut; '' when it has no text. */
export function searchQuery(request: GenerateContentRequest): string {
  const last = [...request.contents].reverse().find((content) => isUserTurn(content) && textOf(content).trim() !== '');
  const text = textOf(last).replace(/\s+/g, ' ').trim();
  if (text.length <= MAX_QUERY_CHARS) return text;
  const cut = text.slice(0, MAX_QUERY_CHARS);
  const space = cut.lastIndexOf(' ');
  return space > MAX_QUERY_CHARS / 2 ? cut.slice(0, space) : cut;
}

/** The http(s) URLs in the request's text parts, every turn and the system instruction, in order, once each. */
export function namedUrls(request: GenerateContentRequest): string[] {
  const seen = new Set<string>();
  for (const content of [...(request.systemInstruction ? [request.systemInstruction] : []), ...request.contents]) {
    for (const part of content.parts ?? []) {
      if (typeof part.text !== 'string' || part.thought === true) continue;
      for (const match of part.text.matchAll(URL_PATTERN)) {
        const url = match[0].replace(/[.,;:!?]+$/, '');
        try {
          seen.add(new URL(url).href);
        } catch {
          // Not a URL after all (e.g. `http://`): not one to fetch.
        }
      }
    }
  }
  return [...seen];
}

/** What the tools found, to be given to the backend. */
export interface ToolFindings {
  query?: string;
  results?: readonly SearchResult[];
  pages?: readonly FetchedUrl[];
}

/** The context text: numbered search results to cite as [n], then the pages' text. */
export function contextText(findings: ToolFindings): string {
  const sections: string[] = [];
  if (findings.results !== undefined) {
    const lines = findings.results.length === 0
      ? [`A web search for "${findings.query ?? ''}" found nothing.`]
      : [`Web search results for "${findings.query ?? ''}":`, ...findings.results.map((result, index) => `[${index + 1}] ${result.title}\nURL: ${result.url}${result.snippet ? `\n${result.snippet}` : ''}`)];
    sections.push(lines.join('\n\n'));
  }
  if (findings.pages !== undefined && findings.pages.length > 0) {
    sections.push(['Content of the URLs in this request:', ...findings.pages.map((page) => page.status === 'URL_RETRIEVAL_STATUS_SUCCESS'
      ? `<page url="${page.url}"${page.title ? ` title="${page.title.replace(/"/g, "'")}"` : ''}>\n${page.text ?? ''}${page.truncated ? '\n[cut at the size limit]' : ''}\n</page>`
      : `<page url="${page.url}">could not be retrieved: ${page.reason ?? 'unknown error'}</page>`)].join('\n\n'));
  }
  const instruction = findings.results !== undefined && findings.results.length > 0
    ? 'Use the sources above where they are relevant. After each sentence that uses a search result, cite it by its number in square brackets, e.g. [1] or [1][2].'
    : 'Use the content above where it is relevant.';
  return `\n\n---\n${sections.join('\n\n---\n')}\n---\n${instruction}`;
}

/** The request with `context` appended to its last user turn (or, with no user turn, as a user turn of its own). */
export function withContext(request: GenerateContentRequest, context: string): GenerateContentRequest {
  const contents = [...request.contents];
  let index = contents.length - 1;
  while (index >= 0 && !isUserTurn(contents[index] as Content)) index--;
  if (index < 0) return { ...request, contents: [...contents, { role: 'user', parts: [{ text: context.trimStart() }] }] };
  const turn = contents[index] as Content;
  contents[index] = { ...turn, parts: [...(turn.parts ?? []), { text: context }] };
  return { ...request, contents };
}
