/**
 * The pure-CPU half of checking a batch input file at create (issue 18): `checkChunk` takes a
 * chunk of whole lines and answers, per non-blank line, the compact facts the create needs in
 * input order: the line's byte range, its token estimates, a 64-bit hash of its key, its
 * serviceTier and the cache it names, or the message of its error. It runs on a line-check
 * thread (line-check-worker.ts) for large files and on the calling thread for small ones, so
 * both give the same answers. Lines are split exactly as lib/line-reader.ts splits them (`\n`
 * ends a line, a `\r` before it is dropped, a last line without `\n` counts) and parsed with
 * the same `parseBatchLine`, so messages are the same too. What needs order or the store
 * (shards, duplicate keys, the tier tally, caches) is left to plan-input-file.ts.
 */
import type { BatchKind } from '../core/batch.js';
import type { GenerateContentRequest } from '../core/gemini-types.js';
import { estimateCallTokens, estimatePromptTokens } from '../core/token-estimate.js';
import { parseBatchLine } from '../core/wire-schema/request-lines.js';
import { isBlank } from '../lib/line-reader.js';

/** `flags` bits of an entry. */
export const LINE_ERROR = 1;
/** The line's wrapper has a `key` (its hash is in `keyHashes`). */
export const LINE_KEYED = 2;
/** The request sets systemInstruction, tools or toolConfig (which a cache forbids). */
export const LINE_PREFIX_FIELDS = 4;

/**
 * What one chunk's non-blank lines say, one entry each in input order, as typed arrays (they
 * are transferred, not copied, between threads). Line indexes and byte offsets are relative to
 * the chunk; the caller adds where the chunk starts.
 */
export interface ChunkFacts {
  /** Physical lines in the chunk (blank ones included): where the next chunk's numbering starts. */
  lineCount: number;
  /** Entries: the chunk's non-blank lines. */
  count: number;
  /** 0-based line index of each entry within the chunk. */
  lines: Uint32Array;
  /** Byte range [start, end) of each entry's line within the chunk, terminator included. */
  starts: Uint32Array;
  ends: Uint32Array;
  /** What the call may cost (quota) and its input alone, before any cache's tokens. */
  callTokens: Float64Array;
  inputTokens: Float64Array;
  flags: Uint8Array;
  /** Two 32-bit hashes of each keyed entry's key, at 2·entry and 2·entry + 1. */
  keyHashes: Uint32Array;
  /** Index into `names` of the request's serviceTier string, or -1. */
  tiers: Int32Array;
  /** Index into `names` of the cachedContent a generate request names, or -1. */
  caches: Int32Array;
  /** The distinct tier and cache names of the chunk. */
  names: string[];
  /** The message of each entry with LINE_ERROR, in order. */
  errors: string[];
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** Checks every line of `bytes`, a chunk of whole lines (only the file's last chunk may end without `\n`). */
export function checkChunk(kind: BatchKind, bytes: Uint8Array): ChunkFacts {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let capacity = data.length > 0 && data[data.length - 1] !== NEWLINE ? 1 : 0;
  for (let at = data.indexOf(NEWLINE); at !== -1; at = data.indexOf(NEWLINE, at + 1)) capacity++;
  const facts = emptyFacts(capacity);
  const names = new Map<string, number>();
  const nameIndex = (name: string): number => {
    let index = names.get(name);
    if (index === undefined) {
      index = facts.names.push(name) - 1;
      names.set(name, index);
    }
    return index;
  };
  let from = 0;
  while (from < data.length) {
    const at = data.indexOf(NEWLINE, from);
    const end = at === -1 ? data.length : at + 1;
    let lineEnd = at === -1 ? data.length : at;
    if (lineEnd > from && data[lineEnd - 1] === CARRIAGE_RETURN) lineEnd--;
    const line = data.subarray(from, lineEnd);
    if (!isBlank(line)) addEntry(facts, kind, line, from, end, nameIndex);
    facts.lineCount++;
    from = end;
  }
  return facts;
}

function addEntry(facts: ChunkFacts, kind: BatchKind, line: Buffer, start: number, end: number, nameIndex: (name: string) => number): void {
  const entry = facts.count++;
  facts.lines[entry] = facts.lineCount;
  facts.starts[entry] = start;
  facts.ends[entry] = end;
  facts.tiers[entry] = -1;
  facts.caches[entry] = -1;
  try {
    const parsed = parseBatchLine(line.toString('utf8'), kind);
    const request = parsed.request;
    let flags = 0;
    if (parsed.key !== undefined) {
      flags |= LINE_KEYED;
      hashKey(parsed.key, facts.keyHashes, 2 * entry);
    }
    const call = estimateCallTokens(request);
    facts.callTokens[entry] = call;
    facts.inputTokens[entry] = kind === 'generate' ? estimatePromptTokens(request as GenerateContentRequest) : call;
    if (typeof request.serviceTier === 'string') facts.tiers[entry] = nameIndex(request.serviceTier);
    if (kind === 'generate') {
      const generate = request as GenerateContentRequest;
      if (generate.cachedContent !== undefined && generate.cachedContent !== '') facts.caches[entry] = nameIndex(generate.cachedContent);
      if (generate.systemInstruction !== undefined || generate.tools !== undefined || generate.toolConfig !== undefined) flags |= LINE_PREFIX_FIELDS;
    }
    facts.flags[entry] = flags;
  } catch (error) {
    facts.flags[entry] = LINE_ERROR;
    facts.errors.push(error instanceof Error ? error.message : String(error));
  }
}

function emptyFacts(capacity: number): ChunkFacts {
  return {
    lineCount: 0, count: 0, lines: new Uint32Array(capacity), starts: new Uint32Array(capacity), ends: new Uint32Array(capacity),
    callTokens: new Float64Array(capacity), inputTokens: new Float64Array(capacity), flags: new Uint8Array(capacity),
    keyHashes: new Uint32Array(2 * capacity), tiers: new Int32Array(capacity), caches: new Int32Array(capacity), names: [], errors: [],
  };
}

/** The buffers of `facts`, to transfer rather than copy them to another thread. */
export function transferablesOf(facts: ChunkFacts): ArrayBuffer[] {
  const arrays = [facts.lines, facts.starts, facts.ends, facts.callTokens, facts.inputTokens, facts.flags, facts.keyHashes, facts.tiers, facts.caches];
  return arrays.map((array) => array.buffer as ArrayBuffer);
}

/**
 * Two independent 32-bit hashes of `key`'s UTF-16 code units (FNV-1a and a multiply-xorshift),
 * written to `into[at]` and `into[at + 1]`: 64 bits, so that among millions of distinct keys a
 * shared hash is all but never a false alarm.
 */
export function hashKey(key: string, into: Uint32Array, at: number): void {
  let first = 0x811c9dc5;
  let second = 0x9747b28c ^ key.length;
  for (let index = 0; index < key.length; index++) {
    const unit = key.charCodeAt(index);
    first = Math.imul(first ^ unit, 0x01000193);
    second = Math.imul(second ^ unit, 0x5bd1e995);
    second ^= second >>> 15;
  }
  second = Math.imul(second ^ (second >>> 13), 0xc2b2ae35);
  into[at] = first >>> 0;
  into[at + 1] = (second ^ (second >>> 16)) >>> 0;
}
