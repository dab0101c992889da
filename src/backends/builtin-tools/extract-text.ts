/**
 * Readable text out of a fetched body: HTML through Mozilla's Readability (the reader view of
 * Firefox) over linkedom's DOM, falling back to the body's text when Readability finds no
 * article; plain text, JSON, XML and Markdown as they are. PDF is not read: the PDF text
 * libraries that run without a browser need Node 22 (unpdf) or are unmaintained, and batchmode
 * supports Node 20, so a PDF is reported as an error with that reason. The DOM and Readability
 * (~22 MiB once loaded) are imported on the first HTML page, not when the server starts.
 */

import type * as Readability from '@mozilla/readability';
import type * as LinkedDom from 'linkedom';

export type Extracted = { ok: true; text: string; title?: string } | { ok: false; reason: string };

const TEXT_TYPES = /^(text\/(plain|markdown|csv|xml)|application\/(json|xml|[\w.+-]+\+(json|xml)))$/;

/** The readable text of a body of content type `contentType` (parameters allowed). */
export async function extractText(body: string, contentType: string): Promise<Extracted> {
  const type = contentType.split(';')[0]?.trim().toLowerCase() || 'text/html';
  if (type === 'text/html' || type === 'application/xhtml+xml') return fromHtml(body);
  if (TEXT_TYPES.test(type)) return { ok: true, text: body.trim() };
  if (type === 'application/pdf') return { ok: false, reason: 'PDF text is not extracted (no PDF library for Node 20 is bundled)' };
  return { ok: false, reason: `the content type ${type} is not read as text` };
}

/** What is read of linkedom's document (its own types need the DOM library, which the Node build leaves out). */
interface HtmlDocument {
  querySelector(selector: string): { textContent: string | null } | null;
  body: { textContent: string | null } | null;
}

type HtmlLibraries = [typeof Readability, typeof LinkedDom];
let htmlLibraries: Promise<HtmlLibraries> | undefined;

async function fromHtml(html: string): Promise<Extracted> {
  htmlLibraries ??= Promise.all([import('@mozilla/readability'), import('linkedom')]);
  const [{ Readability: Reader }, { parseHTML }] = await htmlLibraries;
  const { document } = parseHTML(html) as unknown as { document: HtmlDocument };
  const pageTitle = document.querySelector('title')?.textContent?.trim() ?? '';
  const fallback = collapse(document.body?.textContent ?? '');
  let article: { title?: string | null; textContent?: string | null } | null = null;
  try {
    article = new Reader(document).parse();
  } catch {
    article = null;
  }
  const text = collapse(article?.textContent ?? '') || fallback;
  const title = article?.title?.trim() || pageTitle;
  return { ok: true, text, ...(title ? { title } : {}) };
}

/** Spaces collapsed within lines, blank runs collapsed to one empty line. */
function collapse(text: string): string {
  return text.split('\n').map((line) => line.replace(/\s+/g, ' ').trim()).join('\n').replace(/\n{3,}/g, '\n\n').trim();
}
