/**
 * Cutting a batch's input into shards while it is read (or written) line by line: a shard ends
 * at the shard size or at 16 MiB of input, and records the byte range of its lines in the
 * batch's input blob. Used by both creates, the native one (submit-batch.ts) and the
 * OpenAI-compatible one (submit-openai-batch.ts).
 */
import type { ShardRecord } from '../core/batch.js';

/** A shard also ends at this many input bytes, so its output stays small in memory. */
export const MAX_SHARD_BYTES = 16 * 1024 * 1024;

/** Collects shard boundaries as requests are added in input order. */
export class ShardPlanner {
  readonly shards: ShardRecord[] = [];
  requestCount = 0;
  /** Sum of the requests' token estimates (core/token-estimate.ts), for the enqueued-token quota. */
  estimatedTokens = 0;
  private current: ShardRecord | undefined;

  constructor(private readonly batchId: string, private readonly shardSize: number) {}

  /** Adds the next request, whose line spans [start, end) of the input blob, estimated at `tokens`. */
  add(start: number, end: number, tokens = 0): void {
    this.estimatedTokens += tokens;
    const shard = this.current;
    if (!shard || shard.requestCount >= this.shardSize || shard.byteEnd - shard.byteStart >= MAX_SHARD_BYTES) {
      this.current = {
        batchId: this.batchId, index: this.shards.length, firstRequest: this.requestCount, requestCount: 1,
        byteStart: start, byteEnd: end, state: 'pending', succeededCount: 0, failedCount: 0,
      };
      this.shards.push(this.current);
    } else {
      shard.requestCount++;
      shard.byteEnd = end;
    }
    this.requestCount++;
  }
}
