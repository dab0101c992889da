/** Progress lines on stderr, stamped with the time since the bench started. */
export type Log = (message: string) => void;

export function createLog(startedAt = performance.now(), prefix = 'bench'): Log {
  return (message) => {
    const seconds = ((performance.now() - startedAt) / 1000).toFixed(1).padStart(6);
    process.stderr.write(`[${prefix} ${seconds}s] ${message}\n`);
  };
}

/** The same log with a figure's name in front of each line. */
export function withTopic(log: Log, topic: string): Log {
  return (message) => log(`${topic}: ${message}`);
}
