/** Plausible English from the built-in vocabulary, driven by a seeded PRNG. */
import type { ReplyContext } from './reply-context.js';
import type { Random } from './seeded-random.js';
import { estimateTokens } from './token-estimate.js';
import { ADJECTIVES, NOUNS, OBJECTS, STANDALONE_SENTENCES, SUBJECTS, TAILS, VERBS } from './vocabulary.js';

const OPENERS = [
  (fragment: string) => `About "${fragment}": `,
  (fragment: string) => `You asked about "${fragment}". `,
  (fragment: string) => `Regarding "${fragment}": `,
  (fragment: string) => `Here is a brief answer to "${fragment}". `,
] as const;

/** One sentence, capitalised, ending with a full stop. */
export function generateSentence(random: Random): string {
  if (random.next() < 0.3) return random.pick(STANDALONE_SENTENCES);
  return `${random.pick(SUBJECTS)} ${random.pick(VERBS)} ${random.pick(OBJECTS)}${random.pick(TAILS)}.`;
}

/** A lowercase phrase of `wordCount` words (adjectives then a noun), e.g. `steady harbor`. */
export function generatePhrase(random: Random, wordCount: number): string {
  const words: string[] = [];
  for (let index = 1; index < wordCount; index++) words.push(random.pick(index % 2 === 1 ? ADJECTIVES : NOUNS));
  words.push(random.pick(NOUNS));
  return words.join(' ');
}

/**
 * Appends sentences to `lead` while the text stays within `targetTokens`, and in any case until
 * it reaches `minTokens` (always at least one sentence).
 */
export function appendSentences(random: Random, lead: string, targetTokens: number, minTokens = 0): string {
  let text = `${lead}${generateSentence(random)}`;
  for (;;) {
    const next = `${text} ${generateSentence(random)}`;
    if (estimateTokens(next) > targetTokens && estimateTokens(text) >= minTokens) return text;
    text = next;
  }
}

/** A reply of `minTokens` to about `targetTokens` tokens that echoes the prompt and the system persona. */
export function composeReply(random: Random, context: ReplyContext, targetTokens: number, minTokens = 0): string {
  let opener = '';
  if (context.fragment !== '') opener = random.pick(OPENERS)(context.fragment);
  else if (context.hasMedia) opener = 'Looking at the attached content: ';
  return appendSentences(random, `${context.personaLead}${opener}`, targetTokens, minTokens);
}
