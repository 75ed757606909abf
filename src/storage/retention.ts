import type { Db } from './database.js';

/** Pulses that closed before `cutoff`: their answers and comments have reached the retention age. */
export function expiredPulses(db: Db, cutoff: Date): number[] {
  return (
    db
      .prepare('SELECT id FROM pulses WHERE closes_at < ? AND closed_at IS NOT NULL ORDER BY id')
      .all(cutoff.toISOString()) as { id: number }[]
  ).map((row) => row.id);
}

/**
 * Deletes a pulse with everything that hangs off it (answers, comments, who it
 * went to, its messages and questions), in one transaction, so a week is either
 * whole or gone and the weeks kept score exactly as before.
 */
export function deletePulse(db: Db, pulseId: number): { answers: number; comments: number } {
  return db.transaction(() => {
    const count = (table: 'answers' | 'comments') =>
      (
        db.prepare(`SELECT count(*) AS n FROM ${table} WHERE pulse_id = ?`).get(pulseId) as {
          n: number;
        }
      ).n;
    const removed = { answers: count('answers'), comments: count('comments') };
    db.prepare('DELETE FROM pulses WHERE id = ?').run(pulseId);
    return removed;
  })();
}
