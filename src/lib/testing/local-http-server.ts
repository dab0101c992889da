/**
 * Starting and stopping the small HTTP servers tests run (fake backends, webhook receivers,
 * web pages): listening on a free port of 127.0.0.1, and closing at once, open keep-alive
 * connections included.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens on a free port of 127.0.0.1; resolves the port. */
export async function listenLocal(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Closes the server and every connection it holds; resolves once it is closed (or was already). */
export async function closeNow(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve, reject) => server.close((error) => {
    if (error && (error as NodeJS.ErrnoException).code !== 'ERR_SERVER_NOT_RUNNING') reject(error);
    else resolve();
  }));
  server.closeAllConnections();
  await closed;
}
