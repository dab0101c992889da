/**
 * One attempt to deliver: a single HTTP POST to the receiver, bounded every way a receiver
 * could hold it (connect, headers and body timeouts, and one overall deadline for a receiver
 * that trickles bytes), never following a redirect (a 3xx is a failure, so the destination
 * policy cannot be stepped around), reading at most 64 KiB of the answer. A network failure is
 * an outcome, never an exception: the dispatcher records it and schedules the retry.
 */
import { Agent, buildConnector, request } from 'undici';
import { VERSION } from '../core/version.js';
import { isRefusedAddress, policyLookup, RefusedDestinationError, type DestinationPolicy } from './destination-policy.js';

/** What is read of a receiver's answer; the rest is discarded. */
export const MAX_RESPONSE_BYTES = 64 * 1024;
/** How much of a failed answer's body is kept in the error, for operators. */
const ERROR_SNIPPET_CHARS = 200;

export const USER_AGENT = `batchmode-webhooks/${VERSION}`;

export interface SendResult {
  ok: boolean;
  /** The receiver's HTTP status, when it answered. */
  status?: number;
  /** Why the attempt failed (a status with the start of the answer, or the network error). */
  error?: string;
  durationMs: number;
}

export interface DeliverySender {
  /** POSTs `body` to `uri` with `headers` (plus content-type and user-agent); `signal` cuts it short. */
  send(uri: string, headers: Record<string, string>, body: string, signal?: AbortSignal): Promise<SendResult>;
  /** Closes the connection pool (at dispatcher stop). */
  close(): Promise<void>;
}

export interface SenderOptions {
  /** Bounds the connect, the wait for headers, each body read, and the whole attempt. */
  timeoutMs: number;
  destinationPolicy: DestinationPolicy;
}

export function createDeliverySender(options: SenderOptions): DeliverySender {
  const { timeoutMs, destinationPolicy } = options;
  const connectTo = buildConnector({
    timeout: timeoutMs,
    ...(destinationPolicy === 'any' ? {} : { lookup: policyLookup(destinationPolicy) }),
  });
  const agent = new Agent({
    // A literal address never reaches `lookup` (net.connect skips resolution), so it is checked here.
    connect: (connectOptions, callback) => {
      if (isRefusedAddress(connectOptions.hostname, destinationPolicy)) {
        callback(new RefusedDestinationError(connectOptions.hostname, connectOptions.hostname), null);
        return;
      }
      connectTo(connectOptions, callback);
    },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });

  const send = async (uri: string, headers: Record<string, string>, body: string, signal?: AbortSignal): Promise<SendResult> => {
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    const deadline = AbortSignal.timeout(timeoutMs);
    try {
      const response = await request(uri, {
        dispatcher: agent,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...headers },
        body,
        signal: signal === undefined ? deadline : AbortSignal.any([deadline, signal]),
      });
      const status = response.statusCode;
      // The status decides; an answer body that breaks off or trickles past the deadline changes nothing.
      const text = await readCapped(response.body).catch(() => '');
      if (status >= 200 && status < 300) return { ok: true, status, durationMs: elapsed() };
      const why = status >= 300 && status < 400 ? ' (redirects are not followed)' : '';
      const snippet = text.trim().slice(0, ERROR_SNIPPET_CHARS);
      return { ok: false, status, error: `HTTP ${status}${why}${snippet === '' ? '' : `: ${snippet}`}`, durationMs: elapsed() };
    } catch (error) {
      const reason = deadline.aborted ? `no answer within ${timeoutMs} ms` : describeError(error);
      return { ok: false, error: reason, durationMs: elapsed() };
    }
  };

  return { send, close: () => agent.close() };
}

/** Reads up to MAX_RESPONSE_BYTES of `body` as text and destroys the rest unread. */
async function readCapped(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= MAX_RESPONSE_BYTES) break;
    }
  } finally {
    // Leaving the loop early destroys the stream already; this covers errors as well.
    body.destroy();
  }
  return Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BYTES).toString('utf8');
}

/** A network error as one line: its code and message, and its cause's when it wraps one. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${typeof code === 'string' ? `${code}: ` : ''}${error.message}${cause}`;
}
