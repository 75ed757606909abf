import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { DatabaseError, describeError } from '../errors.js';

export type Db = Database.Database;

/**
 * Opens the SQLite file the app lives on, with the settings it relies on:
 * - WAL, so readers (trends, the App Home) never wait for a writer;
 * - synchronous=FULL, so a transaction that returned has reached the disk: an
 *   answer the app acknowledged survives a crash or a power cut. Answers arrive
 *   a few a second at most, so the extra fsync per commit costs nothing a user sees;
 * - foreign keys on, since SQLite leaves them off by default;
 * - a busy timeout, so a second process sharing the file (the scheduler's
 *   exactly-once claims rely on that) waits for a lock instead of failing (the
 *   app's Store waits without holding the event loop: see store.ts).
 * Fails with a DatabaseError that says what is wrong and what to do.
 */
export function openDatabase(file: string): Db {
  const inMemory = file === ':memory:';
  const path = inMemory ? file : resolve(file);
  if (!inMemory) prepareLocation(path);

  let db: Db;
  try {
    db = new Database(path);
  } catch (error) {
    throw new DatabaseError(
      'database_unopenable',
      `Cannot open the database at ${path}: ${describeError(error)}. Check DATABASE_PATH and the folder's permissions.`,
      { cause: error },
    );
  }
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    if (!inMemory) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    checkIntegrity(db, path);
    reuseStatements(db);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof DatabaseError) throw error;
    throw explainSqliteError(error, path);
  }
}

/**
 * A read-only connection to the app's database file, for work done off the
 * main thread beside the app's own connection: in WAL mode its reads never
 * wait for a writer nor hold one up, and a read transaction sees one committed
 * state throughout.
 */
export function openReader(file: string): Db {
  const path = resolve(file);
  let db: Db;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw explainSqliteError(error, path);
  }
  db.pragma('busy_timeout = 5000');
  reuseStatements(db);
  return db;
}

/** How many compiled statements are kept; the app's SQL is fixed text, well under this. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Compiles each SQL text once and hands back the same statement after that:
 * compiling costs more than running most of the app's queries, and the storage
 * functions read best with their SQL in place. Safe because no caller changes a
 * statement's mode (pluck, raw, expand) or holds an iterator open across calls.
 */
function reuseStatements(db: Db): void {
  const compile = db.prepare.bind(db);
  const compiled = new Map<string, Database.Statement>();
  db.prepare = ((sql: string) => {
    let statement = compiled.get(sql);
    if (statement === undefined) {
      statement = compile(sql);
      if (compiled.size >= STATEMENT_CACHE_SIZE) compiled.clear();
      compiled.set(sql, statement);
    }
    return statement;
  }) as Db['prepare'];
}

function prepareLocation(path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (error) {
    throw new DatabaseError(
      'database_unopenable',
      `Cannot create the folder for the database at ${dirname(path)}: ${describeError(error)}. Set DATABASE_PATH to a writable location.`,
      { cause: error },
    );
  }
  const mustWrite = existsSync(path) ? path : dirname(path);
  try {
    accessSync(mustWrite, constants.R_OK | constants.W_OK);
  } catch (error) {
    throw readOnly(path, error);
  }
}

/** A quick structural check at start: a damaged file stops the app before it serves anyone. */
function checkIntegrity(db: Db, path: string): void {
  const rows = db.pragma('quick_check(5)') as { quick_check: string }[];
  const problems = rows.map((row) => row.quick_check).filter((result) => result !== 'ok');
  if (problems.length > 0) {
    throw new DatabaseError(
      'database_corrupt',
      `The database at ${path} is damaged (${problems.join('; ')}). Stop the app and restore the latest backup (see README.md, "Backups").`,
    );
  }
}

function readOnly(path: string, cause: unknown): DatabaseError {
  return new DatabaseError(
    'database_read_only',
    `The database at ${path} is read-only for this process. Give the app's user write access to the file and its folder, or set DATABASE_PATH to a writable location.`,
    { cause },
  );
}

/** Turns an error SQLite raised on the file into a DatabaseError a person can act on. */
export function explainSqliteError(error: unknown, path: string): DatabaseError {
  const code = (error as { code?: string }).code ?? '';
  if (code === 'SQLITE_NOTADB') {
    return new DatabaseError(
      'database_not_sqlite',
      `The file at ${path} is not an Alignment Pulse database (it is not SQLite). Point DATABASE_PATH at the right file, or move this one away to start afresh.`,
      { cause: error },
    );
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN')
    return readOnly(path, error);
  if (code === 'SQLITE_CORRUPT') {
    return new DatabaseError(
      'database_corrupt',
      `The database at ${path} is damaged. Stop the app and restore the latest backup (see README.md, "Backups").`,
      { cause: error },
    );
  }
  return new DatabaseError(
    'database_unusable',
    `Cannot use the database at ${path}: ${describeError(error)}.`,
    { cause: error },
  );
}
