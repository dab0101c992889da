/**
 * Test kit shared by the backends' tests: a one-text request, the BackendError a call fails
 * with, a stream's chunks, the port of a closed server, and the process warnings a run raised.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { GenerateContentRequest, GenerateContentResponse } from '../../core/gemini-types.js';
import { BackendError } from '../backend.js';

/** A request of one user turn saying `text`. */
export const ask = (text: string): GenerateContentRequest => ({ contents: [{ role: 'user', parts: [{ text }] }] });

/** The BackendError `promise` rejects with; fails the test if it resolves or rejects otherwise. */
export async function failure(promise: Promise<unknown>): Promise<BackendError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof BackendError, `expected a BackendError, got ${String(error)}`);
    return error;
  }
  assert.fail('the call succeeded');
}

/** Every chunk of a stream, in order. */
export async function collect(stream: AsyncIterable<GenerateContentResponse>): Promise<GenerateContentResponse[]> {
  const chunks: GenerateContentResponse[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

/** A local port nothing listens on (a server was opened there and closed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Runs `run` and returns the names of the process warnings (MaxListenersExceededWarning, …) it raised. */
export async function warningsDuring(run: () => Promise<void>): Promise<string[]> {
  const warnings: string[] = [];
  const onWarning = (warning: Error): void => void warnings.push(warning.name);
  process.on('warning', onWarning);
  try {
    await run();
    // Warnings are emitted on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
    return warnings;
  } finally {
    process.off('warning', onWarning);
  }
}

/**
 * Counts arrivals (a fake server's handler calls `arrive` once per request): `all` resolves at
 * the `count`th, so a test acts once the calls are in flight instead of after a guessed delay.
 */
export function countArrivals(count: number): { arrive: () => void; all: Promise<void> } {
  let arrived = 0;
  let resolveAll = (): void => {};
  const all = new Promise<void>((resolve) => (resolveAll = resolve));
  return {
    arrive: () => {
      if (++arrived === count) resolveAll();
    },
    all,
  };
}
