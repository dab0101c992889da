/**
 * The behavioural contract every BlobStore implementation must meet. Each implementation's test
 * file calls `describeBlobStoreContract` with a factory that opens a fresh, empty blob store on
 * real storage (a temp directory, an in-process S3 server; never a mock).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { AppError } from '../core/errors.js';
import type { BlobStore, ByteRange } from './blob-store.js';

/** Opens a fresh, empty blob store; `close` releases whatever it holds. */
export type OpenBlobStore = () => Promise<{ blobs: BlobStore; close(): Promise<void> }>;

/** A byte stream of the given pieces, one chunk each. */
export const streamOf = (...pieces: (string | Buffer)[]): Readable =>
  Readable.from(pieces.map((piece) => Buffer.from(piece)), { objectMode: false });

/** A stream that sends `sent` and then fails, like a client that goes away mid-upload. */
export function failingStream(sent: Buffer | string): Readable {
  async function* pieces(): AsyncGenerator<Buffer> {
    yield Buffer.from(sent);
    await new Promise((resolve) => setImmediate(resolve));
    throw new Error('client went away');
  }
  return Readable.from(pieces(), { objectMode: false });
}

/** The whole blob, or one range of it, as a string. */
export async function readText(blobs: BlobStore, key: string, range?: ByteRange): Promise<string> {
  return (await readBytes(blobs, key, range)).toString();
}

async function readBytes(blobs: BlobStore, key: string, range?: ByteRange): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await blobs.read(key, range)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function withBlobs(open: OpenBlobStore, body: (blobs: BlobStore) => Promise<void>): Promise<void> {
  const opened = await open();
  try {
    await body(opened.blobs);
  } finally {
    await opened.close();
  }
}

const isNotFound = (error: unknown): boolean => error instanceof AppError && error.status === 'NOT_FOUND';

