/**
 * Which request a log line is about: the request id (the client's `X-Request-Id` when it is a
 * sane token, else a fresh UUID) and the W3C trace context (`traceparent`), validated before
 * anything of it is logged or echoed. Both are echoed on the answer (app.ts).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** The longest inbound request id kept. */
export const MAX_REQUEST_ID_LENGTH = 128;
/** Letters, digits and `-_.:/+=@~`: no spaces, quotes or control characters to escape in a log or header. */
const REQUEST_ID = new RegExp(`^[A-Za-z0-9\\-_.:/+=@~]{1,${MAX_REQUEST_ID_LENGTH}}$`);

/** The client's `X-Request-Id` if it is a sane token, else a new UUID. */
export function requestIdOf(headers: IncomingHttpHeaders): string {
  const inbound = headers['x-request-id'];
  return typeof inbound === 'string' && REQUEST_ID.test(inbound) ? inbound : randomUUID();
}

export interface TraceContext {
  /** The header as received, echoed back. */
  traceparent: string;
  /** 32 lowercase hex digits. */
  traceId: string;
  /** The caller's span (16 hex digits). */
  parentId: string;
}

/** version-traceid-parentid-flags; versions after 00 may append fields (`-…`). */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-[^\s]*)?$/;

/**
 * The `traceparent` header per W3C Trace Context level 1, or undefined when absent or invalid:
 * version `ff` is invalid, version `00` has exactly four fields, an all-zero trace id or parent
 * id is invalid, and a header sent twice is ignored.
 */
export function traceContextOf(headers: IncomingHttpHeaders): TraceContext | undefined {
  const header = headers.traceparent;
  if (typeof header !== 'string' || header.length > 512) return undefined;
  const value = header.trim();
  const match = TRACEPARENT.exec(value);
  if (!match) return undefined;
  const [, version, traceId, parentId, , rest] = match as unknown as [string, string, string, string, string, string | undefined];
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (/^0+$/.test(traceId) || /^0+$/.test(parentId)) return undefined;
  return { traceparent: value, traceId, parentId };
}
