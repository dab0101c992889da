/**
 * What a simulated reply reflects from the request: a short quote of the last user text and a
 * persona taken from the system instruction ("You are a cat", "Your name is Ada").
 */
import type { GenerateContentRequest } from '../../core/gemini-types.js';
import { hasMediaParts, lastUserText, partsText } from './request-text.js';

/** The parts of the request a reply echoes. */
export interface ReplyContext {
  /** A lead-in reflecting the system instruction, e.g. `Ada here. `; `''` without one. */
  personaLead: string;
  /** A short quote of the last user text (no double quotes inside); `''` when there is none. */
  fragment: string;
  /** Whether the prompt carries images or files. */
  hasMedia: boolean;
}

const FRAGMENT_WORDS = 8;
const FRAGMENT_CHARS = 48;
// Case-sensitive on purpose: a name is capitalised ("Your name is Ada", not "your name is not important").
const NAME_PATTERN = /\b(?:[Yy]our name is|[Yy]ou(?: are|'re) called|[Cc]all yourself)\s+([A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)?)/;
const NAMED_PATTERN = /\b[Yy]ou(?: are|'re)\s+([A-Z][a-z][\w'-]*)/;
const ROLE_PATTERN = /\b(?:you are|you're|act as|pretend to be|role-?play as)\s+((?:an?|the)\s+[^.,;:!?\n]+)/i;
const ROLE_END = /\s(?:that|who|which|and|with|whose|in|for|to|on|at)\s/i;
const TRAILING_FILLER = /(?:\s+(?:of|the|a|an|and|or|to|in|for|with|from))+$/i;
const FLOURISHES: readonly (readonly [RegExp, string])[] = [
  [/\bcat\b/i, 'Meow. '],
  [/\bdog\b/i, 'Woof! '],
  [/\bpirate\b/i, 'Arr! '],
  [/\brobot\b/i, 'Beep boop. '],
];

/** Reads the reply context out of a request. */
export function buildReplyContext(request: GenerateContentRequest): ReplyContext {
  return {
    personaLead: personaLead(partsText(request.systemInstruction?.parts)),
    fragment: quoteFragment(lastUserText(request.contents)),
    hasMedia: hasMediaParts(request.contents),
  };
}

/** The first words of `text`, whitespace collapsed, shortened with `…` past `maxWords` or 48 chars. */
export function quoteFragment(text: string, maxWords = FRAGMENT_WORDS): string {
  // A hand-rolled scan: this runs on every call, and splitting a long prompt would cost more than the reply.
  let fragment = '';
  let words = 0;
  let index = 0;
  for (;;) {
    while (index < text.length && isSpace(text.charCodeAt(index))) index++;
    if (index >= text.length) return fragment;
    if (words === maxWords) return `${fragment}…`;
    let end = index;
    while (end < text.length && !isSpace(text.charCodeAt(end))) end++;
    const word = text.slice(index, end).replace(/"/g, "'");
    const next = words === 0 ? word : `${fragment} ${word}`;
    if (next.length > FRAGMENT_CHARS) return `${words === 0 ? word.slice(0, FRAGMENT_CHARS) : fragment}…`;
    fragment = next;
    words += 1;
    index = end;
  }
}

/** Whether a UTF-16 code unit is whitespace (what `\s` matches). */
function isSpace(code: number): boolean {
  return (
    code === 32 || (code >= 9 && code <= 13) || code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff
  );
}

function personaLead(system: string): string {
  const instruction = system.replace(/\s+/g, ' ').trim();
  if (instruction === '') return '';
  const name = NAME_PATTERN.exec(instruction)?.[1] ?? NAMED_PATTERN.exec(instruction)?.[1];
  if (name !== undefined) return `${name} here. `;
  const role = ROLE_PATTERN.exec(instruction)?.[1];
  if (role !== undefined) {
    const end = ROLE_END.exec(role);
    const words = (end === null ? role : role.slice(0, end.index)).split(' ').slice(0, 6).join(' ');
    const shortRole = words.replace(TRAILING_FILLER, '');
    const flourish = FLOURISHES.find(([pattern]) => pattern.test(shortRole))?.[1] ?? '';
    return `${flourish}Speaking as ${shortRole}. `;
  }
  return `(as instructed: ${quoteFragment(instruction, 5)}) `;
}
