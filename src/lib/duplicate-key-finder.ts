/**
 * Finds duplicate keys among millions of lines in a few bytes per line: each key is recorded
 * as a 32-bit FNV-1a hash packed with its line number into one 64-bit slot (8 bytes/line, no
 * strings kept). After sorting, only lines whose hashes collide are candidates; the caller
 * confirms them by re-reading just those lines and comparing the real keys, so the answer is
 * exact.
 */
export class DuplicateKeyFinder {
  private slots = new BigUint64Array(1024);
  private count = 0;

  add(key: string, lineNumber: number): void {
    if (this.count === this.slots.length) {
      const grown = new BigUint64Array(this.slots.length * 2);
      grown.set(this.slots);
      this.slots = grown;
    }
    this.slots[this.count++] = (BigInt(fnv1a(key)) << 32n) | BigInt(lineNumber >>> 0);
  }

  /** Line numbers whose key hash is shared with another line (a superset of the duplicates). */
  candidateLines(): Set<number> {
    const sorted = this.slots.subarray(0, this.count).sort();
    const lines = new Set<number>();
    for (let index = 1; index < sorted.length; index++) {
      const current = sorted[index] ?? 0n;
      const previous = sorted[index - 1] ?? 0n;
      if (current >> 32n === previous >> 32n) {
        lines.add(Number(previous & 0xffffffffn));
        lines.add(Number(current & 0xffffffffn));
      }
    }
    return lines;
  }
}

/** 32-bit FNV-1a over the string's UTF-16 code units. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
