import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import { ByteMeter, TooManyBytesError } from './byte-meter.js';

const sink = (parts: Buffer[]): Writable =>
  new Writable({ write(chunk: Buffer, _e, done) { parts.push(chunk); done(); } });

test('hashes, counts and passes bytes through, dropping a skipped prefix', async () => {
  const hash = createHash('sha256');
  const meter = new ByteMeter({ hash, skipBytes: 3, maxBytes: 100 });
  const parts: Buffer[] = [];
  await pipeline(Readable.from([Buffer.from('ab'), Buffer.from('cdef'), Buffer.from('gh')]), meter, sink(parts));
  assert.equal(Buffer.concat(parts).toString(), 'defgh');
  assert.equal(meter.bytes, 5);
  assert.equal(hash.digest('hex'), createHash('sha256').update('defgh').digest('hex'));
});

test('fails once more than maxBytes pass', async () => {
  const meter = new ByteMeter({ hash: createHash('sha256'), maxBytes: 4 });
  await assert.rejects(pipeline(Readable.from([Buffer.from('abc'), Buffer.from('de')]), meter, sink([])), TooManyBytesError);
});
