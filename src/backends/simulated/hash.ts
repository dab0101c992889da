/**
 * Fast, well-mixed, non-cryptographic hashing (cyrb53 by bryc, public domain): two 32-bit
 * multiply-xor lanes and a finaliser, giving 53 bits, exactly representable in a number.
 */

/** cyrb53's finaliser: folds both lanes into a 53-bit integer. */
function finish(lane1: number, lane2: number): number {
  let h1 = Math.imul(lane1 ^ (lane1 >>> 16), 2246822507);
  h1 ^= Math.imul(lane2 ^ (lane2 >>> 13), 3266489909);
  let h2 = Math.imul(lane2 ^ (lane2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** A 53-bit hash of `text`; `seed` (32-bit) gives independent families. */
export function hashString(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  return finish(h1, h2);
}

/** A 53-bit hash of four 32-bit words. */
export function hashWords(first: number, second: number, third: number, fourth: number): number {
  let h1 = Math.imul(0xdeadbeef ^ first, 2654435761);
  let h2 = Math.imul(0x41c6ce57 ^ first, 1597334677);
  h1 = Math.imul(h1 ^ second, 2654435761);
  h2 = Math.imul(h2 ^ second, 1597334677);
  h1 = Math.imul(h1 ^ third, 2654435761);
  h2 = Math.imul(h2 ^ third, 1597334677);
  h1 = Math.imul(h1 ^ fourth, 2654435761);
  h2 = Math.imul(h2 ^ fourth, 1597334677);
  return finish(h1, h2);
}

/** The low 32 bits of a 53-bit hash. */
export const lowWord = (hash: number): number => hash >>> 0;
/** The high 21 bits of a 53-bit hash. */
export const highWord = (hash: number): number => (hash / 4294967296) >>> 0;

/** A 53-bit hash of an ordered pair of 53-bit hashes. */
export function combineHashes(first: number, second: number): number {
  return hashWords(lowWord(first), highWord(first), lowWord(second), highWord(second));
}

/** MurmurHash3's 32-bit finaliser: every input bit affects every output bit. */
function finalize32(input: number): number {
  let h = input | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit seed from a hash (up to 53 bits) and a salt (attempt, candidate index, …). */
export function mixSeed(hash: number, salt: number): number {
  return finalize32(lowWord(hash) ^ finalize32(highWord(hash) + Math.imul(salt | 0, 0x9e3779b1)));
}

/** A uniform number in [0, 1) from a hash and a salt. */
export function hashToUnit(hash: number, salt: number): number {
  return mixSeed(hash, salt) / 4294967296;
}
