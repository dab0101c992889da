/**
 * A structural hash of JSON values, without serialising them: faster than hashing
 * `JSON.stringify` output, and canonical: deep-equal values hash the same whatever their key
 * order, because an object's hash combines its entries' hashes with a commutative sum.
 */
import { combineHashes, hashString, hashWords, highWord, lowWord } from './hash.js';

/** Seeds of string values and object keys, so that `"a"` and a key `a` hash apart. */
const SEED = { string: 0x5354, key: 0x4b45 } as const;
/** The first hashed word of each kind of value, so that kinds never collide. */
const TAG = { null: 1, false: 2, true: 3, positive: 4, negative: 5, float: 6, array: 7, object: 8 } as const;

/** The 53-bit hash of a JSON value; `undefined` members are skipped, as JSON.stringify drops them. */
export function hashJson(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return hashString(value, SEED.string);
    case 'number':
      if (Number.isSafeInteger(value)) {
        const magnitude = Math.abs(value);
        return hashWords(value < 0 ? TAG.negative : TAG.positive, 0, lowWord(magnitude), highWord(magnitude));
      }
      return hashString(String(value), TAG.float);
    case 'boolean':
      return hashWords(value ? TAG.true : TAG.false, 0, 0, 0);
    case 'object':
      if (value === null) return hashWords(TAG.null, 0, 0, 0);
      if (Array.isArray(value)) {
        let hash = hashWords(TAG.array, value.length, 0, 0);
        for (const item of value as unknown[]) hash = combineHashes(hash, item === undefined ? hashJson(null) : hashJson(item));
        return hash;
      }
      return hashJsonObject(value as Record<string, unknown>);
    default:
      return hashWords(TAG.null, 0, 0, 0);
  }
}

/** The hash of `object` without the keys in `skip` (as if they were absent). */
export function hashJsonObject(object: Record<string, unknown>, skip?: ReadonlySet<string>): number {
  let low = 0;
  let high = 0;
  let count = 0;
  for (const key in object) {
    if (!Object.hasOwn(object, key) || skip?.has(key) === true) continue;
    const value = object[key];
    if (value === undefined) continue;
    const entry = combineHashes(hashString(key, SEED.key), hashJson(value));
    low = (low + lowWord(entry)) >>> 0;
    high = (high + highWord(entry)) >>> 0;
    count += 1;
  }
  return hashWords(TAG.object, count, low, high);
}
