/**
 * One JSON POST through undici's `dispatch` with a handler of our own, instead of
 * `pool.request`: no response Readable stream, no body-consuming promise chain and no header
 * object for a 2xx answer (headers are parsed only for an error status, which needs
 * Retry-After). The answer's bytes are collected and decoded as undici's `body.text()` decodes
 * them (UTF-8, a leading BOM skipped).
 *
 * Abort: the calls in flight on one signal are kept in a Set, watched through lib/abort.ts's
 * `onAbort` (one registration per signal, however many calls share it, removed once none is in
 * flight), from dispatch until the call settles; an abort before
 * undici connects the request is applied as soon as it does (as `pool.request` does). The
 * promise then rejects with whatever undici fails with; the caller maps that (the signal has
 * aborted, so it is a cancel).
 */
import { util, type Dispatcher } from 'undici';
import { onAbort } from '../../lib/abort.js';
import type { ResponseHeaders } from '../../lib/retry-after.js';

/** The answer of one call: status, headers (parsed only for a non-2xx status) and body text. */
export interface JsonAnswer {
  statusCode: number;
  headers: ResponseHeaders;
  text: string;
}

const NO_HEADERS: ResponseHeaders = Object.freeze({});

/** The calls in flight on one signal, and the disposer of its abort registration. */
interface Watched {
  readonly calls: Set<JsonCallHandler>;
  dispose: () => void;
}
const watchedSignals = new WeakMap<AbortSignal, Watched>();

function watch(signal: AbortSignal, handler: JsonCallHandler): void {
  let watched = watchedSignals.get(signal);
  if (watched === undefined) {
    const calls = new Set<JsonCallHandler>();
    const created: Watched = { calls, dispose: () => undefined };
    created.dispose = onAbort(signal, () => {
      watchedSignals.delete(signal);
      for (const call of [...calls]) call.aborted();
      calls.clear();
    });
    watchedSignals.set(signal, created);
    watched = created;
  }
  watched.calls.add(handler);
}

function unwatch(signal: AbortSignal, handler: JsonCallHandler): void {
  const watched = watchedSignals.get(signal);
  if (watched === undefined || !watched.calls.delete(handler) || watched.calls.size > 0) return;
  watchedSignals.delete(signal);
  watched.dispose();
}

/** undici's (legacy, and internal) handler interface: the cheapest one it calls. */
class JsonCallHandler {
  private abort: ((reason?: Error) => void) | undefined;
  private reason: Error | undefined;
  private watching: boolean;
  private statusCode = 0;
  private rawHeaders: Buffer[] | undefined;
  private chunks: Buffer[] = [];
  private length = 0;

  constructor(
    private readonly signal: AbortSignal,
    private readonly resolve: (answer: JsonAnswer) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    this.watching = !signal.aborted;
    if (this.watching) watch(signal, this);
    else this.reason = abortReason(signal);
  }

  /** The signal aborted: stop the request (now, or as soon as undici connects it). */
  aborted(): void {
    this.watching = false;
    this.reason = abortReason(this.signal);
    this.abort?.(this.reason);
  }

  onConnect(abort: (reason?: Error) => void): void {
    this.abort = abort;
    if (this.reason !== undefined) abort(this.reason);
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    this.statusCode = statusCode;
    if (statusCode < 200 || statusCode >= 300) this.rawHeaders = rawHeaders;
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.chunks.push(chunk);
    this.length += chunk.length;
    return true;
  }

  onComplete(): void {
    this.settle();
    this.resolve({ statusCode: this.statusCode, headers: this.headers(), text: decode(this.chunks, this.length) });
  }

  onError(error: Error): void {
    this.settle();
    // An error status whose body could not be read still answers with its status (no body text).
    if (this.rawHeaders !== undefined && !this.signal.aborted) this.resolve({ statusCode: this.statusCode, headers: this.headers(), text: '' });
    else this.reject(error);
  }

  private settle(): void {
    if (!this.watching) return;
    this.watching = false;
    unwatch(this.signal, this);
  }

  private headers(): ResponseHeaders {
    return this.rawHeaders === undefined ? NO_HEADERS : util.parseHeaders(this.rawHeaders);
  }
}

/** POSTs `body` (JSON text) to `path` on `dispatcher`; resolves with the whole answer. */
export function postJsonText(dispatcher: Dispatcher, path: string, headers: readonly string[], body: string, signal: AbortSignal): Promise<JsonAnswer> {
  return new Promise((resolve, reject) => {
    const handler = new JsonCallHandler(signal, resolve, reject);
    try {
      // Headers as a flat name/value list: undici reads it without building entries.
      dispatcher.dispatch({ path, method: 'POST', headers: headers as string[], body }, handler);
    } catch (error) {
      handler.onError(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error('The operation was aborted.');
}

function decode(chunks: readonly Buffer[], length: number): string {
  if (chunks.length === 0 || length === 0) return '';
  const buffer = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, length);
  const start = buffer.length > 2 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0;
  return buffer.toString('utf8', start);
}
