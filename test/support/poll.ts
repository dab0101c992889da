/**
 * Waiting for a condition: reads until `isDone` holds, or fails after `timeoutMs` with the last
 * value read. The deadline bounds a failure; it is not what a test asserts. For time passing on
 * purpose (an outage held open, a slow client), see hold.ts.
 */
export async function pollUntil<T>(
  read: () => Promise<T>,
  isDone: (value: T) => boolean,
  timeoutMs = 20_000,
  intervalMs = 50,
  what = 'the condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (isDone(value)) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs} ms; last value: ${describe(value)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

const describe = (value: unknown): string => (typeof value === 'string' ? `\n${value}` : JSON.stringify(value));
