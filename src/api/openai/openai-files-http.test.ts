/**
 * OpenAI's Files API over real HTTP against a server in process: multipart uploads with the
 * purpose before or after the file, refused purposes and sizes leaving nothing stored, cursor
 * listing (order, limit, after, purpose), content, delete, and the same files on the native API.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startInProcessServer } from '../../../test/support/in-process-server.js';

const KEY = 'openai-files-key';
const MAX_UPLOAD_BYTES = 4096;
type Server = Awaited<ReturnType<typeof startInProcessServer>>;
type Json = Record<string, unknown>;

describe('OpenAI files over HTTP', () => {
  let server: Server;
  const bearer = { authorization: `Bearer ${KEY}` };
  const call = async (method: string, path: string, body?: FormData | string, headers: Record<string, string> = {}): Promise<{ status: number; body: Json; text: string }> => {
    const response = await fetch(`${server.url}/v1${path}`, { method, headers: { ...bearer, ...headers }, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    let json: Json = {};
    try {
      json = JSON.parse(text) as Json;
    } catch {
      // content downloads are not JSON
    }
    return { status: response.status, body: json, text };
  };
  const form = (parts: [string, string | Blob, string?][]): FormData => {
    const data = new FormData();
    for (const [name, value, filename] of parts) {
      if (typeof value === 'string') data.append(name, value);
      else data.append(name, value, filename);
    }
    return data;
  };
  const jsonl = (text: string): Blob => new Blob([text], { type: 'application/jsonl' });
  const ids = async (query = ''): Promise<string[]> => ((await call('GET', `/files${query}`)).body.data as Json[]).map((file) => file.id as string);
  const errorOf = (body: Json): { param: string | null; code: string | null } => body.error as { param: string | null; code: string | null };

  before(async () => {
    server = await startInProcessServer({ apiKeys: KEY, maxUploadBytes: MAX_UPLOAD_BYTES });
  });
  after(async () => server.close());

  test('upload with the purpose after or before the file; the file object; content and native access', async () => {
    const afterFile = await call('POST', '/files', form([['file', jsonl('{"a":1}\n'), 'first.jsonl'], ['purpose', 'batch']]));
    assert.equal(afterFile.status, 200, afterFile.text);
    const file = afterFile.body;
    assert.match(file.id as string, /^files\/[a-z0-9]+$/);
    assert.deepEqual({ ...file, id: '', created_at: 0, expires_at: 0 }, {
      id: '', object: 'file', bytes: 8, created_at: 0, filename: 'first.jsonl', purpose: 'batch', status: 'processed', expires_at: 0, status_details: null,
    });
    assert.ok((file.expires_at as number) > (file.created_at as number));
    const beforeFile = await call('POST', '/files', form([['purpose', 'user_data'], ['file', jsonl('{"b":2}\n'), 'second.jsonl']]));
    assert.equal(beforeFile.status, 200, beforeFile.text);
    assert.equal(beforeFile.body.purpose, 'batch', 'purposes are not stored: uploads report batch');

    const bare = (file.id as string).slice('files/'.length);
    for (const path of [`/files/${file.id as string}/content`, `/files/${encodeURIComponent(file.id as string)}/content`, `/files/${bare}/content`]) {
      const content = await call('GET', path);
      assert.equal(content.status, 200, path);
      assert.equal(content.text, '{"a":1}\n');
    }
    const native = await fetch(`${server.url}/v1beta/files/${bare}`, { headers: { 'x-goog-api-key': KEY } });
    assert.equal(((await native.json()) as Json).displayName, 'first.jsonl');
  });

  test('refused uploads leave nothing stored', async () => {
    const before = await ids();
    const refusals: [FormData, string | null][] = [
      [form([['file', jsonl('x\n'), 'x.jsonl']]), 'purpose'],
      [form([['file', jsonl('x\n'), 'x.jsonl'], ['purpose', 'batch_output']]), 'purpose'],
      [form([['purpose', 'nonsense'], ['file', jsonl('x\n'), 'x.jsonl']]), 'purpose'],
      [form([['purpose', 'batch']]), 'file'],
      [form([['file', jsonl('y'.repeat(MAX_UPLOAD_BYTES + 1)), 'big.jsonl'], ['purpose', 'batch']]), null],
    ];
    for (const [body, param] of refusals) {
      const answer = await call('POST', '/files', body);
      assert.equal(answer.status, 400, answer.text);
      assert.equal(errorOf(answer.body).param, param, answer.text);
    }
    const notMultipart = await call('POST', '/files', '{"purpose":"batch"}', { 'content-type': 'application/json' });
    assert.equal(notMultipart.status, 400);
    assert.deepEqual(await ids(), before);
  });

  test('listing: newest first or oldest first, limit and after, purpose', async () => {
    for (let index = 0; index < 3; index++) {
      assert.equal((await call('POST', '/files', form([['file', jsonl(`{"n":${index}}\n`), `list-${index}.jsonl`], ['purpose', 'batch']]))).status, 200);
    }
    const all = await ids();
    assert.ok(all.length >= 5);
    assert.deepEqual(await ids('?order=asc'), [...all].reverse());
    const first = (await call('GET', '/files?limit=2')).body;
    assert.deepEqual(first.data && (first.data as Json[]).map((file) => file.id), all.slice(0, 2));
    assert.equal(first.object, 'list');
    assert.equal(first.has_more, true);
    assert.equal(first.first_id, all[0]);
    assert.equal(first.last_id, all[1]);
    assert.deepEqual(await ids(`?limit=2&after=${encodeURIComponent(String(first.last_id))}`), all.slice(2, 4));
    const last = (await call('GET', `/files?after=${encodeURIComponent(all[all.length - 2] ?? '')}`)).body;
    assert.equal(last.has_more, false);
    assert.deepEqual(await ids('?purpose=batch'), all);
    assert.deepEqual(await ids('?purpose=batch_output'), []);
    assert.deepEqual(await ids('?purpose=user_data'), []);
    for (const query of ['?limit=0', '?limit=10001', '?order=up', '?after=files/nothing']) {
      const answer = await call('GET', `/files${query}`);
      assert.ok([400, 404].includes(answer.status), `${query}: ${answer.status}`);
    }
  });

  test('delete answers OpenAI\'s deletion object; the file is gone for both APIs', async () => {
    const created = (await call('POST', '/files', form([['file', jsonl('{}\n'), 'doomed.jsonl'], ['purpose', 'batch']]))).body;
    const id = created.id as string;
    assert.deepEqual((await call('DELETE', `/files/${id}`)).body, { id, object: 'file', deleted: true });
    assert.equal((await call('GET', `/files/${id}`)).status, 404);
    assert.equal((await call('DELETE', `/files/${id}`)).status, 404);
    const native = await fetch(`${server.url}/v1beta/${id}`, { headers: { 'x-goog-api-key': KEY } });
    assert.equal(native.status, 403);
  });
});
