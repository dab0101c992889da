/**
 * A batch's result lines from `GET /v1beta/batches/{id}:results` (a batchmode extension; with
 * `?follow=true` the stream stays open until the batch ends). A connection that fails to open
 * or breaks mid-stream is opened again under the client's retry policy, and the lines already
 * given are skipped: the server sends each request's line once per stream but not in a fixed
 * order, so lines are matched by content (a count per line hash, so that identical lines are
 * still all given).
 */
import { createHash } from 'node:crypto';
import { connectionError } from './api-error.js';
import { resourceName } from './file-download.js';
import type { Transport } from './http-transport.js';
import { retryStreak } from './retrying-call.js';

const WHAT = 'batches.results';

/** 48 bits of the line's SHA-1: a cheap Map key (a collision costs nothing within one stream, see above). */
const lineHash = (line: string): number => createHash('sha1').update(line).digest().readUIntBE(0, 6);

export async function* streamResultLines(
  transport: Transport,
  name: string,
  options: { follow?: boolean | undefined; signal?: AbortSignal | undefined } = {},
): AsyncGenerator<string> {
  const path = `/v1beta/${resourceName('batches', name)}:results${options.follow ? '?follow=true' : ''}`;
  const streak = retryStreak(WHAT, transport.policy);
  /** How many times each line (by hash) was given so far. */
  const given = new Map<number, number>();
  for (;;) {
    const thisStream = new Map<number, number>();
    /** Gives `line` unless an earlier stream already gave this occurrence of it. */
    const fresh = (line: string): boolean => {
      const hash = lineHash(line);
      const seen = (thisStream.get(hash) ?? 0) + 1;
      thisStream.set(hash, seen);
      if (seen <= (given.get(hash) ?? 0)) return false;
      given.set(hash, seen);
      return true;
    };
    try {
      const response = await transport.send(WHAT, path, options.signal ? { signal: options.signal } : {});
      if (!response.body) return;
      const decoder = new TextDecoder();
      let pending = '';
      try {
        for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
          pending += decoder.decode(chunk, { stream: true });
          const lines = pending.split('\n');
          pending = lines.pop() ?? '';
          for (const raw of lines) {
            const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
            if (line.trim() === '' || !fresh(line)) continue;
            streak.succeeded();
            yield line;
          }
        }
      } catch (error) {
        if (options.signal?.aborted) throw error;
        throw connectionError(WHAT, transport.baseUrl, error, 'body');
      }
      const last = (pending + decoder.decode()).replace(/\r$/, '');
      if (last.trim() !== '' && fresh(last)) yield last;
      return;
    } catch (error) {
      await streak.failed(error, options.signal);
    }
  }
}
