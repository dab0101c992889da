/**
 * Gemini's `groundingSupports` from an answer that cites its sources as [n]: one support per
 * sentence that cites, pointing at the chunks it cites. As in Gemini, a segment's `startIndex`
 * and `endIndex` are byte offsets in the UTF-8 encoding of the part's text (start inclusive,
 * end exclusive; the API reference: "measured in bytes"), not JavaScript string indices, and
 * zero values are left out as proto3 JSON leaves them out. The markers stay in the text: it is
 * the model's answer, and a stream has sent it before the supports exist.
 */

export interface GroundingSupport {
  segment: { partIndex?: number; startIndex?: number; endIndex: number; text: string };
  groundingChunkIndices: number[];
}

const CITATION = /\[(\d+(?:\s*,\s*\d+)*)\]/g;
const TRAILING_CITATIONS = /^(?:\s*\[\d+(?:\s*,\s*\d+)*\])+/;

/** The sentences of `text` as [start, end) string index ranges, trimmed; citations after a full stop stay with its sentence. */
export function sentenceRanges(text: string): [number, number][] {
  const ranges: [number, number][] = [];
  let start = 0;
  const push = (end: number): void => {
    let from = start;
    let to = end;
    while (from < to && /\s/.test(text[from] as string)) from++;
    while (to > from && /\s/.test(text[to - 1] as string)) to--;
    if (to > from) ranges.push([from, to]);
  };
  for (let index = 0; index < text.length; index++) {
    const char = text[index] as string;
    if (char === '\n') {
      push(index);
      start = index + 1;
      continue;
    }
    if (char !== '.' && char !== '!' && char !== '?') continue;
    let end = index + 1;
    while (end < text.length && /[.!?]/.test(text[end] as string)) end++;
    end += TRAILING_CITATIONS.exec(text.slice(end))?.[0].length ?? 0;
    if (end < text.length && !/\s/.test(text[end] as string)) continue;
    push(end);
    start = end;
    index = end - 1;
  }
  push(text.length);
  return ranges;
}

/** The supports of one text part citing `[1]`…`[sourceCount]`; markers naming no source are ignored. */
export function groundingSupports(text: string, sourceCount: number, partIndex = 0): GroundingSupport[] {
  const supports: GroundingSupport[] = [];
  for (const [start, end] of sentenceRanges(text)) {
    const sentence = text.slice(start, end);
    const cited = new Set<number>();
    for (const match of sentence.matchAll(CITATION)) {
      for (const number of (match[1] as string).split(',')) {
        const value = Number(number.trim());
        if (Number.isInteger(value) && value >= 1 && value <= sourceCount) cited.add(value - 1);
      }
    }
    if (cited.size === 0) continue;
    const startIndex = Buffer.byteLength(text.slice(0, start));
    supports.push({
      segment: {
        ...(partIndex > 0 ? { partIndex } : {}),
        ...(startIndex > 0 ? { startIndex } : {}),
        endIndex: startIndex + Buffer.byteLength(sentence),
        text: sentence,
      },
      groundingChunkIndices: [...cited].sort((a, b) => a - b),
    });
  }
  return supports;
}

/** `text` with every sentence that cites nothing given a citation, round robin over `sourceCount` (the simulated model's "citing"). */
export function citeEverySentence(text: string, sourceCount: number): string {
  if (sourceCount <= 0) return text;
  let result = '';
  let last = 0;
  sentenceRanges(text).forEach(([start, end], index) => {
    const sentence = text.slice(start, end);
    result += text.slice(last, start) + (CITATION.test(sentence) ? sentence : `${sentence} [${(index % sourceCount) + 1}]`);
    CITATION.lastIndex = 0;
    last = end;
  });
  return result + text.slice(last);
}
