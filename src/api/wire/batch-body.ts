/**
 * The create body `{batch: GenerateContentBatch | EmbedContentBatch}` in any casing. Accepts the
 * guide's "nested variant" `inputConfig.requests.fileName` as an alias of `inputConfig.fileName`,
 * and tolerates output-only fields a client echoes back. Inline requests are validated later,
 * one by one, by the submitter.
 */
import { z } from 'zod';
import { invalidArgument } from '../../core/errors.js';
import { describeZodError } from './file-metadata.js';
import { normalizeKeys } from './normalize-keys.js';

const int64 = z.union([z.number().int(), z.string().regex(/^-?\d+$/).transform(Number)]);
const ignored = z.unknown().optional();
/** Receivers one batch may name in webhookConfig.uris. */
export const MAX_WEBHOOK_URIS = 10;

const batchSchema = z.strictObject({
  batch: z.strictObject({
    displayName: z.string().max(512).optional(),
    model: z.string().optional(),
    inputConfig: z.strictObject({
      fileName: z.string().min(1).optional(),
      requests: z.strictObject({ requests: z.array(z.unknown()).optional(), fileName: z.string().min(1).optional() }).optional(),
    }),
    priority: int64.optional(),
    webhookConfig: z.strictObject({
      uris: z.array(z.string()).max(MAX_WEBHOOK_URIS).optional(),
      userMetadata: z.record(z.string(), z.unknown()).optional(),
    }).optional(),
    /** batchmode extension: this batch's completion window, a Duration such as "3600s". */
    completionWindow: z.string().optional(),
    name: ignored, createTime: ignored, updateTime: ignored, endTime: ignored, batchStats: ignored, state: ignored, output: ignored,
  }),
});

export type BatchInputConfig = { kind: 'file'; fileName: string } | { kind: 'inline'; requests: unknown[] };

export interface ParsedBatchBody {
  completionWindowMs: number | undefined;
  displayName: string;
  /** Undefined when the body sets none: the submitter then maps the requests' serviceTier. */
  priority: number | undefined;
  webhookConfig: { uris?: string[] | undefined; userMetadata?: Record<string, unknown> | undefined } | undefined;
  input: BatchInputConfig;
}

export function parseBatchBody(body: unknown): ParsedBatchBody {
  const parsed = batchSchema.safeParse(normalizeKeys(body));
  if (!parsed.success) throw invalidArgument(describeZodError(parsed.error));
  const { batch } = parsed.data;
  const fileName = batch.inputConfig.fileName ?? batch.inputConfig.requests?.fileName;
  const requests = batch.inputConfig.requests?.requests;
  if (fileName !== undefined && requests !== undefined) {
    throw invalidArgument("batch.inputConfig takes either a file name or inline requests, not both.");
  }
  let input: BatchInputConfig;
  if (fileName !== undefined) input = { kind: 'file', fileName };
  else if (requests !== undefined && requests.length > 0) input = { kind: 'inline', requests };
  else throw invalidArgument('batch.inputConfig needs fileName (an uploaded JSONL file) or requests.requests (inline requests).');
  return {
    completionWindowMs: batch.completionWindow === undefined ? undefined : parseDuration(batch.completionWindow, 'batch.completionWindow'),
    displayName: batch.displayName ?? '',
    priority: batch.priority,
    webhookConfig: batch.webhookConfig,
    input,
  };
}

/** A proto3 JSON Duration (`"3600s"`, `"0.5s"`) in milliseconds; `what` names it in errors. */
export function parseDuration(value: string, what: string): number {
  const match = /^(\d+(?:\.\d+)?)s$/.exec(value.trim());
  const ms = match ? Math.round(Number(match[1]) * 1000) : Number.NaN;
  if (!(ms > 0)) throw invalidArgument(`${what} must be a positive duration such as "3600s", got '${value}'.`);
  return ms;
}
