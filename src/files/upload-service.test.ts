// The upload service: resumable chunks at offsets (a re-sent chunk's overlap dropped, an
// offset past what was received refused), finalize checking the declared size, cancel
// removing the staged bytes, and the running hash right even when another process took a chunk.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { beforeEach, test } from 'node:test';
import { stagingKey } from '../core/blob-keys.js';
import { AppError } from '../core/errors.js';
import { randomId } from '../lib/ids.js';
import { silentLogger } from '../lib/logger.js';
import { manualClock, readText, TENANT } from '../batches/testing/batch-fixture.js';
import { useTempStorage } from '../store/testing/temp-storage.js';
import type { FileServiceDeps } from './file-deps.js';
import { createFileServices } from './index.js';
import { createUploadService, type UploadService } from './upload-service.js';
import { createUploadState } from './upload-state.js';

const clock = manualClock();
const storage = useTempStorage('batchmode-uploads-');
let deps: FileServiceDeps;
let uploads: UploadService;
beforeEach(() => {
  deps = { store: storage.store, blobs: storage.blobs, clock, randomId, logger: silentLogger, maxUploadBytes: 1024, fileRetentionMs: 60_000 };
  uploads = createUploadService(deps);
});

const body = (text: string): Readable => Readable.from([Buffer.from(text)]);
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const start = (declaredSizeBytes?: number): Promise<string> =>
  uploads.start({ tenantId: TENANT, displayName: 'notes', mimeType: 'text/plain', declaredSizeBytes }).then((session) => session.uploadId);
const send = (uploadId: string, offset: number, text: string, finalize = false, service = uploads) =>
  service.appendChunk(uploadId, { offset, body: body(text), finalize });

async function refusal(promise: Promise<unknown>, status: string): Promise<AppError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  assert.ok(error instanceof AppError, `expected ${status}, got ${String(error)}`);
  assert.equal(error.status, status);
  return error;
}

test('chunks at their offsets become one file with the hash of all its bytes', async () => {
  const uploadId = await start(10);
  assert.deepEqual(await send(uploadId, 0, 'hello'), { status: 'active', receivedBytes: 5 });
  const result = await send(uploadId, 5, 'world', true);
  assert.equal(result.status, 'final');
  const file = result.status === 'final' ? result.file : assert.fail();
  assert.deepEqual([file.sizeBytes, file.sha256Hex, file.displayName, file.mimeType, file.state], [10, sha256('helloworld'), 'notes', 'text/plain', 'ACTIVE']);
  assert.equal(await readText(storage.blobs, file.blobKey), 'helloworld');
  assert.deepEqual(await storage.store.files.get(TENANT, file.id), file);
  await refusal(uploads.query(uploadId), 'NOT_FOUND');
});

test('a chunk sent again keeps only its new bytes', async () => {
  const uploadId = await start();
  await send(uploadId, 0, 'hello');
  assert.deepEqual(await send(uploadId, 0, 'hello'), { status: 'active', receivedBytes: 5 }, 'an exact resend adds nothing');
  assert.deepEqual(await send(uploadId, 3, 'lo wor'), { status: 'active', receivedBytes: 9 }, 'an overlapping chunk adds its tail');
  const file = await uploads.finalize(uploadId);
  assert.deepEqual([file.sizeBytes, file.sha256Hex], [9, sha256('hello wor')]);
  assert.equal(await readText(storage.blobs, file.blobKey), 'hello wor');
});

test('an offset past what was received is refused with the size to resume from', async () => {
  const uploadId = await start();
  await send(uploadId, 0, 'abc');
  const error = await refusal(send(uploadId, 7, 'xyz'), 'INVALID_ARGUMENT');
  assert.equal(error.headers['x-goog-upload-size-received'], '3');
  assert.equal((await uploads.query(uploadId)).receivedBytes, 3);
  assert.equal(await readText(storage.blobs, stagingKey(uploadId)), 'abc');
});

test('finalizing with other than the declared size is refused and the upload stays open', async () => {
  const uploadId = await start(10);
  await send(uploadId, 0, 'four');
  assert.match((await refusal(uploads.finalize(uploadId), 'INVALID_ARGUMENT')).message, /4 bytes, but 10 were declared/);
  assert.equal((await uploads.query(uploadId)).receivedBytes, 4);
  // The refused finalize consumed no state it needed: the rest of the bytes still finish the file.
  const result = await send(uploadId, 4, 'sixsix', true);
  assert.equal(result.status === 'final' && result.file.sha256Hex, sha256('foursixsix'));
});

test('bytes past the declared size are refused and not kept', async () => {
  const uploadId = await start(4);
  await send(uploadId, 0, 'ab');
  await refusal(send(uploadId, 2, 'cdef'), 'INVALID_ARGUMENT');
  assert.equal((await uploads.query(uploadId)).receivedBytes, 2);
  assert.equal(await readText(storage.blobs, stagingKey(uploadId)), 'ab');
});

test('cancel removes the session and its staged bytes', async () => {
  const uploadId = await start();
  await send(uploadId, 0, 'staged');
  assert.equal(await storage.blobs.size(stagingKey(uploadId)), 6);
  await uploads.cancel(uploadId);
  assert.equal(await storage.blobs.size(stagingKey(uploadId)), undefined);
  await refusal(uploads.query(uploadId), 'NOT_FOUND');
  await refusal(uploads.cancel(uploadId), 'NOT_FOUND');
  await refusal(send(uploadId, 6, 'more'), 'NOT_FOUND');
});

test('a second request for an upload while one is in progress is refused', async () => {
  const uploadId = await start();
  const slow = new Readable({ read: () => undefined });
  const first = uploads.appendChunk(uploadId, { offset: 0, body: slow, finalize: false });
  await refusal(send(uploadId, 0, 'other'), 'ABORTED');
  slow.push('first');
  slow.push(null);
  assert.deepEqual(await first, { status: 'active', receivedBytes: 5 });
});

test('the hash is rebuilt from the staged bytes when another process took the previous chunk', async () => {
  const other = createUploadService(deps);
  const uploadId = await start();
  await send(uploadId, 0, 'one ');
  await send(uploadId, 4, 'two ', false, other);
  const result = await send(uploadId, 8, 'three', true);
  assert.equal(result.status === 'final' && result.file.sha256Hex, sha256('one two three'));
});

test('the retention sweep removes an idle upload and forgets its in-memory state', async () => {
  const uploadState = createUploadState(clock);
  const services = createFileServices({ ...deps, uploadState });
  uploads = services.uploads;
  const idle = await start();
  await send(idle, 0, 'idle');
  clock.advance(10_000);
  const busy = await start();
  await send(busy, 0, 'busy');
  assert.equal(uploadState.size, 2);

  assert.deepEqual(await services.files.sweep(clock.now() - 5_000), { files: 0, uploads: 1 });
  assert.equal(uploadState.size, 1);
  assert.equal(await storage.blobs.size(stagingKey(idle)), undefined);
  await refusal(uploads.query(idle), 'NOT_FOUND');
  const result = await send(busy, 4, '!', true);
  assert.equal(result.status === 'final' && result.file.sha256Hex, sha256('busy!'));
});
