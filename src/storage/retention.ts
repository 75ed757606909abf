import type { Db } from './database.js';

/**
 * Pulses that closed before `cutoff` and still hold what people gave (answers,
 * comments, who they went to): that has reached the retention age.
 */
export function expiredPulses(db: Db, cutoff: Date): number[] {
  return (
    db
      .prepare(
        `SELECT id FROM pulses p WHERE closes_at < ? AND closed_at IS NOT NULL
         AND (EXISTS (SELECT 1 FROM answers a WHERE a.pulse_id = p.id)
           OR EXISTS (SELECT 1 FROM comments c WHERE c.pulse_id = p.id)
           OR EXISTS (SELECT 1 FROM pulse_recipients r WHERE r.pulse_id = p.id)
           OR EXISTS (SELECT 1 FROM pulse_messages m WHERE m.pulse_id = p.id))
         ORDER BY id`,
      )
      .all(cutoff.toISOString()) as { id: number }[]
  ).map((row) => row.id);
}

/**
 * Deletes everything people gave to a pulse and everything naming them (answers,
 * comments, who it went to, the messages sent to them), in one transaction. The
 * pulse and its published figures stay: they name nobody, and a retention run
 * never changes a published number.
 */
export function purgePulse(db: Db, pulseId: number): { answers: number; comments: number } {
  return db.transaction(() => {
    const answers = db.prepare('DELETE FROM answers WHERE pulse_id = ?').run(pulseId).changes;
    const comments = db.prepare('DELETE FROM comments WHERE pulse_id = ?').run(pulseId).changes;
    db.prepare('DELETE FROM pulse_recipients WHERE pulse_id = ?').run(pulseId);
    db.prepare('DELETE FROM pulse_messages WHERE pulse_id = ?').run(pulseId);
    return { answers, comments };
  })();
}
