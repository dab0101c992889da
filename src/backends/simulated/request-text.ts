/** Reading the text out of a Gemini request: what faults match and replies echo. */
import type { Content, GenerateContentRequest, Part } from '../../core/gemini-types.js';

/** The text parts of `parts` (thought parts included), joined with newlines. */
export function partsText(parts: readonly Part[] | undefined): string {
  if (parts === undefined) return '';
  let text = '';
  for (const part of parts) {
    if (typeof part.text !== 'string') continue;
    text = text === '' ? part.text : `${text}\n${part.text}`;
  }
  return text;
}

/** Every text part of the system instruction and the contents, newline-joined (faults match this). */
export function requestText(request: GenerateContentRequest): string {
  const pieces: string[] = [];
  const system = partsText(request.systemInstruction?.parts);
  if (system !== '') pieces.push(system);
  for (const content of request.contents) {
    const text = partsText(content.parts);
    if (text !== '') pieces.push(text);
  }
  return pieces.join('\n');
}

/** The text of the last turn not written by the model that has any text; `''` when none has. */
export function lastUserText(contents: readonly Content[]): string {
  for (let index = contents.length - 1; index >= 0; index--) {
    const content = contents[index];
    if (content === undefined || content.role === 'model') continue;
    const text = partsText(content.parts);
    if (text.trim() !== '') return text;
  }
  return '';
}

/** Whether any content carries an image, audio, video or document (inline or by file URI). */
export function hasMediaParts(contents: readonly Content[]): boolean {
  for (const content of contents) {
    for (const part of content.parts ?? []) {
      if (part.inlineData !== undefined || part.fileData !== undefined) return true;
    }
  }
  return false;
}
