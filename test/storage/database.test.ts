import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatabaseError } from '../../src/errors.js';
import { migrationsDir } from '../../src/paths.js';
import { openDatabase } from '../../src/storage/database.js';
import { migrate } from '../../src/storage/migrate.js';

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

describe('openDatabase', () => {
  it('creates the folder and the file, with WAL, foreign keys, full sync and a busy timeout', () => {
    const db = openDatabase(join(dir, 'nested', 'pulse.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    db.close();
  });

  it('keeps what was written across a close and a reopen', () => {
    const path = join(dir, 'pulse.db');
    const first = openDatabase(path);
    migrate(first, migrationsDir);
    first.prepare("INSERT INTO workspaces (team_id) VALUES ('T1')").run();
    first.close();
    const second = openDatabase(path);
    expect(migrate(second, migrationsDir)).toEqual([]);
    expect(second.prepare('SELECT team_id FROM workspaces').all()).toEqual([{ team_id: 'T1' }]);
    second.close();
  });

  it('refuses a file that is not SQLite, saying so', () => {
    const path = join(dir, 'notes.db');
    writeFileSync(path, 'These are meeting notes, not a database.\n'.repeat(200));
    const error = openError(path);
    expect(error.code).toBe('database_not_sqlite');
    expect(error.message).toContain(`The file at ${path} is not an Alignment Pulse database`);
  });

  it('refuses a damaged database, pointing at the backups', () => {
    const path = join(dir, 'pulse.db');
    const db = openDatabase(path);
    migrate(db, migrationsDir);
    db.pragma('journal_mode = DELETE');
    db.close();
    // Overwrite the middle of the file: the header stays valid, the pages do not.
    const bytes = readFileSync(path);
    bytes.fill(0xab, 4096, bytes.length);
    writeFileSync(path, bytes);
    const error = openError(path);
    expect(error.code).toBe('database_corrupt');
    expect(error.message).toContain('restore the latest backup');
  });
});
