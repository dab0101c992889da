/**
 * Checking and planning a batch input file at create (submit-batch.ts), in two halves (issue
 * 18). The pure-CPU half, parsing every line (line-facts.ts `checkChunk`), runs on line-check
 * threads (line-check-pool.ts) for files of 1 MiB or more and on this thread for smaller ones,
 * where handing chunks over would cost more than it saves. Either way the blob is streamed in
 * chunks of whole lines, and this thread takes their facts back in input order and does what
 * needs order or the store: the shard planner, duplicate keys (confirmed by re-reading the
 * candidate lines), the service-tier tally, resolving the caches the requests name (their
 * tokens are added to the request's estimate) and the cut-off at `MAX_LINE_ERRORS`. So the
 * answer, the same line-numbered 400 or the same shards, does not depend on where lines were
 * parsed.
 */
import type { BatchKind } from '../core/batch.js';
import { invalidArgument } from '../core/errors.js';
import type { GenerateContentRequest } from '../core/gemini-types.js';
import type { ServiceTierTally } from '../core/service-tier.js';
import { formatLineError } from '../core/wire-schema/describe-line-error.js';
import { parseBatchLine } from '../core/wire-schema/request-lines.js';
import { readLines } from '../lib/line-reader.js';
import type { BlobStore } from '../store/blob-store.js';
import type { CacheCollector } from './batch-caches.js';
import { KeyHashFinder } from './key-hash-finder.js';
import { sharedLineCheckPool, type CheckedChunk, type LineCheckPool } from './line-check-pool.js';
import { checkChunk, LINE_ERROR, LINE_KEYED, LINE_PREFIX_FIELDS, type ChunkFacts } from './line-facts.js';
import { ShardPlanner } from './shard-planner.js';
import { ChunkBuffers, wholeLineChunks } from './whole-line-chunks.js';

/** At most this many bad lines are listed in one error. */
export const MAX_LINE_ERRORS = 20;

/** A planner that also sums the requests' input tokens (the planner's own sum adds the output they may use). */
export class InputPlanner extends ShardPlanner {
  inputTokens = 0;
}

/** Where and how the lines of a file are checked; the defaults suit production, tests lower them. */
export interface LineCheckOptions {
  /** The threads; default the process's shared pool. */
  pool?: LineCheckPool;
  /** Files of at least this many bytes are checked on threads; default 1 MiB. */
  threadMinBytes?: number;
  /** Bytes of whole lines sent at once (a longer line is sent whole); default 4 MiB. */
  chunkBytes?: number;
}

const DEFAULT_THREAD_MIN_BYTES = 1024 * 1024;
const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;

export interface PlanFileInput {
  blobs: BlobStore;
  /** The blob to plan: the batch's own copy, or the file itself for a dry run. */
  key: string;
  /** The file's size, which picks the thread: its record's `sizeBytes`. */
  sizeBytes: number;
  kind: BatchKind;
  planner: InputPlanner;
  tiers: ServiceTierTally;
  caches: CacheCollector;
  options?: LineCheckOptions | undefined;
}

