/**
 * The upload figure's ceiling: the least a server can do for the resumable upload protocol the
 * bench client speaks, on bare `node:http`: `start` answers an upload URL; each chunk's body is
 * streamed to a file in the given directory (appended) with SHA-256 taken on the way; the last
 * chunk (`upload, finalize`) answers `{file: {name, sizeBytes}}` with the digest. No store, no
 * auth, no checks. Run as a process of its own (child-server.ts); prints `{"baseUrl": …}`.
 *
 *   node --import tsx bench/support/upload-ceiling-child.ts <directory>
 */
import { createHash, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const directory = process.argv[2];
if (!directory) throw new Error('usage: upload-ceiling-child.ts <directory>');
const uploads = new Map<string, { path: string; hash: Hash; bytes: number }>();
let nextId = 0;

const server = createServer((request, response) => {
  const command = String(request.headers['x-goog-upload-command'] ?? '');
  if (command === 'start') {
    const id = `u${nextId++}`;
    uploads.set(id, { path: join(directory, id), hash: createHash('sha256'), bytes: 0 });
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'x-goog-upload-url': `http://${request.headers.host}/upload/${id}`, 'x-goog-upload-status': 'active' });
      response.end('{}');
    });
    return;
  }
  const upload = uploads.get(request.url?.split('/').pop() ?? '');
  if (!upload) {
    response.writeHead(404).end();
    return;
  }
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      upload.hash.update(chunk);
      upload.bytes += chunk.length;
      done(null, chunk);
    },
  });
  pipeline(request, tap, createWriteStream(upload.path, { flags: 'a' })).then(
    () => {
      if (!command.includes('finalize')) {
        response.writeHead(200, { 'x-goog-upload-status': 'active' }).end();
        return;
      }
      const body = JSON.stringify({ file: { name: `files/${upload.path.split('/').pop()}`, sizeBytes: String(upload.bytes), sha256Hash: upload.hash.digest('base64') } });
      response.writeHead(200, { 'content-type': 'application/json', 'x-goog-upload-status': 'final' }).end(body);
    },
    (error: unknown) => response.writeHead(500).end(String(error)),
  );
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
