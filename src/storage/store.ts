import {
  CompiledQuery,
  type DatabaseConnection,
  Kysely,
  PostgresAdapter,
  PostgresDialect,
  type RawBuilder,
  SqliteDialect,
  SqliteDriver,
  sql,
} from 'kysely';
import pg from 'pg';
import { DatabaseError, describeError } from '../errors.js';
import { openDatabase, openReader, type Db as SqliteDb } from './database.js';
import type { Schema } from './schema.js';

/**
 * The app's database, whichever engine holds it: the embedded SQLite file (the
 * default) or a Postgres server (`DATABASE_URL`). Every storage function takes
 * one, or a transaction of one (a transaction is a Store too).
 */
export type Store = Kysely<Schema>;

export type Engine = 'sqlite' | 'postgres';

/** Where the database is: a SQLite file's path, or a Postgres server's URL. */
export type StoreLocation =
  | { engine: 'sqlite'; path: string }
  | { engine: 'postgres'; url: string };

export interface OpenStore {
  db: Store;
  engine: Engine;
  /** The SQLite connection underneath (backups, a read-only worker); absent on Postgres. */
  sqlite?: SqliteDb;
  close: () => Promise<void>;
}

export function engineOf(db: Store): Engine {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/**
 * SQLite's `INDEXED BY name` for a query whose plan SQLite gets wrong without
 * it; nothing on Postgres, whose planner chooses from statistics.
 */
export function indexedBy(db: Store, index: string): RawBuilder<unknown> {
  return engineOf(db) === 'sqlite' ? sql.raw(`INDEXED BY ${index}`) : sql``;
}

/**
 * Holds `key` until the transaction `trx` ends, for work that reads and then
 * writes on the strength of what it read (one answer a person a week, one
 * claim of a run): on Postgres an advisory transaction lock, so two instances
 * take turns; on SQLite nothing, since every transaction there begins
 * IMMEDIATE and holds the one write lock from its start.
 */
export async function lockFor(trx: Store, key: string): Promise<void> {
  if (engineOf(trx) === 'postgres')
    await sql`SELECT pg_advisory_xact_lock(hashtext(${key}))`.execute(trx);
}

/** Runs `work` in the transaction `db` already is, or in a new one. */
export async function inTransaction<T>(db: Store, work: (trx: Store) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}

type WriteResult = {
  numUpdatedRows?: bigint;
  numDeletedRows?: bigint;
  numInsertedOrUpdatedRows?: bigint;
};

/** How many rows an insert, update or delete touched, as a number. */
export function changed(result: WriteResult | undefined): number {
  if (result === undefined) return 0;
  return Number(
    result.numUpdatedRows ?? result.numDeletedRows ?? result.numInsertedOrUpdatedRows ?? 0n,
  );
}

/** How long a statement waits for another connection's write lock on SQLite before it fails. */
const BUSY_WAIT_MS = 5_000;

/**
 * Every transaction on SQLite begins IMMEDIATE: it takes the write lock at
 * once, so two processes on one file queue for it instead of one failing when
 * both try to turn a read into a write.
 *
 * The queueing is done here, off the event loop: SQLite's own busy timeout
 * waits inside the call, holding the whole process still (requests, timers,
 * and the very transaction that holds the lock, when both connections are in
 * one process). So the connection's busy timeout is 0 and a statement that
 * finds the file locked, outside a transaction, is tried again after a pause
 * (1 ms, doubling to 50 ms) for up to five seconds, as SQLite would.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  readonly #database: SqliteDb;
  #waiting: DatabaseConnection | undefined;
  constructor(database: SqliteDb) {
    super({ database });
    this.#database = database;
  }
  override async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await super.acquireConnection();
    this.#waiting ??= waitingWhenBusy(connection, this.#database);
    return this.#waiting;
  }
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

function waitingWhenBusy(connection: DatabaseConnection, database: SqliteDb): DatabaseConnection {
  return {
    executeQuery: async (query) => {
      const started = Date.now();
      for (let pause = 1; ; pause = Math.min(pause * 2, 50)) {
        try {
          return await connection.executeQuery(query);
        } catch (error) {
          const busy = String((error as { code?: unknown }).code).startsWith('SQLITE_BUSY');
          if (!busy || database.inTransaction || Date.now() - started >= BUSY_WAIT_MS) throw error;
          await new Promise((resolve) => setTimeout(resolve, pause));
        }
      }
    },
    streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
  };
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #database: SqliteDb;
  constructor(database: SqliteDb) {
    super({ database });
    this.#database = database;
  }
  override createDriver(): SqliteDriver {
    return new ImmediateSqliteDriver(this.#database);
  }
}

/** A Store over a SQLite connection already open (the app's, or a read-only one). */
export function sqliteStore(database: SqliteDb): Store {
  // Waits for the write lock are the driver's (ImmediateSqliteDriver).
  database.pragma('busy_timeout = 0');
  return new Kysely<Schema>({ dialect: new ImmediateSqliteDialect(database) });
}

/**
 * Postgres returns 64-bit integers (counts, sums) and numerics (averages) as
 * strings, to be safe past 2^53; the app's are small counts and scores, so they
 * come back as numbers, as on SQLite.
 */
const PG_TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC)
      return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  }) as typeof pg.types.getTypeParser,
};

