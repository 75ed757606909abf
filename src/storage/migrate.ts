import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { DatabaseError, describeError } from '../errors.js';
import { explainSqliteError } from './database.js';
import {
  type Engine,
  engineOf,
  explainPostgresError,
  lockFor,
  type OpenStore,
  type Store,
} from './store.js';

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

const FILE_NAME = /^(\d{3,})_[a-z0-9_]+\.sql$/;

/** The numbered `.sql` files of a folder, in order; two files with one number is a mistake. */
export function readMigrations(dir: string): Migration[] {
  const names = readdirSync(dir)
    .filter((name) => FILE_NAME.test(name))
    .sort();
  const seen = new Map<string, string>();
  return names.map((name) => {
    const number = FILE_NAME.exec(name)?.[1] ?? '';
    const other = seen.get(number);
    if (other !== undefined) {
      throw new DatabaseError(
        'migration_duplicate',
        `Migrations ${other} and ${name} share the number ${number}; give each its own.`,
      );
    }
    seen.set(number, name);
    const sql = readFileSync(join(dir, name), 'utf8');
    return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
  });
}

/** The folder of an engine's migrations: SQLite's in `dir`, Postgres's in `dir/postgres`. */
export function migrationsFor(engine: Engine, dir: string): string {
  return engine === 'postgres' ? join(dir, 'postgres') : dir;
}

/**
 * Brings the database up to date: applies, in order, each migration it has not
 * recorded, each in its own transaction together with its record (name and
 * checksum). Refuses to run on a database whose history disagrees with the code:
 * an applied file that changed since, or a recorded migration this code lacks.
 * Returns the names it applied (none on a second start).
 *
 * When two instances start at once, one applies and the other waits, then
 * sees the record and skips: on SQLite each transaction begins IMMEDIATE (the
 * file's one write lock), on Postgres it first takes an advisory lock.
 * `dir` holds SQLite's migrations and, in `postgres/`, Postgres's.
 */
export async function migrate(store: OpenStore | Store, dir: string): Promise<string[]> {
  const { db, sqlite } = 'db' in store ? store : { db: store, sqlite: undefined };
  const engine = engineOf(db);
  const migrations = readMigrations(migrationsFor(engine, dir));
  const fail = (error: unknown) =>
    sqlite === undefined
      ? explainPostgresError(error, 'the database of DATABASE_URL')
      : explainSqliteError(error, sqlite.name);
  // A script of several statements: better-sqlite3's exec on SQLite (a prepared
  // statement holds one), the simple query protocol on Postgres.
  const runScript = async (trx: Store, script: string) => {
    if (sqlite !== undefined) sqlite.exec(script);
    else await sql.raw(script).execute(trx);
  };
  try {
    await db.transaction().execute(async (trx) => {
      await lockFor(trx, 'alignment-pulse:migrations');
      await runScript(
        trx,
        `CREATE TABLE IF NOT EXISTS schema_migrations (
          name TEXT PRIMARY KEY,
          checksum TEXT NOT NULL,
          applied_at TEXT NOT NULL DEFAULT (${
            engine === 'postgres'
              ? `to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
              : `strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`
          })
        )${engine === 'postgres' ? '' : ' STRICT'}`,
      );
    });
  } catch (error) {
    throw fail(error);
  }
  const recorded = async (trx: Store) =>
    new Map(
      (
        await sql<{
          name: string;
          checksum: string;
        }>`SELECT name, checksum FROM schema_migrations`.execute(trx)
      ).rows.map((row) => [row.name, row.checksum]),
    );
  checkHistory(await recorded(db), migrations);

  const applied: string[] = [];
  for (const migration of migrations) {
    try {
      const didApply = await db.transaction().execute(async (trx) => {
        await lockFor(trx, 'alignment-pulse:migrations');
        if ((await recorded(trx)).has(migration.name)) return false;
        await runScript(trx, migration.sql);
        await sql`INSERT INTO schema_migrations (name, checksum) VALUES (${migration.name}, ${migration.checksum})`.execute(
          trx,
        );
        return true;
      });
      if (didApply) applied.push(migration.name);
    } catch (error) {
      if ((error as { code?: string }).code?.startsWith('SQLITE_READONLY')) throw fail(error);
      throw new DatabaseError(
        'migration_failed',
        `Migration ${migration.name} failed and was rolled back: ${describeError(error)}.`,
        { cause: error },
      );
    }
  }
  return applied;
}

function checkHistory(recorded: Map<string, string>, migrations: Migration[]): void {
  const known = new Map(migrations.map((m) => [m.name, m]));
  for (const [name, checksum] of recorded) {
    const migration = known.get(name);
    if (migration === undefined) {
      throw new DatabaseError(
        'migration_unknown',
        `The database records migration ${name}, which this version of Alignment Pulse does not have. It was probably written by a newer version: run that version, or restore a backup taken before the upgrade.`,
      );
    }
    if (migration.checksum !== checksum) {
      throw new DatabaseError(
        'migration_changed',
        `Migration ${name} was changed after it was applied to this database. Never edit an applied migration: restore the file as it was and put the change in a new, higher-numbered migration.`,
      );
    }
  }
}
