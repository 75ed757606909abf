import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { projectRoot } from '../src/paths.js';
import { openStore } from '../src/storage/store.js';
import { freshDatabase, startTestPostgres } from '../test/support/postgres.js';

/**
 * A Postgres server for a benchmark: the tests' embedded one
 * (test/support/postgres.ts), in a process of its own on 127.0.0.1, with
 * Postgres's default settings (fsync on, synchronous_commit on: a commit waits
 * for its WAL flush, as SQLite's synchronous=FULL waits for its fsync).
 */
export interface BenchPostgres {
  /** A new, empty database on the server, for one app (or two sharing it). */
  fresh: () => Promise<{ url: string; drop: () => Promise<void> }>;
  /** CPU the server has used so far, all its processes together, in milliseconds. */
  cpuMs: () => number;
  stop: () => Promise<void>;
}

export async function startBenchPostgres(): Promise<BenchPostgres> {
  // The server's script sits beside test/support/postgres.ts; tsc does not carry
  // the .mjs into dist-bench/, so it is put beside the compiled module here.
  const script = join(projectRoot, 'test', 'support', 'postgres-server.mjs');
  const beside = join(
    dirname(fileURLToPath(import.meta.url)),
    '..',
    'test',
    'support',
    'postgres-server.mjs',
  );
  if (!existsSync(beside) || readFileSync(beside, 'utf8') !== readFileSync(script, 'utf8'))
    copyFileSync(script, beside);
  const server = await startTestPostgres();
  try {
    const postmaster = await postmasterOf(server.url('postgres'));
    return {
      fresh: () => freshDatabase(server.url('postgres')),
      cpuMs: () => processTreeCpuMs(postmaster),
      stop: server.stop,
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** The server's main process: the parent of the backend serving a connection (same host). */
async function postmasterOf(url: string): Promise<number> {
  const store = await openStore({ engine: 'postgres', url });
  try {
    const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(store.db);
    const backend = rows[0]?.pid;
    const status = readFileSync(`/proc/${backend}/status`, 'utf8');
    return Number(/PPid:\s+(\d+)/.exec(status)?.[1]);
  } catch {
    return Number.NaN;
  } finally {
    await store.close();
  }
}

/** Fields of /proc/<pid>/stat after the command's name (the state is [0]). */
function statFields(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ');
  } catch {
    return undefined;
  }
}

/**
 * CPU of a process and its children, in milliseconds (Linux, 100 ticks a
 * second): its own, its children's that have ended (Postgres's connections come
 * and go), and those still running. NaN where /proc cannot tell.
 */
export function processTreeCpuMs(pid: number): number {
  const own = statFields(pid);
  if (own === undefined) return Number.NaN;
  const ticks = (fields: string[], from: number, count: number) =>
    fields.slice(from, from + count).reduce((sum, field) => sum + Number(field), 0);
  // utime, stime, cutime, cstime are fields 14-17 of stat, [11]-[14] here.
  let total = ticks(own, 11, 4);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    // ppid is field 4, [1] here.
    if (fields !== undefined && Number(fields[1]) === pid) total += ticks(fields, 11, 2);
  }
  return total * 10;
}
