/**
 * A PostgreSQL server of the test's own, for fault tests that stop and restart the database:
 * the machine's shared cluster must never be touched, other tests use it. A fresh cluster
 * (initdb) in a temp directory, on a free port of 127.0.0.1, that can be stopped (`fast`: the
 * server tells its clients it is shutting down; `immediate`: it dies at once, like a crash, and
 * recovers from its WAL at the next start) and started again on the same port and directory.
 *
 * PostgreSQL refuses to run as root, and tests run as root in CI: then the server runs as the
 * `postgres` OS user (runuser). The binaries come from BATCHMODE_TEST_PG_BIN, default
 * /usr/lib/postgresql/15/bin; without them this fails loudly instead of skipping the test.
 * Every command is run without blocking the event loop: the test's s3rver lives in it too.
 */
import { execFile, spawnSync } from 'node:child_process';
import { accessSync, chownSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const PG_BIN = process.env.BATCHMODE_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string;
  port: number;
  readonly isRunning: boolean;
  /** Stops the server; `immediate` is a crash (no goodbye to clients, WAL recovery at start). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts it again on the same port and data directory; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops it (immediately) and removes its directory. */
  close(): Promise<void>;
}

/** Creates a cluster in a temp directory and starts it. */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  for (const tool of ['initdb', 'pg_ctl', 'postgres']) {
    try {
      accessSync(join(PG_BIN, tool), constants.X_OK);
    } catch {
      throw new Error(
        `PostgreSQL server binaries not found: ${join(PG_BIN, tool)} is missing or not executable. ` +
          'The fault tests start a private PostgreSQL server; install the postgresql-15 package ' +
          '(CI machines have it) or point BATCHMODE_TEST_PG_BIN at the bin directory of another version.',
      );
    }
  }
  const asRoot = userInfo().uid === 0;
  const owner = asRoot ? await postgresUser() : undefined;
  const directory = mkdtempSync(join(tmpdir(), 'batchmode-pg-'));
  const dataDir = join(directory, 'data');
  if (owner) chownSync(directory, owner.uid, owner.gid);
  const pg = async (tool: string, args: string[]): Promise<string> => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(PG_BIN, tool), ...args]] : [join(PG_BIN, tool), args];
    try {
      const { stdout, stderr } = await run(file, argv, { cwd: directory, timeout: 60_000 });
      return stdout + stderr;
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      throw new Error(`${tool} ${args.join(' ')} failed: ${String(error)}\n${stdout}${stderr}`);
    }
  };
  const port = await freePort();
  const options = [
    `-p ${port}`, `-k ${directory}`, '-c listen_addresses=127.0.0.1',
    // A throwaway cluster: durability against power loss is not what the tests are about.
    '-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off', '-c max_connections=200',
  ].join(' ');
  let running = false;
  // If the test process ends without closing it (a crash, a timeout), the server must not outlive it.
  const stopAtExit = (): void => {
    const argv = ['stop', '-D', dataDir, '-m', 'immediate'];
    if (asRoot) spawnSync('runuser', ['-u', 'postgres', '--', join(PG_BIN, 'pg_ctl'), ...argv], { stdio: 'ignore' });
    else spawnSync(join(PG_BIN, 'pg_ctl'), argv, { stdio: 'ignore' });
  };
  const start = async (): Promise<void> => {
    if (running) return;
    process.once('exit', stopAtExit);
    await pg('pg_ctl', ['start', '-D', dataDir, '-w', '-t', '60', '-l', join(directory, 'server.log'), '-o', options]);
    running = true;
  };
  const stop = async (mode: 'fast' | 'immediate' = 'fast'): Promise<void> => {
    if (!running) return;
    await pg('pg_ctl', ['stop', '-D', dataDir, '-w', '-t', '60', '-m', mode]);
    running = false;
    process.removeListener('exit', stopAtExit);
  };
  try {
    await pg('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
    await start();
  } catch (error) {
    // A cluster that did not start leaves no directory behind.
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    get isRunning() {
      return running;
    },
    stop,
    start,
    async close() {
      try {
        await stop('immediate');
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
    },
  };
}

/** The uid and gid of the `postgres` OS user (root must hand the cluster to it). */
async function postgresUser(): Promise<{ uid: number; gid: number }> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    throw new Error('running as root, PostgreSQL needs the `postgres` OS user to run as, and there is none (useradd postgres)');
  }
}

/** A port that was free a moment ago on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
