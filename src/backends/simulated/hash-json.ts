/**
 * A structural hash of JSON values, without serialising them: faster than hashing
 * `JSON.stringify` output, and canonical: deep-equal values hash the same whatever their key
 * order, because an object's hash combines its entries' hashes with a commutative sum.
 */
import { combineHashes, hashString, hashWords, highWord, lowWord } from './hash.js';

const STRING_SEED = 0x5354;
const KEY_SEED = 0x4b45;
const TAG_NULL = 1;
const TAG_FALSE = 2;
const TAG_TRUE = 3;
const TAG_POSITIVE = 4;
const TAG_NEGATIVE = 5;
const TAG_FLOAT = 6;
const TAG_ARRAY = 7;
const TAG_OBJECT = 8;

/** The 53-bit hash of a JSON value; `undefined` members are skipped, as JSON.stringify drops them. */
export function hashJson(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return hashString(value, STRING_SEED);
    case 'number':
      if (Number.isSafeInteger(value)) {
        const magnitude = Math.abs(value);
        return hashWords(value < 0 ? TAG_NEGATIVE : TAG_POSITIVE, 0, lowWord(magnitude), highWord(magnitude));
      }
      return hashString(String(value), TAG_FLOAT);
    case 'boolean':
      return hashWords(value ? TAG_TRUE : TAG_FALSE, 0, 0, 0);
    case 'object':
      if (value === null) return hashWords(TAG_NULL, 0, 0, 0);
      if (Array.isArray(value)) {
        let hash = hashWords(TAG_ARRAY, value.length, 0, 0);
        for (const item of value as unknown[]) hash = combineHashes(hash, item === undefined ? hashJson(null) : hashJson(item));
        return hash;
      }
      return hashJsonObject(value as Record<string, unknown>);
    default:
      return hashWords(TAG_NULL, 0, 0, 0);
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
    const entry = combineHashes(hashString(key, KEY_SEED), hashJson(value));
    low = (low + lowWord(entry)) >>> 0;
    high = (high + highWord(entry)) >>> 0;
    count += 1;
  }
  return hashWords(TAG_OBJECT, count, low, high);
}
