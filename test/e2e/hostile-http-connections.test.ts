/**
 * Hostile connections against a `batchmode serve` process, over raw sockets: slow and idle
 * connections, and clients that leave in the middle of a download or a results stream.
 *
 * Every case records its answer (status line, or 'closed', or 'pending' for a request the
 * server is still rightly waiting on) and asserts: never a 5xx, a google.rpc JSON body
 * wherever there is an answer, and right after it `/healthz` answers 200 and the process is
 * alive (test/support/raw-http.ts). The answers are printed as test diagnostics.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test, type TestContext } from 'node:test';
import { hold } from '../support/hold.js';
import { pollUntil } from '../support/poll.js';
import { describeAnswer, KEY, request, send, startHostileServer, withKey, type Case, type HostileServer } from '../support/raw-http.js';
import type { ServerProcess } from '../support/server-process.js';

describe('hostile connections over raw sockets', () => {
  let hostile: HostileServer;
  let server: ServerProcess;
  let port: number;
  before(async () => {
    hostile = await startHostileServer();
    server = hostile.server;
    port = hostile.port;
  });
  after(async () => {
    await hostile.stop();
  });
  const assertAlive = (): Promise<void> => hostile.assertAlive();
  const checkAll = (context: TestContext, cases: readonly Case[]): Promise<void> => hostile.checkAll(context, cases);

  test('slow and idle connections do not stop normal clients', { timeout: 30_000 }, async (context) => {
    const healthzMs = async (): Promise<number> => {
      const started = performance.now();
      await assertAlive();
      return Math.round(performance.now() - started);
    };
    // Headers trickled one byte per 50 ms while others are served; they still complete in time.
    const trickled = request('GET', '/healthz');
    const trickle = send(port, trickled.slice(0, 1), {
      then: async (socket) => {
        for (const byte of trickled.slice(1)) {
          socket.write(byte);
          await hold(50, 'a slow client: one byte of headers per 50 ms');
        }
      },
    });
    const duringTrickle = await healthzMs();
    const trickledAnswer = await trickle;
    context.diagnostic(`headers trickled over ${trickled.length * 50} ms → ${describeAnswer(trickledAnswer)}; /healthz meanwhile in ${duringTrickle} ms`);
    assert.equal(trickledAnswer.status, 200);

    // 500 idle connections (nothing sent), bodies never finished, only blank lines.
    const sockets: Socket[] = [];
    const fdsBefore = openDescriptors(server);
    for (let index = 0; index < 500; index++) {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      sockets.push(socket);
    }
    await Promise.all(sockets.map((socket) => new Promise((resolve) => socket.once('connect', resolve))));
    for (let index = 0; index < 20; index++) {
      sockets[index]!.write(withKey('POST', '/v1beta/models/gemini-2.5-flash:batchGenerateContent', { 'content-length': '1000' }, '').concat('{"batch":'));
      sockets[20 + index]!.write(withKey('POST', '/v1beta/models/gemini-2.5-flash:generateContent', { 'transfer-encoding': 'chunked' }, '').concat('5\r\n{"con'));
      sockets[40 + index]!.write('\r\n\r\n\r\n');
      sockets[60 + index]!.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    }
    const opened = await pollUntil(async () => openDescriptors(server), (count) => count >= fdsBefore + 450, 5_000, 50);
    const duringFlood = await healthzMs();
    context.diagnostic(`500 idle or stalled connections open (descriptors ${fdsBefore} → ${opened}): /healthz in ${duringFlood} ms`);
    await checkAll(context, [
      { name: 'a normal request while 500 connections idle', payload: withKey('GET', '/v1beta/batches'), expect: [200] },
      { name: 'Content-Length body never finished', payload: withKey('POST', '/v1beta/models/gemini-2.5-flash:countTokens', { 'content-length': '100' }, '').concat('{"con'), options: { waitMs: 1_000 }, expect: ['pending'] },
      { name: 'chunked body never finished', payload: withKey('POST', '/v1beta/models/gemini-2.5-flash:countTokens', { 'transfer-encoding': 'chunked' }, '').concat('5\r\n{"con'), options: { waitMs: 1_000 }, expect: ['pending'] },
      { name: 'only blank lines', payload: '\r\n\r\n\r\n', options: { waitMs: 1_000 }, expect: ['pending'] },
    ]);
    for (const socket of sockets) socket.destroy();
    const settled = await pollUntil(async () => openDescriptors(server), (count) => count <= fdsBefore + 5, 5_000, 50);
    context.diagnostic(`after closing them: descriptors ${settled}`);
  });

  describe('clients that leave while the server streams', () => {
    const headers = { 'x-goog-api-key': KEY };
    let resultsFile = '';
    let batchName = '';

    before(async () => {
      // 10,000 results of 8 candidates each: about 23 MB, far more than the socket buffers hold.
      const lines = Array.from({ length: 10_000 }, (_, index) =>
        `{"key":"k${index}","request":{"contents":[{"parts":[{"text":"item ${index}"}]}],"generationConfig":{"candidateCount":8}}}\n`).join('');
      const upload = await fetch(`${server.url}/upload/v1beta/files`, {
        method: 'POST', headers: { ...headers, 'x-goog-upload-protocol': 'raw', 'content-type': 'application/jsonl' }, body: lines,
      });
      const { file } = (await upload.json()) as { file: { name: string } };
      const created = await fetch(`${server.url}/v1beta/models/gemini-2.5-flash:batchGenerateContent`, {
        method: 'POST', headers, body: JSON.stringify({ batch: { inputConfig: { fileName: file.name } } }),
      });
      batchName = ((await created.json()) as { name: string }).name;
      const done = await pollUntil(
        async () => (await (await fetch(`${server.url}/v1beta/${batchName}`, { headers })).json()) as { done?: boolean; response?: { responsesFile: string } },
        (operation) => operation.done === true, 60_000, 200,
      );
      resultsFile = done.response?.responsesFile ?? '';
    });

    const leaveEarly = async (context: TestContext, name: string, path: string): Promise<void> => {
      const baseline = await steadyDescriptors(server);
      const answer = await send(port, withKey('GET', path), {
        then: async (socket) => {
          // Read a little, stop reading so the server meets back-pressure, then leave.
          let read = 0;
          await new Promise<void>((resolve) => {
            socket.on('data', (data: Buffer) => {
              read += data.length;
              if (read >= 64 * 1024) {
                socket.pause();
                resolve();
              }
            });
          });
          // Leave once the server's bytes pile up unsent: this client's window is closed.
          await pollUntil(async () => tcpQueues(port, socket.localPort!), (queues) => queues.serverUnsent > 0 && queues.clientUnread > 0, 10_000, 20, 'back-pressure');
          socket.destroy();
        },
        waitMs: 0,
      });
      const started = performance.now();
      const settled = await pollUntil(async () => openDescriptors(server), (count) => count <= baseline, 5_000, 50);
      context.diagnostic(`${name}: left after 64 KiB → descriptors ${baseline} before, ${settled} after ${Math.round(performance.now() - started)} ms (${answer.outcome})`);
      await assertAlive();
    };

    test(':results of a finished 23 MB batch', async (context) => {
      await leaveEarly(context, ':results', `/v1beta/${batchName}:results`);
    });
    test(':results?follow=true of a finished 23 MB batch', async (context) => {
      await leaveEarly(context, ':results?follow=true', `/v1beta/${batchName}:results?follow=true`);
    });
    test('download of the 23 MB results file', async (context) => {
      await leaveEarly(context, 'download', `/download/v1beta/${resultsFile}:download?alt=media`);
    });
    test(':results?follow=true of a running batch, left while waiting for results', async (context) => {
      const created = await fetch(`${server.url}/v1beta/models/gemini-2.5-pro:batchGenerateContent`, {
        method: 'POST', headers, body: JSON.stringify({ batch: { inputConfig: { requests: { requests: [{ request: { contents: [{ parts: [{ text: 'slow' }] }] } }] } } } }),
      });
      const { name } = (await created.json()) as { name: string };
      // Its worker has picked it up (and opened its shard log) before the baseline is taken.
      await pollUntil(
        async () => ((await (await fetch(`${server.url}/v1beta/${name}`, { headers })).json()) as { metadata: { state: string } }).metadata.state,
        (state) => state === 'BATCH_STATE_RUNNING', 10_000, 50,
      );
      const baseline = await steadyDescriptors(server);
      const followers = await Promise.all(Array.from({ length: 20 }, () => send(port, withKey('GET', `/v1beta/${name}:results?follow=true`), { waitMs: 300 })));
      const settled = await pollUntil(async () => openDescriptors(server), (count) => count <= baseline, 5_000, 50);
      context.diagnostic(`20 followers of a running batch left after their headers (${followers.map((answer) => answer.status ?? answer.outcome)[0]}): descriptors ${baseline} → ${settled}`);
      await fetch(`${server.url}/v1beta/${name}:cancel`, { method: 'POST', headers });
      await assertAlive();
    });
  });

  test('the server logged no error and no warning through all of it', () => {
    assert.deepEqual(hostile.complaints(), []);
  });
});

/** The descriptor count once it holds still for 300 ms. */
async function steadyDescriptors(server: ServerProcess): Promise<number> {
  let previous = -1;
  const steady = await pollUntil(
    async () => {
      const count = openDescriptors(server);
      const held = count === previous;
      previous = count;
      return { count, held };
    },
    ({ held }) => held, 10_000, 300, 'a steady descriptor count',
  );
  return steady.count;
}

