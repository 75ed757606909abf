import { CompiledQuery, type QueryResult } from 'kysely';
import { type Engine, engineOf, type Store } from './store.js';

/**
 * Queries on the paths a person waits for (a click, a submission, a command)
 * built and compiled once per engine, then run with each call's values.
 *
 * Kysely builds and compiles a query every time it runs: for a join of ten
 * columns that is 20–30 µs and a heap of short-lived objects, against 3 µs for
 * the read itself on SQLite, and a click or a submission runs a dozen such
 * reads. Kysely has no prepared queries of its own, and the package that adds
 * them (kysely-params) is pinned to Kysely 0.24; so this small piece is ours.
 *
 * `build` gets a stand-in for each argument and must put each one in the query
 * as a value, once or more, and nothing else: no `if` on an argument, no list
 * for `in`. The first run checks that every stand-in came out as a parameter
 * and throws otherwise, so a query that cannot be prepared fails in every test
 * that runs it. The SQL differs by engine, so it is kept per engine.
 */
export function prepared<Args extends readonly unknown[], Row>(
  build: (db: Store, ...args: Args) => Preparable<Row>,
): (db: Store, ...args: Args) => Promise<QueryResult<Row>> {
  const compiled = new Map<Engine, { query: CompiledQuery<Row>; slots: (number | undefined)[] }>();
  return async (db, ...args) => {
    const engine = engineOf(db);
    let entry = compiled.get(engine);
    if (entry === undefined) {
      const standIns = args.map((_, i) => new StandIn(i));
      const query = build(db, ...(standIns as unknown as Args)).compile(db);
      const slots = query.parameters.map((p) => (p instanceof StandIn ? p.index : undefined));
      const missing = standIns.filter((s) => !slots.includes(s.index));
      if (missing.length > 0)
        throw new Error(
          `A prepared query left out argument ${missing.map((s) => s.index + 1).join(', ')}: ${query.sql}`,
        );
      entry = { query, slots };
      compiled.set(engine, entry);
    }
    const { query, slots } = entry;
    const parameters = query.parameters.map((p, i) => {
      const slot = slots[i];
      return slot === undefined ? p : args[slot];
    });
    return db.executeQuery(CompiledQuery.raw(query.sql, parameters) as CompiledQuery<Row>);
  };
}

/** A query builder's query, or an `sql` template's (which compiles against a Store). */
interface Preparable<Row> {
  compile(db: Store): CompiledQuery<Row>;
}

/** Where a prepared query's argument goes, until it is compiled. */
class StandIn {
  constructor(readonly index: number) {}
}

/** The first row of a prepared query, or undefined. */
export async function firstRow<Row>(result: Promise<QueryResult<Row>>): Promise<Row | undefined> {
  return (await result).rows[0];
}