/** Registers the contract suite for one BlobStore implementation. */
export function describeBlobStoreContract(name: string, open: OpenBlobStore): void {
  describe(`BlobStore contract: ${name}`, () => {
    test('append creates the blob, grows it, resolves the new size; reads return the appends concatenated', () =>
      withBlobs(open, async (blobs) => {
        assert.equal(await blobs.append('files/t1/f1', streamOf('hello ')), 6);
        assert.equal(await blobs.append('files/t1/f1', streamOf('wor', 'ld')), 11);
        assert.equal(await blobs.append('files/t1/f1', streamOf()), 11, 'an empty stream adds nothing');
        assert.equal(await blobs.size('files/t1/f1'), 11);
        assert.equal(await readText(blobs, 'files/t1/f1'), 'hello world');
        assert.equal(await blobs.append('files/t1/empty', streamOf()), 0);
        assert.equal(await blobs.size('files/t1/empty'), 0, 'an empty append still creates the blob');
        assert.equal(await readText(blobs, 'files/t1/empty'), '');
      }));

    test('a missing blob has no size and reading it rejects with NOT_FOUND', () =>
      withBlobs(open, async (blobs) => {
        assert.equal(await blobs.size('files/t1/nope'), undefined);
        await assert.rejects(blobs.read('files/t1/nope'), isNotFound);
        await assert.rejects(blobs.read('files/t1/nope', { start: 0, end: 9 }), isNotFound);
      }));

    test('byte ranges are inclusive and may span appends', () =>
      withBlobs(open, async (blobs) => {
        for (const piece of ['abc', 'defg', 'hij']) await blobs.append('k', streamOf(piece));
        assert.equal(await readText(blobs, 'k', { start: 0, end: 0 }), 'a');
        assert.equal(await readText(blobs, 'k', { start: 2, end: 3 }), 'cd', 'across the first boundary');
        assert.equal(await readText(blobs, 'k', { start: 3, end: 6 }), 'defg', 'exactly one append');
        assert.equal(await readText(blobs, 'k', { start: 1, end: 8 }), 'bcdefghi', 'across both boundaries');
        assert.equal(await readText(blobs, 'k', { start: 9, end: 9 }), 'j', 'the last byte');
        assert.equal(await readText(blobs, 'k', { start: 7, end: 100 }), 'hij', 'an end past the blob stops at its end');
        assert.equal(await readText(blobs, 'k', { start: 0, end: 9 }), 'abcdefghij');
      }));

    test('readBytes, where the adapter has it, answers what read answers, whole and by range; NOT_FOUND when missing', () =>
      withBlobs(open, async (blobs) => {
        const read = blobs.readBytes?.bind(blobs);
        if (!read) return;
        for (const piece of ['abc', 'defg', 'hij']) await blobs.append('k', streamOf(piece));
        assert.equal((await read('k')).toString(), 'abcdefghij');
        for (const range of [{ start: 0, end: 0 }, { start: 2, end: 3 }, { start: 1, end: 8 }, { start: 9, end: 9 }, { start: 7, end: 100 }]) {
          assert.equal((await read('k', range)).toString(), await readText(blobs, 'k', range), JSON.stringify(range));
        }
        await blobs.append('empty', streamOf());
        assert.equal((await read('empty')).length, 0);
        await assert.rejects(read('files/t1/nope'), isNotFound);
        await assert.rejects(read('files/t1/nope', { start: 0, end: 9 }), isNotFound);
      }));

    test('truncate cuts inside an append, at a boundary and to zero; appends continue from the cut', () =>
      withBlobs(open, async (blobs) => {
        for (const piece of ['hello ', 'world', '!!']) await blobs.append('k', streamOf(piece));
        await blobs.truncate('k', 13);
        assert.equal(await readText(blobs, 'k'), 'hello world!!', 'truncating to the size changes nothing');
        await blobs.truncate('k', 8);
        assert.equal(await blobs.size('k'), 8);
        assert.equal(await readText(blobs, 'k'), 'hello wo');
        assert.equal(await readText(blobs, 'k', { start: 4, end: 7 }), 'o wo');
        assert.equal(await blobs.append('k', streamOf('X')), 9);
        assert.equal(await readText(blobs, 'k'), 'hello woX');
        await blobs.truncate('k', 6);
        assert.equal(await readText(blobs, 'k'), 'hello ', 'at the boundary of the first append');
        await blobs.truncate('k', 0);
        assert.equal(await blobs.size('k'), 0, 'truncated to zero, the blob still exists');
        assert.equal(await readText(blobs, 'k'), '');
        assert.equal(await blobs.append('k', streamOf('new')), 3);
        assert.equal(await readText(blobs, 'k'), 'new');
      }));

    test('copy is an independent snapshot and replaces the target', () =>
      withBlobs(open, async (blobs) => {
        await blobs.append('files/t1/f1', streamOf('one,'));
        await blobs.append('files/t1/f1', streamOf('two'));
        await blobs.append('batches/b1/input.jsonl', streamOf('an older and longer input'));
        await blobs.copy('files/t1/f1', 'batches/b1/input.jsonl');
        assert.equal(await readText(blobs, 'batches/b1/input.jsonl'), 'one,two');
        await blobs.append('files/t1/f1', streamOf(',three'));
        assert.equal(await readText(blobs, 'batches/b1/input.jsonl'), 'one,two', 'appending to the source leaves the copy alone');
        await blobs.append('batches/b1/input.jsonl', streamOf('!'));
        assert.equal(await readText(blobs, 'files/t1/f1'), 'one,two,three', 'appending to the copy leaves the source alone');
        await blobs.truncate('files/t1/f1', 3);
        assert.equal(await readText(blobs, 'batches/b1/input.jsonl'), 'one,two!', 'truncating the source leaves the copy alone');
        await assert.rejects(blobs.copy('files/t1/nope', 'batches/b2/input.jsonl'));
      }));

    test('move renames a blob, replacing the target', () =>
      withBlobs(open, async (blobs) => {
        await blobs.append('uploads/u1', streamOf('staged ', 'bytes'));
        await blobs.append('files/t1/f1', streamOf('old'));
        await blobs.move('uploads/u1', 'files/t1/f1');
        assert.equal(await blobs.size('uploads/u1'), undefined);
        assert.equal(await readText(blobs, 'files/t1/f1'), 'staged bytes');
        await assert.rejects(blobs.move('uploads/nope', 'files/t1/f2'));
      }));

    test('delete removes a blob; deleting an absent blob is fine', () =>
      withBlobs(open, async (blobs) => {
        await blobs.append('files/t1/f1', streamOf('a'));
        await blobs.append('files/t1/f1', streamOf('b'));
        await blobs.append('files/t1/f2', streamOf('keep'));
        await blobs.delete('files/t1/f1');
        assert.equal(await blobs.size('files/t1/f1'), undefined);
        await assert.rejects(blobs.read('files/t1/f1'), isNotFound);
        await blobs.delete('files/t1/f1');
        await blobs.delete('files/t9/never');
        assert.equal(await readText(blobs, 'files/t1/f2'), 'keep');
        assert.equal(await blobs.append('files/t1/f1', streamOf('again')), 5, 'a deleted key starts afresh');
      }));

    test('deletePrefix removes exactly the blobs under the prefix', () =>
      withBlobs(open, async (blobs) => {
        const keys = ['batches/b1/input.jsonl', 'batches/b1/shards/0', 'batches/b1/shards/1', 'batches/b10/input.jsonl', 'batches/b1.jsonl', 'files/t1/b1'];
        for (const key of keys) await blobs.append(key, streamOf(key));
        await blobs.deletePrefix('batches/b1/');
        for (const key of keys.slice(0, 3)) assert.equal(await blobs.size(key), undefined, key);
        for (const key of keys.slice(3)) assert.equal(await readText(blobs, key), key, `${key} survives`);
        await blobs.deletePrefix('batches/b1/');
        await blobs.deletePrefix('batches/none/');
        await assert.rejects(blobs.deletePrefix('batches/b1'), /must end with/);
      }));

    test('keys that escape the store are refused', () =>
      withBlobs(open, async (blobs) => {
        await assert.rejects(blobs.append('../outside', streamOf('x')));
        await assert.rejects(blobs.read('/etc/passwd'));
        await assert.rejects(blobs.openAppender('files/../../outside'));
      }));

    test('openAppender creates the blob; concurrent appends all land, in order, each readable once resolved', () =>
      withBlobs(open, async (blobs) => {
        const output = await blobs.openAppender('batches/b1/shards/0');
        assert.equal(await blobs.size('batches/b1/shards/0'), 0, 'opened means created');
        const lines = Array.from({ length: 60 }, (_, index) => `${index}\t{"response":${index}}\n`);
        await Promise.all(
          lines.map((line) =>
            output.append(line).then(async () => {
              assert.ok((await readText(blobs, 'batches/b1/shards/0')).includes(line), `${line.trim()} is readable once its append resolved`);
            }),
          ),
        );
        assert.equal(await readText(blobs, 'batches/b1/shards/0'), lines.join(''));
        const last = output.append('last\n');
        await output.close();
        await last;
        assert.equal(await readText(blobs, 'batches/b1/shards/0'), `${lines.join('')}last\n`, 'close flushes');
        await assert.rejects(output.append('late\n'), /closed/);
      }));

    test('an appender reopened after a truncate continues the blob (shard resume)', () =>
      withBlobs(open, async (blobs) => {
        const key = 'batches/b1/shards/3';
        const first = await blobs.openAppender(key);
        await Promise.all([first.append('0\tone\n'), first.append('1\ttwo\n')]);
        await first.append('2\tthr');
        await first.close();
        await blobs.truncate(key, 12); // back to the last complete line
        const second = await blobs.openAppender(key);
        await second.append('2\tthree\n');
        await second.close();
        const third = await blobs.openAppender(key);
        await third.append('3\tfour\n');
        await third.close();
        assert.equal(await readText(blobs, key), '0\tone\n1\ttwo\n2\tthree\n3\tfour\n');
      }));

    test('a stream failing half-way rejects; truncating back to the old size restores the blob', () =>
      withBlobs(open, async (blobs) => {
        const key = 'uploads/u1';
        await blobs.append(key, streamOf('chunk one;'));
        const before = (await blobs.size(key))!;
        await assert.rejects(blobs.append(key, failingStream('half of chunk two')), /client went away/);
        await blobs.truncate(key, before); // what the upload service does after a failed chunk
        assert.equal(await readText(blobs, key), 'chunk one;');
        assert.equal(await blobs.append(key, streamOf('chunk two;')), 20);
        assert.equal(await readText(blobs, key), 'chunk one;chunk two;');
      }));

    test('a 20 MiB append streams through and reads back intact', () =>
      withBlobs(open, async (blobs) => {
        const total = 20 * 1024 * 1024;
        const written = createHash('sha256');
        let sample = Buffer.alloc(0);
        async function* generate(): AsyncGenerator<Buffer> {
          for (let sent = 0; sent < total; ) {
            const chunk = randomBytes(Math.min(100_003, total - sent)); // odd size: parts never line up with chunks
            if (sent <= 12_000_000 && sent + chunk.length > 12_000_000) sample = chunk;
            written.update(chunk);
            sent += chunk.length;
            yield chunk;
          }
        }
        assert.equal(await blobs.append('files/t1/big', streamOf('head:')), 5);
        assert.equal(await blobs.append('files/t1/big', Readable.from(generate(), { objectMode: false })), total + 5);
        assert.equal(await blobs.size('files/t1/big'), total + 5);
        const read = createHash('sha256');
        let bytes = 0;
        for await (const chunk of await blobs.read('files/t1/big', { start: 5, end: total + 4 })) {
          read.update(chunk as Buffer);
          bytes += (chunk as Buffer).length;
        }
        assert.equal(bytes, total);
        assert.equal(read.digest('hex'), written.digest('hex'));
        const sampleStart = 5 + 12_000_000 - (12_000_000 % 100_003);
        const window = await readBytes(blobs, 'files/t1/big', { start: sampleStart, end: sampleStart + sample.length - 1 });
        assert.ok(window.equals(sample), 'a range in the middle of a big append');
      }));
  });
}
