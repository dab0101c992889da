import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { ListObjectsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describeBlobStoreContract, failingStream, readText, streamOf } from '../blob-store.contract.js';
import type { BlobStore } from '../blob-store.js';
import { createS3BlobStore, parseBlobUrl, S3_REQUEST_HANDLER, s3ClientOptionsFromEnv, type S3BlobStoreOptions } from './s3-blob-store.js';
import { S3RequestError } from './s3-call.js';
import { startLocalS3, type LocalS3 } from './testing/local-s3.js';

const MiB = 1024 * 1024;
let s3: LocalS3;

before(async () => {
  s3 = await startLocalS3({ bucket: 'blobs' });
});
after(async () => {
  await s3.close();
});

/** A store under a fresh prefix of the shared server, with 5 MiB parts so that multipart paths run. */
function openStore(options: Partial<S3BlobStoreOptions> = {}): { blobs: BlobStore; prefix: string } {
  const prefix = `test/${randomUUID()}`;
  const blobs = createS3BlobStore({ client: s3.client, bucket: s3.bucket, prefix, partSizeBytes: 5 * MiB, appendFlushMs: 5, ...options });
  return { blobs, prefix };
}

/** A client of its own that sees (and may fail) every command before it is sent. */
function interceptingClient(onCommand: (commandName: string) => void): S3Client {
  const client = new S3Client(s3.clientConfig);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      onCommand(context.commandName ?? '');
      return next(args);
    },
    { step: 'initialize', name: 'testInterceptor' },
  );
  return client;
}

/** Every object under `prefix`, as raw S3 sees it. */
async function rawKeys(prefix: string): Promise<string[]> {
  const page = await s3.client.send(new ListObjectsCommand({ Bucket: s3.bucket, Prefix: prefix }));
  return (page.Contents ?? []).map((object) => object.Key ?? '').sort();
}

const s3Error = (name: string, httpStatusCode: number): Error => Object.assign(new Error(`${name} (injected)`), { name, $metadata: { httpStatusCode } });

describeBlobStoreContract('S3 (s3rver in-process, 5 MiB parts)', async () => ({ blobs: openStore().blobs, close: async () => undefined }));

