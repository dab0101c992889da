/** Reads a recorded OpenAI-compatible server answer from test/fixtures/openai (tests and checks only). */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const FIXTURES_DIR = resolve(import.meta.dirname, '../../../../test/fixtures/openai');

/** The parsed fixture `name` (without `.json`), typed as the caller says it is; a fresh copy each call. */
export function loadFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, `${name}.json`), 'utf8')) as T;
}
