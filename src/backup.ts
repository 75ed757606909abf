import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { readEnvironment } from './config.js';
import { describeError } from './errors.js';

const DEFAULT_DATABASE = './data/alignment-pulse.db';

/**
 * `npm run backup -- <file>`: a consistent copy of the live database, made with
 * SQLite's online backup while the app keeps running (readers and the writer
 * are not stopped), then checked. Reads DATABASE_PATH like the app does.
 * With DATABASE_URL set the data is on Postgres, whose own tool takes the
 * backup: it says so and does nothing.
 */
async function main(): Promise<number> {
  const environment = readEnvironment();
  if ((environment.DATABASE_URL?.trim() ?? '') !== '') {
    process.stdout.write(
      'DATABASE_URL is set: the data is on Postgres, and npm run backup copies only the embedded SQLite file.\n' +
        'Take Postgres backups with pg_dump, for example:\n' +
        '  pg_dump --format=custom --file=alignment-pulse.dump "$DATABASE_URL"\n' +
        'and restore one with pg_restore. The dump holds individual answers and comments with who gave them: keep it as private as the database.\n',
    );
    return 0;
  }
  const target = process.argv[2];
  if (target === undefined || target.trim() === '') {
    process.stderr.write(
      'Say where to write the backup: npm run backup -- backups/alignment-pulse-2026-11-22.db\n',
    );
    return 2;
  }
  const source = resolve(environment.DATABASE_PATH?.trim() || DEFAULT_DATABASE);
  const destination = resolve(target);
  if (!existsSync(source)) {
    process.stderr.write(
      `There is no database at ${source}. Set DATABASE_PATH to the file the app uses.\n`,
    );
    return 1;
  }
  if (existsSync(destination)) {
    process.stderr.write(
      `${destination} already exists; backups are never overwritten. Choose a new file name.\n`,
    );
    return 1;
  }
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    mkdirSync(dirname(destination), { recursive: true });
    await db.backup(destination);
  } catch (error) {
    process.stderr.write(`The backup failed: ${describeError(error)}\n`);
    return 1;
  } finally {
    db.close();
  }
  const copy = new Database(destination, { readonly: true, fileMustExist: true });
  const check = copy.pragma('integrity_check', { simple: true });
  const count = (table: string) =>
    (copy.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  const answers = count('answers');
  const workspaces = count('workspaces');
  const installations = count('installations');
  copy.close();
  if (check !== 'ok') {
    process.stderr.write(
      `The copy at ${destination} failed its integrity check: ${String(check)}\n`,
    );
    return 1;
  }
  const megabytes = (statSync(destination).size / 1024 / 1024).toFixed(1);
  // What the copy holds, so whoever keeps it knows how to keep it.
  const tokens =
    installations === 0
      ? ''
      : `, and ${installations} ${installations === 1 ? "installation's" : "installations'"} Slack tokens, encrypted (TOKEN_ENCRYPTION_KEY is not in it)`;
  process.stdout.write(
    `Backed up ${source} to ${destination} (${megabytes} MB, ${answers} answers); integrity check ok.\n` +
      `It holds ${workspaces} ${workspaces === 1 ? "workspace's" : "workspaces'"} surveys, individual answers and comments with who gave them${tokens}: keep it as private as the database.\n`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`The backup failed: ${describeError(error)}\n`);
    process.exit(1);
  },
);