/**
 * The TCP queues of a loopback connection (Linux /proc/net/tcp and tcp6): the bytes the server's
 * side has not had acknowledged (written but not taken by the client), and the bytes the client's
 * side has received but its application has not read.
 */
async function tcpQueues(serverPort: number, clientPort: number): Promise<{ serverUnsent: number; clientUnread: number }> {
  const queues = { serverUnsent: 0, clientUnread: 0 };
  const tables = await Promise.all(['/proc/net/tcp', '/proc/net/tcp6'].map((path) => readFile(path, 'utf8').catch(() => '')));
  for (const line of tables.join('\n').split('\n')) {
    const [, local, remote, , txRx] = line.trim().split(/\s+/);
    if (!local || !remote || !txRx?.includes(':')) continue;
    const localPort = parseInt(local.split(':').at(-1)!, 16);
    const remotePort = parseInt(remote.split(':').at(-1)!, 16);
    const [tx, rx] = txRx.split(':').map((hex) => parseInt(hex, 16));
    if (localPort === serverPort && remotePort === clientPort) queues.serverUnsent = tx ?? 0;
    if (localPort === clientPort && remotePort === serverPort) queues.clientUnread = rx ?? 0;
  }
  return queues;
}

/** The server process's open file descriptors (Linux /proc). */
function openDescriptors(server: ServerProcess): number {
  return readdirSync(`/proc/${server.child.pid}/fd`).length;
}
