/** Random identifiers: lowercase alphanumerics only (the SDK truncates file ids at a dash). */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** A random `[a-z0-9]{length}` string from a CSPRNG (rejection sampling, so no bias). */
export function randomId(length: number): string {
  let result = '';
  while (result.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 252 && result.length < length) result += ALPHABET[byte % 36];
    }
  }
  return result;
}

/** Generates ids; injectable so tests can make them predictable. */
export type IdGenerator = (length: number) => string;
