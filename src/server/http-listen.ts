/**
 * Starting and stopping a node:http server, for the API server and the workers' metrics
 * server: listening resolves once the port is bound (or rejects with the bind error), and
 * closing stops accepting, lets open requests finish up to a grace period, then cuts the rest.
 */
import type { Server } from 'node:http';

export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Stops accepting; waits for open requests up to `graceMs`, then cuts the rest. */
export function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** `http://host:port` for a listening server (an IPv6 host in brackets). */
export function urlOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
