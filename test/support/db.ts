import type { RawBuilder } from 'kysely';
import type { Store } from '../../src/storage/store.js';

/**
 * A test's own look at the database, on either engine: `sql` from kysely with
 * `${value}` parameters and camelCase aliases in double quotes (Postgres folds
 * unquoted names to lower case).
 */
export async function all<T>(db: Store, query: RawBuilder<T>): Promise<T[]> {
  return (await query.execute(db)).rows;
}

/** The first row of a query, or undefined. */
export async function one<T>(db: Store, query: RawBuilder<T>): Promise<T | undefined> {
  return (await query.execute(db)).rows[0];
}

/** Runs a statement; returns how many rows it changed. */
export async function run(db: Store, query: RawBuilder<unknown>): Promise<number> {
  return Number((await query.execute(db)).numAffectedRows ?? 0n);
}