/** Plans every request of the file into `planner`; throws one INVALID_ARGUMENT listing the bad lines. */
export async function planInputFile(input: PlanFileInput): Promise<void> {
  const { blobs, key, kind, planner, tiers, caches } = input;
  const options = input.options ?? {};
  const onThreads = input.sizeBytes >= (options.threadMinBytes ?? DEFAULT_THREAD_MIN_BYTES);
  const pool = onThreads ? (options.pool ?? sharedLineCheckPool()) : undefined;
  const inFlightMax = pool ? 2 * pool.size : 1;
  const errors: string[] = [];
  const keys = new KeyHashFinder();
  let keyed = false;
  let lineBase = 0;

  /** Takes one chunk's facts in order; true once the error cut-off is reached. */
  const take = async (offset: number, facts: ChunkFacts): Promise<boolean> => {
    const { lines, flags, names } = facts;
    let errorIndex = 0;
    for (let entry = 0; entry < facts.count; entry++) {
      const number = lineBase + (lines[entry] ?? 0) + 1;
      const flag = flags[entry] ?? 0;
      if (flag & LINE_ERROR) {
        errors.push(formatLineError(number, facts.errors[errorIndex++]));
        if (errors.length >= MAX_LINE_ERRORS) return true;
        continue;
      }
      if (flag & LINE_KEYED) {
        keys.add(facts.keyHashes[2 * entry] ?? 0, facts.keyHashes[2 * entry + 1] ?? 0, number);
        keyed = true;
      }
      let cached = 0;
      const cache = facts.caches[entry] ?? -1;
      if (cache >= 0) {
        try {
          cached = await caches.use(cacheRequest(names[cache] ?? '', (flag & LINE_PREFIX_FIELDS) !== 0));
        } catch (error) {
          errors.push(formatLineError(number, error));
          if (errors.length >= MAX_LINE_ERRORS) return true;
          continue;
        }
      }
      planner.add(offset + (facts.starts[entry] ?? 0), offset + (facts.ends[entry] ?? 0), (facts.callTokens[entry] ?? 0) + cached);
      planner.inputTokens += (facts.inputTokens[entry] ?? 0) + cached;
      const tier = facts.tiers[entry] ?? -1;
      tiers.add(tier >= 0 ? names[tier] : undefined);
    }
    lineBase += facts.lineCount;
    return false;
  };

  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const buffers = new ChunkBuffers(chunkBytes + Math.ceil(chunkBytes / 4));
  const inFlight: { offset: number; checked: Promise<CheckedChunk> }[] = [];
  /** Takes the oldest chunk in flight; true once the cut-off is reached. */
  const takeNext = async (): Promise<boolean> => {
    const oldest = inFlight.shift();
    if (oldest === undefined) return false;
    const { facts, bytes } = await oldest.checked;
    buffers.give(bytes);
    return take(oldest.offset, facts);
  };
  const source = await blobs.read(key);
  try {
    let offset = 0;
    let stopped = false;
    for await (const { bytes, length } of wholeLineChunks(source, chunkBytes, buffers)) {
      const checked = pool
        ? pool.check(kind, bytes, length)
        : Promise.resolve({ facts: checkChunk(kind, bytes.subarray(0, length)), bytes });
      checked.catch(() => undefined); // awaited in order below, or dropped after the cut-off
      inFlight.push({ offset, checked });
      offset += length;
      while (inFlight.length >= inFlightMax && !stopped) stopped = await takeNext();
      if (stopped) break;
    }
    while (inFlight.length > 0 && !stopped) stopped = await takeNext();
  } finally {
    source.destroy();
  }
  if (errors.length === 0 && keyed) errors.push(...(await confirmDuplicates(blobs, key, kind, await keys.candidateLines())));
  if (errors.length > 0) {
    const more = errors.length >= MAX_LINE_ERRORS ? `\n(only the first ${MAX_LINE_ERRORS} problems are listed)` : '';
    throw invalidArgument(`${errors.join('\n')}${more}`);
  }
}

/**
 * What `CacheCollector.use` reads of a request naming a cache: the name, and whether it sets a
 * field a cache forbids (systemInstruction, tools or toolConfig; one stands for all three).
 */
const cacheRequest = (name: string, prefixFields: boolean): GenerateContentRequest =>
  ({ contents: [], cachedContent: name, ...(prefixFields ? { systemInstruction: { parts: [] } } : {}) });

/** Re-reads only the lines whose key hashes collided, and reports real duplicates. */
async function confirmDuplicates(blobs: BlobStore, key: string, kind: BatchKind, candidates: Set<number>): Promise<string[]> {
  if (candidates.size === 0) return [];
  const firstLineOfKey = new Map<string, number>();
  const errors: string[] = [];
  for await (const line of readLines(await blobs.read(key))) {
    if (!candidates.has(line.number)) continue;
    const requestKey = parseBatchLine(line.bytes.toString('utf8'), kind).key ?? '';
    const first = firstLineOfKey.get(requestKey);
    if (first === undefined) firstLineOfKey.set(requestKey, line.number);
    else errors.push(formatLineError(line.number, new Error(`duplicate key '${requestKey}' (first used on line ${first})`)));
    if (errors.length >= MAX_LINE_ERRORS) break;
  }
  return errors;
}
