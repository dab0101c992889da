/**
 * Connection failures: which errors count, and what the store does while its PostgreSQL is
 * down: a private server of this test (test/support/private-postgres.ts), stopped and started
 * again; the machine's shared one is never touched.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { startPrivatePostgres, type PrivatePostgres } from '../../../test/support/private-postgres.js';
import { AppError } from '../../core/errors.js';
import type { Store } from '../store.js';
import { asUnavailable, isConnectionFailure } from './connection-failure.js';
import { openPostgresStore } from './postgres-store.js';
import { withTransaction } from './transaction.js';

const withCode = (code: string, message = 'x'): Error => Object.assign(new Error(message), { code });

describe('isConnectionFailure', () => {
  test('socket errors, shutdown and connection-class SQLSTATEs and pg client messages count', () => {
    for (const error of [
      withCode('ECONNREFUSED'), withCode('ECONNRESET'), withCode('57P01'), withCode('57P03'), withCode('08006'), withCode('08P01'),
      new Error('Connection terminated unexpectedly'), new Error('Connection terminated'), new Error('timeout exceeded when trying to connect'),
      new Error('Client has encountered a connection error and is not queryable'),
      new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')]),
    ]) {
      assert.equal(isConnectionFailure(error), true, String(error));
    }
  });

  test('query errors and everything else do not', () => {
    for (const error of [withCode('23505'), withCode('42P01'), withCode('40001'), new Error('boom'), 'ECONNREFUSED', undefined, new AggregateError([])]) {
      assert.equal(isConnectionFailure(error), false, String(error));
    }
    const unique = withCode('23505');
    assert.equal(asUnavailable(unique), unique, 'passed through unchanged');
  });

  test('a connection failure becomes UNAVAILABLE with the original as its cause', () => {
    const refused = withCode('ECONNREFUSED');
    const mapped = asUnavailable(refused);
    assert.ok(mapped instanceof AppError);
    assert.equal(mapped.status, 'UNAVAILABLE');
    assert.equal(mapped.httpStatus, 503);
    assert.equal(mapped.cause, refused);
  });
});

describe('PostgreSQL store while its server is down (a private server)', () => {
  let server: PrivatePostgres;
  let store: Store;
  before(async () => {
    server = await startPrivatePostgres();
    store = await openPostgresStore({ connectionString: server.url, schema: 'bm_outage', connectTimeoutMs: 2_000 });
  });
  after(async () => {
    await store?.close();
    await server?.close();
  });

  test('calls fail fast with UNAVAILABLE while it is down and work again once it is back, on the same store', async () => {
    assert.deepEqual(await store.files.list('t1', { limit: 10 }), []);
    await server.stop('fast');
    for (const call of [() => store.files.list('t1', { limit: 10 }), () => store.batches.get('t1', 'b1'), () => store.ping()]) {
      const startedAt = Date.now();
      await assert.rejects(call(), (error: unknown) => error instanceof AppError && error.status === 'UNAVAILABLE');
      assert.ok(Date.now() - startedAt < 3_000, `failed within 3 s (${Date.now() - startedAt} ms)`);
    }
    await server.start();
    assert.deepEqual(await store.files.list('t1', { limit: 10 }), []);
    await store.ping();
  });

  for (const mode of ['fast', 'immediate'] as const) {
    test(`a transaction open when the server stops (${mode}) rejects; the lost client does not end the process`, async () => {
      const pool = new pg.Pool({ connectionString: server.url, max: 2 });
      pool.on('error', () => undefined);
      try {
        let stopped: Promise<void> | undefined;
        await assert.rejects(
          withTransaction(pool, async (client) => {
            await client.query('SELECT 1');
            // The server goes away while this client is checked out and idle between queries; the
            // next query is sent once the client has seen its connection end (its 'end' event).
            const ended = new Promise((resolve) => client.once('end', resolve));
            stopped = server.stop(mode);
            await stopped;
            await ended;
            await client.query('SELECT 1');
          }),
          (error: unknown) => isConnectionFailure(error),
        );
        await server.start();
        assert.equal((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one, 1, 'the pool connects afresh');
      } finally {
        if (!server.isRunning) await server.start();
        await pool.end();
      }
    });
  }
});
