import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { AppError } from '../../core/errors.js';
import type { GenerateContentResponse } from '../../core/gemini-types.js';
import type { ChatChunkEncoder } from '../../openai-compat/index.js';
import { streamChatCompletion } from './chat-stream.js';

/** Each Gemini chunk becomes one `{n}` chunk; finish adds `{usage: true}`. */
const encoder = (): ChatChunkEncoder => {
  let count = 0;
  return { chunk: () => [{ n: count++ }], finish: () => [{ usage: true }] };
};
const chunk: GenerateContentResponse = { candidates: [{ content: { role: 'model', parts: [{ text: 'x' }] } }] };

/** What the stream under test yields: chunks, then optionally a failure. */
let source: () => AsyncIterable<GenerateContentResponse>;

describe('streamChatCompletion', () => {
  let server: Server;
  let url: string;
  before(async () => {
    server = createServer((_request, response) => {
      streamChatCompletion(response, source(), encoder()).catch((error: unknown) => {
        response.writeHead(500).end(error instanceof Error ? error.message : 'failed');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('data lines for each chunk, then the finish chunks, then [DONE]', async () => {
    source = async function* () {
      yield chunk;
      yield chunk;
    };
    const response = await fetch(url);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.equal(await response.text(), 'data: {"n":0}\n\ndata: {"n":1}\n\ndata: {"usage":true}\n\ndata: [DONE]\n\n');
  });

  test('a failure before the first chunk propagates (an ordinary error answer)', async () => {
    source = async function* () {
      yield* [];
      throw new AppError('NOT_FOUND', 'no such model');
    };
    const response = await fetch(url);
    assert.equal(response.status, 500);
    assert.equal(await response.text(), 'no such model');
  });

  test('a failure after the first chunk is an error event, and no [DONE]', async () => {
    source = async function* () {
      yield chunk;
      throw new AppError('UNAVAILABLE', 'the backend went away');
    };
    const response = await fetch(url);
    assert.equal(response.status, 200);
    const events = (await response.text()).split('\n\n').filter((event) => event !== '');
    assert.equal(events.length, 2);
    assert.equal(events[0], 'data: {"n":0}');
    const error = (JSON.parse(events[1]!.slice('data: '.length)) as { error: { message: string; type: string } }).error;
    assert.equal(error.message, 'the backend went away');
    assert.equal(typeof error.type, 'string');
  });

  test('an empty stream still ends with the finish chunks and [DONE]', async () => {
    source = async function* () {
      yield* [];
    };
    const response = await fetch(url);
    assert.equal(await response.text(), 'data: {"usage":true}\n\ndata: [DONE]\n\n');
  });
});
