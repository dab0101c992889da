/**
 * Finding duplicate keys among millions of input lines from hashes computed on line-check
 * threads (line-facts.ts `hashKey`): each key arrives as two 32-bit hashes, so the main thread
 * never holds or hashes the keys themselves. Lines whose 64-bit hashes are equal are
 * candidates (a superset of the duplicates, almost never larger); the caller confirms them by
 * re-reading just those lines, as with lib/duplicate-key-finder.ts, whose 32-bit hash this
 * replaces at create (with a million keys, a 32-bit hash has about a hundred chance
 * collisions, each of which cost a second read of the whole file).
 *
 * As there, entries are packed into 64-bit words (the first hash above the entry's index) and
 * sorted, which is cheap per line; but they are spread over 64 buckets by their hash's top
 * bits and each bucket is sorted on its own, yielding to the event loop between buckets, so
 * that a million keys do not hold it for one long sort.
 */

const BUCKET_BITS = 6;
/** Whether the platform stores the low 32 bits of a 64-bit word first. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const LOW = LITTLE_ENDIAN ? 0 : 1;
const HIGH = 1 - LOW;
/** Block sizes: 4 KiB per bucket array (64 buckets, so a small file's finder stays small), 64 KiB for the rest. */
const BUCKET_BLOCK_BITS = 10;
const ENTRY_BLOCK_BITS = 14;
/**
 * Unsigned 32-bit values appended in blocks of 2^`blockBits`: memory grows a block at a time
 * (4 bytes a value, at most one block unused), never by doubling and copying.
 */
class Words {
  private readonly blocks: Uint32Array[] = [];
  private readonly inBlock: number;
  length = 0;

  constructor(private readonly blockBits: number) {
    this.inBlock = (1 << blockBits) - 1;
  }

  push(value: number): void {
    const at = this.length & this.inBlock;
    if (at === 0) this.blocks.push(new Uint32Array(this.inBlock + 1));
    (this.blocks[this.blocks.length - 1] as Uint32Array)[at] = value;
    this.length++;
  }

  get(index: number): number {
    return this.blocks[index >>> this.blockBits]?.[index & this.inBlock] ?? 0;
  }

  /** Copies every value into `into` at 32-bit word `stride`·i + `offset`, then drops the blocks. */
  drainInto(into: Uint32Array, stride: number, offset: number): void {
    for (let index = 0; index < this.length; index++) into[stride * index + offset] = this.get(index);
    this.blocks.length = 0;
    this.length = 0;
  }
}

/** One bucket's entries: each entry's first hash and its index, kept apart until the bucket is sorted. */
class Bucket {
  readonly firsts = new Words(BUCKET_BLOCK_BITS);
  readonly entries = new Words(BUCKET_BLOCK_BITS);
}

export class KeyHashFinder {
  private readonly buckets = Array.from({ length: 2 ** BUCKET_BITS }, () => new Bucket());
  private readonly seconds = new Words(ENTRY_BLOCK_BITS);
  private readonly lineNumbers = new Words(ENTRY_BLOCK_BITS);

  /** Records the key of line `lineNumber` by its two hashes (16 bytes a key). */
  add(first: number, second: number, lineNumber: number): void {
    const bucket = this.buckets[first >>> (32 - BUCKET_BITS)] as Bucket;
    bucket.firsts.push(first);
    bucket.entries.push(this.seconds.length);
    this.seconds.push(second);
    this.lineNumbers.push(lineNumber);
  }

  /**
   * Line numbers whose key's two hashes are both shared with another line. Each bucket is packed
   * into one array of 64-bit words (first hash above the entry's index), sorted, scanned, and
   * dropped before the next, so this needs the size of one bucket on top of the entries.
   */
  async candidateLines(): Promise<Set<number>> {
    const lines = new Set<number>();
    for (const bucket of this.buckets) {
      const count = bucket.firsts.length;
      const packed = new BigUint64Array(count);
      const words = new Uint32Array(packed.buffer);
      bucket.firsts.drainInto(words, 2, HIGH);
      bucket.entries.drainInto(words, 2, LOW);
      packed.sort();
      let runStart = 0;
      for (let index = 1; index <= count; index++) {
        if (index < count && words[2 * index + HIGH] === words[2 * runStart + HIGH]) continue;
        if (index - runStart > 1) this.collectRun(words, runStart, index, lines);
        runStart = index;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    return lines;
  }

  /** Among entries [from, to) of a sorted bucket, which share a first hash, adds the lines whose second hashes match too. */
  private collectRun(words: Uint32Array, from: number, to: number, lines: Set<number>): void {
    const firstLineOfSecond = new Map<number, number>();
    for (let index = from; index < to; index++) {
      const entry = words[2 * index + LOW] ?? 0;
      const second = this.seconds.get(entry);
      const lineNumber = this.lineNumbers.get(entry);
      const earlier = firstLineOfSecond.get(second);
      if (earlier === undefined) {
        firstLineOfSecond.set(second, lineNumber);
      } else {
        lines.add(earlier);
        lines.add(lineNumber);
      }
    }
  }
}
