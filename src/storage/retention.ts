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

/** Tenants that removed the app before `cutoff`: their grace period is over. */
export function removedTenants(db: Db, cutoff: Date): string[] {
  return (
    db
      .prepare('SELECT team_id AS id FROM workspaces WHERE uninstalled_at < ? ORDER BY team_id')
      .all(cutoff.toISOString()) as { id: string }[]
  ).map((row) => row.id);
}

/**
 * Deletes a tenant and everything it ever stored, in one transaction: its
 * surveys with their pulses, answers, comments, published figures and
 * agreements, its people's disciplines, its delivery problems (all by the
 * schema's cascades from `workspaces`), the scheduler's records of its
 * surveys' runs, and its installation.
 */
export function deleteTenant(db: Db, teamId: string): { surveys: number } {
  return db.transaction(() => {
    const surveys = db.prepare('SELECT id FROM surveys WHERE team_id = ?').all(teamId) as {
      id: number;
    }[];
    const runs = db.prepare('DELETE FROM schedule_runs WHERE survey_id = ?');
    for (const { id } of surveys) runs.run(id);
    db.prepare('DELETE FROM installations WHERE tenant_id = ?').run(teamId);
    db.prepare('DELETE FROM workspaces WHERE team_id = ?').run(teamId);
    return { surveys: surveys.length };
  })();
}
