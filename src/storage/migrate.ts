import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseError, describeError } from '../errors.js';
import { type Db, explainSqliteError } from './database.js';

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

/**
 * Brings the database up to date: applies, in order, each migration it has not
 * recorded, each in its own transaction together with its record (name and
 * checksum). Refuses to run on a database whose history disagrees with the code:
 * an applied file that changed since, or a recorded migration this code lacks.
 * Returns the names it applied (none on a second start).
 */
export function migrate(db: Db, dir: string): string[] {
  const migrations = readMigrations(dir);
  try {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name TEXT PRIMARY KEY,
      checksum TEXT NOT NULL,
      applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    ) STRICT`);
  } catch (error) {
    throw explainSqliteError(error, db.name);
  }
  const recorded = () =>
    new Map(
      (
        db.prepare('SELECT name, checksum FROM schema_migrations').all() as {
          name: string;
          checksum: string;
        }[]
      ).map((row) => [row.name, row.checksum]),
    );
  checkHistory(recorded(), migrations);

  const applied: string[] = [];
  const record = db.prepare('INSERT INTO schema_migrations (name, checksum) VALUES (?, ?)');
  for (const migration of migrations) {
    // IMMEDIATE takes the write lock first, so when two processes start on one
    // file at once, the second waits, then sees the first one's record and skips.
    const applyOne = db.transaction(() => {
      if (recorded().has(migration.name)) return false;
      db.exec(migration.sql);
      record.run(migration.name, migration.checksum);
      return true;
    });
    try {
      if (applyOne.immediate()) applied.push(migration.name);
    } catch (error) {
      if ((error as { code?: string }).code?.startsWith('SQLITE_READONLY')) {
        throw explainSqliteError(error, db.name);
      }
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
