/**
 * Batch input files for the benchmarks: JSONL lines `{"key":"k<i>","request":{"contents":…}}`,
 * either typical short prompts (~120 bytes a line) or prompts padded so that every line has the
 * same length (to reach gigabytes with a manageable number of requests).
 */
import { open } from 'node:fs/promises';

export interface RequestFile {
  path: string;
  requests: number;
  bytes: number;
}

const FILLER = 'Consider the context, the audience and the constraints, and keep the answer short and concrete. ';
const LINES_PER_WRITE = 4096;

/** A typical line: about 120 bytes. */
export function requestLine(index: number): string {
  return `{"key":"k${index}","request":{"contents":[{"parts":[{"text":"Summarise item ${index} in one line for the weekly report."}]}]}}\n`;
}

/** A line of exactly `lineBytes` bytes (newline included): the prompt is padded with filler prose. */
export function paddedRequestLine(index: number, lineBytes: number): string {
  const head = `{"key":"k${index}","request":{"contents":[{"parts":[{"text":"Summarise item ${index} in one line. `;
  const tail = '"}]}]}}\n';
  const room = lineBytes - head.length - tail.length;
  if (room < 0) throw new RangeError(`lineBytes ${lineBytes} is too small`);
  return head + FILLER.repeat(Math.ceil(room / FILLER.length)).slice(0, room) + tail;
}

async function writeLines(path: string, requests: number, lineOf: (index: number) => string): Promise<RequestFile> {
  const handle = await open(path, 'w');
  let bytes = 0;
  try {
    for (let first = 0; first < requests; first += LINES_PER_WRITE) {
      const last = Math.min(requests, first + LINES_PER_WRITE);
      let text = '';
      for (let index = first; index < last; index++) text += lineOf(index);
      const buffer = Buffer.from(text);
      await handle.write(buffer);
      bytes += buffer.length;
    }
  } finally {
    await handle.close();
  }
  return { path, requests, bytes };
}

/** `requests` typical lines. */
export function writeRequestFile(path: string, requests: number): Promise<RequestFile> {
  return writeLines(path, requests, requestLine);
}

/** As many `lineBytes`-byte lines as fit in `totalBytes`. */
export function writePaddedRequestFile(path: string, totalBytes: number, lineBytes: number): Promise<RequestFile> {
  return writeLines(path, Math.floor(totalBytes / lineBytes), (index) => paddedRequestLine(index, lineBytes));
}