/** How many connections each instance keeps to Postgres. */
const POOL_SIZE = 10;

/** A Store on a Postgres server; connections are made (and remade after a failover) as needed. */
export function postgresStore(url: string, options: { poolSize?: number } = {}): Store {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? POOL_SIZE,
    types: PG_TYPES,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  });
  // A connection lost while idle (a restart, a failover) is dropped from the
  // pool and remade on the next query; without a listener it would crash the process.
  pool.on('error', () => undefined);
  return new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * Opens the app's database: the SQLite file with the settings database.ts
 * gives it, or a connection pool to Postgres, checked with one query so a
 * wrong URL, password or database stops the app at start with a clear message.
 */
export async function openStore(
  location: StoreLocation,
  options: { readOnly?: boolean; poolSize?: number } = {},
): Promise<OpenStore> {
  if (location.engine === 'sqlite') {
    const sqlite =
      options.readOnly === true ? openReader(location.path) : openDatabase(location.path);
    const db = sqliteStore(sqlite);
    return { db, engine: 'sqlite', sqlite, close: () => db.destroy() };
  }
  const db = postgresStore(location.url, options);
  try {
    await sql`SELECT 1`.execute(db);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw explainPostgresError(error, location.url);
  }
  return { db, engine: 'postgres', close: () => db.destroy() };
}

/** A Postgres URL with its password replaced, for messages and logs. */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the DATABASE_URL given';
  }
}

/** Turns an error from connecting to Postgres into a DatabaseError a person can act on. */
export function explainPostgresError(error: unknown, url: string): DatabaseError {
  const where = withoutPassword(url);
  const code = (error as { code?: string }).code ?? '';
  if (code === '28P01' || code === '28000')
    return new DatabaseError(
      'database_unopenable',
      `Postgres at ${where} refused the user name or password. Check the user and password in DATABASE_URL.`,
      { cause: error },
    );
  if (code === '3D000')
    return new DatabaseError(
      'database_unopenable',
      `Postgres at ${where} has no such database. Create it (createdb), or fix the database name in DATABASE_URL.`,
      { cause: error },
    );
  if (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'ETIMEDOUT' ||
    code === 'EHOSTUNREACH'
  )
    return new DatabaseError(
      'database_unopenable',
      `Cannot reach Postgres at ${where} (${code}). Check that the server is running and that DATABASE_URL names its host and port.`,
      { cause: error },
    );
  return new DatabaseError(
    'database_unusable',
    `Cannot use the Postgres database at ${where}: ${describeError(error)}.`,
    { cause: error },
  );
}

/** Errors of a socket to Postgres that could not be made or was lost. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'EAI_AGAIN',
]);

/**
 * Whether `error` (or what it wraps) says the database cannot be reached just
 * now, as opposed to a query it refused: the server down, restarting or failing
 * over (connection refused or lost, shutting down, not yet accepting
 * connections, out of connections), or no connection made in time. Work that
 * failed on it changed nothing; the same work can succeed once the server is back.
 */
export function cannotReachDatabase(error: unknown): boolean {
  const seen = new Set<unknown>();
  let at: unknown = error;
  while (typeof at === 'object' && at !== null && !seen.has(at)) {
    seen.add(at);
    const { code, message } = at as { code?: unknown; message?: unknown };
    if (typeof code === 'string') {
      if (UNREACHABLE_CODES.has(code)) return true;
      // SQLSTATE: connection exceptions (class 08), shutting down or starting
      // up (57P01-57P03), too many connections (53300).
      if (/^(08...|57P0[123]|53300)$/.test(code) && at instanceof pg.DatabaseError) return true;
    }
    if (
      typeof message === 'string' &&
      /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/.test(
        message,
      )
    )
      return true;
    // Bolt wraps a listener's error (`original`); Node and the app wrap theirs (`cause`).
    at = (at as { original?: unknown }).original ?? (at as { cause?: unknown }).cause;
  }
  return false;
}
