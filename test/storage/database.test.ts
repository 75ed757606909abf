import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatabaseError } from '../../src/errors.js';
import { migrationsDir } from '../../src/paths.js';
import { openDatabase } from '../../src/storage/database.js';
import { migrate } from '../../src/storage/migrate.js';
import { openStore } from '../../src/storage/store.js';
import { all, run } from '../support/db.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'database-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function openError(path: string): DatabaseError {
  try {
    openDatabase(path).close();
  } catch (error) {
    expect(error).toBeInstanceOf(DatabaseError);
    return error as DatabaseError;
  }
  throw new Error('expected the database to be refused');
}

// About the SQLite file itself: on SQLite in both runs of the suite.
describe('openDatabase', () => {
  it('creates the folder and the file, with WAL, foreign keys, full sync and a busy timeout', () => {
    const db = openDatabase(join(dir, 'nested', 'pulse.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    db.close();
  });

  it('keeps what was written across a close and a reopen', async () => {
    const path = join(dir, 'pulse.db');
    const first = await openStore({ engine: 'sqlite', path });
    await migrate(first, migrationsDir);
    await run(first.db, sql`INSERT INTO workspaces (team_id) VALUES ('T1')`);
    await first.close();
    const second = await openStore({ engine: 'sqlite', path });
    expect(await migrate(second, migrationsDir)).toEqual([]);
    expect(await all(second.db, sql`SELECT team_id FROM workspaces`)).toEqual([{ team_id: 'T1' }]);
    await second.close();
  });

  it('refuses a file that is not SQLite, saying so', () => {
    const path = join(dir, 'notes.db');
    writeFileSync(path, 'These are meeting notes, not a database.\n'.repeat(200));
    const error = openError(path);
    expect(error.code).toBe('database_not_sqlite');
    expect(error.message).toContain(`The file at ${path} is not an Alignment Pulse database`);
  });

  it('refuses a damaged database, pointing at the backups', async () => {
    const path = join(dir, 'pulse.db');
    const store = await openStore({ engine: 'sqlite', path });
    await migrate(store, migrationsDir);
    store.sqlite?.pragma('journal_mode = DELETE');
    await store.close();
    // Overwrite the middle of the file: the header stays valid, the pages do not.
    const bytes = readFileSync(path);
    bytes.fill(0xab, 4096, bytes.length);
    writeFileSync(path, bytes);
    const error = openError(path);
    expect(error.code).toBe('database_corrupt');
    expect(error.message).toContain('restore the latest backup');
  });
});