describe('S3 blob store', () => {
  test('two appenders on one key (a zombie and the new lease holder) never overwrite each other', async () => {
    const { blobs, prefix } = openStore();
    const key = 'batches/b1/shards/0';
    const [zombie, holder] = await Promise.all([blobs.openAppender(key), blobs.openAppender(key)]);
    const lines = (who: string): string[] => Array.from({ length: 20 }, (_, index) => `${who}${index}\n`);
    for (let index = 0; index < 20; index++) {
      await Promise.all([zombie.append(lines('z')[index]!), holder.append(lines('h')[index]!)]);
    }
    await Promise.all([zombie.close(), holder.close()]);
    const text = await readText(blobs, key);
    const written = text.split('\n').filter(Boolean);
    assert.deepEqual([...written].sort(), [...lines('z'), ...lines('h')].map((line) => line.trim()).sort(), 'every line of both, once');
    assert.deepEqual(written.filter((line) => line.startsWith('z')), lines('z').map((line) => line.trim()), "each appender's lines stay in order");
    const segments = await rawKeys(`${prefix}/${key}.seg/`);
    assert.ok(segments.length >= 40, `one segment per flush of each appender (${segments.length})`);
    assert.equal(await blobs.size(key), Buffer.byteLength(text));
  });

  test('a 12 MiB append is one multipart segment of three parts', async () => {
    const commands: string[] = [];
    const client = interceptingClient((name) => commands.push(name));
    try {
      const { blobs, prefix } = openStore({ client });
      const bytes = randomBytes(12 * MiB);
      assert.equal(await blobs.append('files/t1/big', Readable.from([bytes.subarray(0, 7 * MiB), bytes.subarray(7 * MiB)], { objectMode: false })), 12 * MiB);
      assert.deepEqual(commands.filter((name) => name !== 'ListObjectsCommand'), [
        'CreateMultipartUploadCommand', 'UploadPartCommand', 'UploadPartCommand', 'UploadPartCommand', 'CompleteMultipartUploadCommand',
      ]);
      assert.equal((await rawKeys(`${prefix}/files/t1/big.seg/`)).length, 1);
      const read = createHash('sha256');
      for await (const chunk of await blobs.read('files/t1/big')) read.update(chunk as Buffer);
      assert.equal(read.digest('hex'), createHash('sha256').update(bytes).digest('hex'));
    } finally {
      client.destroy();
    }
  });

  test('a stream that fails leaves nothing visible, in one part or many', async () => {
    const { blobs, prefix } = openStore();
    await blobs.append('uploads/u1', streamOf('kept;'));
    await assert.rejects(blobs.append('uploads/u1', failingStream('lost')), /client went away/);
    assert.equal(await blobs.size('uploads/u1'), 5, 'a failed single-part append adds nothing');
    await assert.rejects(blobs.append('uploads/u1', failingStream(randomBytes(11 * MiB))), /client went away/);
    assert.equal(await blobs.size('uploads/u1'), 5, 'a failed multipart append adds nothing');
    assert.equal((await rawKeys(`${prefix}/uploads/u1.seg/`)).length, 1);
    assert.equal(await readText(blobs, 'uploads/u1'), 'kept;');
  });

  test('a cut written by a truncate that died before deleting the original counts, and the next truncate tidies up', async () => {
    const { blobs, prefix } = openStore();
    await blobs.append('k', streamOf('hello world'));
    const folder = `${prefix}/k.seg/`;
    const [original] = await rawKeys(folder);
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${original}.5`, Body: Buffer.from('hello') }));
    assert.equal(await blobs.size('k'), 5, 'the shorter version of a segment counts');
    assert.equal(await blobs.append('k', streamOf('!')), 6);
    assert.equal(await readText(blobs, 'k'), 'hello!');
    await blobs.truncate('k', 4);
    assert.equal(await readText(blobs, 'k'), 'hell');
    const left = await rawKeys(folder);
    assert.equal(left.length, 1, `only the new cut is left: ${left.join(', ')}`);
    assert.match(left[0]!, /\.4$/);
  });

  test('listings are paged', async () => {
    const { blobs, prefix } = openStore({ listPageSize: 2 });
    for (let index = 0; index < 7; index++) await blobs.append('k', streamOf(String(index)));
    for (let index = 0; index < 5; index++) await blobs.append(`batches/b1/shards/${index}`, streamOf('x'));
    assert.equal(await blobs.size('k'), 7);
    assert.equal(await readText(blobs, 'k', { start: 1, end: 5 }), '12345');
    await blobs.truncate('k', 3);
    assert.equal(await readText(blobs, 'k'), '012');
    await blobs.copy('k', 'k2');
    assert.equal(await readText(blobs, 'k2'), '012');
    await blobs.deletePrefix('batches/');
    assert.deepEqual(await rawKeys(`${prefix}/batches/`), []);
  });

  test('servers without multi-object delete fall back to one delete per object', async () => {
    const client = interceptingClient((name) => {
      if (name === 'DeleteObjectsCommand') throw s3Error('NotImplemented', 501);
    });
    try {
      const { blobs, prefix } = openStore({ client });
      for (const key of ['batches/b1/a', 'batches/b1/b', 'batches/b2/a']) await blobs.append(key, streamOf(key));
      await blobs.deletePrefix('batches/b1/');
      const left = await rawKeys(`${prefix}/batches/`);
      assert.equal(left.length, 1);
      assert.match(left[0]!, /\/batches\/b2\/a\.seg\//);
      await blobs.delete('batches/b2/a');
      assert.deepEqual(await rawKeys(`${prefix}/batches/`), []);
    } finally {
      client.destroy();
    }
  });

  test('a failed segment write rejects exactly the appends it carried, naming the operation and blob', async () => {
    let isFailing = false;
    const client = interceptingClient((name) => {
      if (isFailing && name === 'PutObjectCommand') throw s3Error('SlowDown', 503);
    });
    try {
      const { blobs } = openStore({ client });
      const output = await blobs.openAppender('batches/b1/shards/0');
      await output.append('one\n');
      isFailing = true;
      const failed = [output.append('two\n'), output.append('three\n')];
      await assert.rejects(failed[0]!, /S3 PutObject of test\/.*batches\/b1\/shards\/0\.seg\/\d{16}-\w{8} failed: SlowDown/);
      await assert.rejects(failed[1]!, (error: unknown) => error instanceof S3RequestError && /SlowDown/.test(error.message) && error.isTransient);
      isFailing = false;
      await output.append('four\n');
      await output.close();
      assert.equal(await readText(blobs, 'batches/b1/shards/0'), 'one\nfour\n');
    } finally {
      client.destroy();
    }
  });

  test('an appender gathers the appends of one flush window into one segment', async () => {
    const { blobs, prefix } = openStore({ appendFlushMs: 30 });
    const output = await blobs.openAppender('log');
    await Promise.all(Array.from({ length: 50 }, (_, index) => output.append(`${index}\n`)));
    await output.close();
    assert.equal((await rawKeys(`${prefix}/log.seg/`)).length, 2, 'the empty segment of opening, then one for all 50 lines');
  });

  test('a reader that stops early does not fail', async () => {
    const { blobs } = openStore();
    for (let index = 0; index < 3; index++) await blobs.append('k', streamOf(`${index}`.repeat(1000)));
    const stream = await blobs.read('k');
    for await (const chunk of stream) {
      assert.ok((chunk as Buffer).length > 0);
      break;
    }
    assert.equal(stream.destroyed, true);
  });

  test('part sizes below S3 minimum are refused', () => {
    assert.throws(() => createS3BlobStore({ client: s3.client, bucket: 'b', prefix: '', partSizeBytes: MiB }), /at least 5242880/);
  });
});

describe('S3 outage (the server stopped, then started again on its port and directory)', () => {
  test('calls fail fast while it is down; once it is back, every stored byte is there and appends go on', async () => {
    const own = await startLocalS3({ bucket: 'outage' });
    const client = new S3Client({ ...own.clientConfig, requestHandler: S3_REQUEST_HANDLER });
    try {
      const blobs = createS3BlobStore({ client, bucket: own.bucket, prefix: 'p', appendFlushMs: 5 });
      const output = await blobs.openAppender('batches/b1/shards/0.log');
      await output.append('one\n');
      await own.stop();
      assert.equal(own.isRunning, false);
      const startedAt = Date.now();
      const failure = await output.append('lost\n').then(() => undefined, (error: unknown) => error);
      assert.ok(failure instanceof S3RequestError, `an S3RequestError: ${String(failure)}`);
      assert.equal(failure.isTransient, true, 'the API answers it as UNAVAILABLE');
      assert.match(failure.message, /S3 PutObject of p\/batches\/b1\/shards\/0\.log\.seg\/.* failed: ECONNREFUSED/);
      assert.ok(Date.now() - startedAt < 5_000, `failed within 5 s (${Date.now() - startedAt} ms)`);
      await assert.rejects(blobs.size('batches/b1/shards/0.log'), /S3 ListObjects of .* failed: ECONNREFUSED/);
      await own.start();
      assert.equal(own.isRunning, true);
      await output.append('two\n');
      await output.close();
      assert.equal(await readText(blobs, 'batches/b1/shards/0.log'), 'one\ntwo\n');
    } finally {
      client.destroy();
      await own.close();
    }
  });
});

describe('parseBlobUrl', () => {
  test('splits bucket and prefix, without slashes at the ends', () => {
    assert.deepEqual(parseBlobUrl('s3://my-bucket/some/prefix'), { bucket: 'my-bucket', prefix: 'some/prefix' });
    assert.deepEqual(parseBlobUrl('s3://my-bucket/some/prefix/'), { bucket: 'my-bucket', prefix: 'some/prefix' });
    assert.deepEqual(parseBlobUrl('s3://my.bucket'), { bucket: 'my.bucket', prefix: '' });
    assert.deepEqual(parseBlobUrl('s3://my-bucket/'), { bucket: 'my-bucket', prefix: '' });
  });

  test('says what is wrong with a bad URL', () => {
    assert.throws(() => parseBlobUrl('https://my-bucket/x'), /Invalid blob URL "https:\/\/my-bucket\/x": it must start with s3:\/\//);
    assert.throws(() => parseBlobUrl('s3://'), /bucket name is missing/);
    assert.throws(() => parseBlobUrl('s3:///prefix'), /bucket name is missing/);
    assert.throws(() => parseBlobUrl('s3://ab/x'), /"ab" is not a valid bucket name/);
    assert.throws(() => parseBlobUrl('s3://bad_bucket!/x'), /not a valid bucket name/);
    assert.throws(() => parseBlobUrl('s3://bucket/a//b'), /empty, "\." or "\.\." path segments/);
    assert.throws(() => parseBlobUrl('s3://bucket/a/../b'), /path segments/);
    assert.throws(() => parseBlobUrl('s3://bucket/a?versionId=1'), /must not contain/);
  });
});

describe('s3ClientOptionsFromEnv', () => {
  test('a custom endpoint gets path-style addressing, a default region and checksums only where required', () => {
    assert.deepEqual(
      s3ClientOptionsFromEnv({ AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9000', AWS_ACCESS_KEY_ID: 'id', AWS_SECRET_ACCESS_KEY: 'secret', HOME: '/root' }),
      {
        endpoint: 'http://127.0.0.1:9000', forcePathStyle: true, region: 'us-east-1',
        credentials: { accessKeyId: 'id', secretAccessKey: 'secret' },
        requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED',
      },
    );
  });

  test('AWS_ENDPOINT_URL_S3 wins over AWS_ENDPOINT_URL; region, session token and checksum settings are passed on', () => {
    assert.deepEqual(
      s3ClientOptionsFromEnv({
        AWS_ENDPOINT_URL: 'http://general:1', AWS_ENDPOINT_URL_S3: 'https://s3.example.com', AWS_DEFAULT_REGION: 'eu-west-3',
        AWS_ACCESS_KEY_ID: 'id', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token', AWS_REQUEST_CHECKSUM_CALCULATION: 'when_supported',
      }),
      {
        endpoint: 'https://s3.example.com', forcePathStyle: true, region: 'eu-west-3',
        credentials: { accessKeyId: 'id', secretAccessKey: 'secret', sessionToken: 'token' },
        requestChecksumCalculation: 'WHEN_SUPPORTED', responseChecksumValidation: 'WHEN_REQUIRED',
      },
    );
    assert.equal(s3ClientOptionsFromEnv({ AWS_ENDPOINT_URL: 'http://general:1' }).endpoint, 'http://general:1');
  });

  test('plain AWS leaves everything unset to the SDK, and a half-set key pair is ignored', () => {
    assert.deepEqual(s3ClientOptionsFromEnv({}), {});
    assert.deepEqual(s3ClientOptionsFromEnv({ AWS_REGION: 'us-west-2', AWS_ACCESS_KEY_ID: 'id', AWS_ENDPOINT_URL: '' }), { region: 'us-west-2' });
  });

  test('bad values name the variable', () => {
    assert.throws(() => s3ClientOptionsFromEnv({ AWS_ENDPOINT_URL_S3: 'localhost:9000' }), /AWS_ENDPOINT_URL_S3/);
    assert.throws(() => s3ClientOptionsFromEnv({ AWS_RESPONSE_CHECKSUM_VALIDATION: 'always' }), /AWS_RESPONSE_CHECKSUM_VALIDATION/);
  });
});
