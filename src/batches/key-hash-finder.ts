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

/** One bucket's entries: the first hash in the high 32 bits, the entry's index in the low 32 bits. */
class Bucket {
  packed = new BigUint64Array(64);
  /** `packed` as 32-bit words, to write it without making a BigInt per line. */
  words = new Uint32Array(this.packed.buffer);
  count = 0;

  add(first: number, entry: number): void {
    if (this.count === this.packed.length) {
      const packed = new BigUint64Array(this.packed.length * 2);
      packed.set(this.packed);
      this.packed = packed;
      this.words = new Uint32Array(packed.buffer);
    }
    this.words[2 * this.count + LOW] = entry;
    this.words[2 * this.count + HIGH] = first;
    this.count++;
  }
}

export class KeyHashFinder {
  private readonly buckets = Array.from({ length: 2 ** BUCKET_BITS }, () => new Bucket());
  private seconds = new Uint32Array(1024);
  private lineNumbers = new Uint32Array(1024);
  private count = 0;

  /** Records the key of line `lineNumber` by its two hashes. */
  add(first: number, second: number, lineNumber: number): void {
    if (this.count === this.seconds.length) this.grow();
    this.buckets[first >>> (32 - BUCKET_BITS)]?.add(first, this.count);
    this.seconds[this.count] = second;
    this.lineNumbers[this.count++] = lineNumber;
  }

  /** Line numbers whose key's two hashes are both shared with another line. */
  async candidateLines(): Promise<Set<number>> {
    const lines = new Set<number>();
    for (const bucket of this.buckets) {
      const sorted = bucket.packed.subarray(0, bucket.count).sort();
      const words = new Uint32Array(sorted.buffer, sorted.byteOffset, 2 * bucket.count);
      let runStart = 0;
      for (let index = 1; index <= bucket.count; index++) {
        if (index < bucket.count && words[2 * index + HIGH] === words[2 * runStart + HIGH]) continue;
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
      const second = this.seconds[entry] ?? 0;
      const lineNumber = this.lineNumbers[entry] ?? 0;
      const earlier = firstLineOfSecond.get(second);
      if (earlier === undefined) {
        firstLineOfSecond.set(second, lineNumber);
      } else {
        lines.add(earlier);
        lines.add(lineNumber);
      }
    }
  }

  private grow(): void {
    const seconds = new Uint32Array(this.seconds.length * 2);
    seconds.set(this.seconds);
    this.seconds = seconds;
    const lineNumbers = new Uint32Array(this.lineNumbers.length * 2);
    lineNumbers.set(this.lineNumbers);
    this.lineNumbers = lineNumbers;
  }
}
