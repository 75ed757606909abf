import { sql } from 'kysely';
import { changed, type Store } from './store.js';

/**
 * Pulses that closed before `cutoff` and still hold what people gave (answers,
 * comments, who they went to): that has reached the retention age.
 */
export async function expiredPulses(db: Store, cutoff: Date): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`
    SELECT id FROM pulses p WHERE closes_at < ${cutoff.toISOString()} AND closed_at IS NOT NULL
    AND (EXISTS (SELECT 1 FROM answers a WHERE a.pulse_id = p.id)
      OR EXISTS (SELECT 1 FROM comments c WHERE c.pulse_id = p.id)
      OR EXISTS (SELECT 1 FROM pulse_recipients r WHERE r.pulse_id = p.id)
      OR EXISTS (SELECT 1 FROM pulse_messages m WHERE m.pulse_id = p.id))
    ORDER BY id`.execute(db);
  return rows.map((row) => row.id);
}

/**
 * Deletes everything people gave to a pulse and everything naming them (answers,
 * comments, who it went to, the messages sent to them), in one transaction. The
 * pulse and its published figures stay: they name nobody, and a retention run
 * never changes a published number.
 */
export async function purgePulse(
  db: Store,
  pulseId: number,
): Promise<{ answers: number; comments: number }> {
  return db.transaction().execute(async (trx) => {
    const answers = changed(
      await trx.deleteFrom('answers').where('pulse_id', '=', pulseId).executeTakeFirst(),
    );
    const comments = changed(
      await trx.deleteFrom('comments').where('pulse_id', '=', pulseId).executeTakeFirst(),
    );
    await trx.deleteFrom('pulse_recipients').where('pulse_id', '=', pulseId).execute();
    await trx.deleteFrom('pulse_messages').where('pulse_id', '=', pulseId).execute();
    return { answers, comments };
  });
}

/** Tenants that removed the app before `cutoff`: their grace period is over. */
export async function removedTenants(db: Store, cutoff: Date): Promise<string[]> {
  const rows = await db
    .selectFrom('workspaces')
    .select('team_id')
    .where('uninstalled_at', '<', cutoff.toISOString())
    .orderBy('team_id')
    .execute();
  return rows.map((row) => row.team_id);
}

/**
 * Deletes a tenant and everything it ever stored, in one transaction: its
 * surveys with their pulses, answers, comments, published figures and
 * agreements, its people's disciplines, its delivery problems (all by the
 * schema's cascades from `workspaces`), the scheduler's records of its
 * surveys' runs, and its installation.
 */
export async function deleteTenant(db: Store, teamId: string): Promise<{ surveys: number }> {
  return db.transaction().execute(async (trx) => {
    const surveys = trx.selectFrom('surveys').select('id').where('team_id', '=', teamId);
    const { n } = await trx
      .selectFrom('surveys')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('team_id', '=', teamId)
      .executeTakeFirstOrThrow();
    await trx.deleteFrom('schedule_runs').where('survey_id', 'in', surveys).execute();
    await trx.deleteFrom('installations').where('tenant_id', '=', teamId).execute();
    await trx.deleteFrom('workspaces').where('team_id', '=', teamId).execute();
    return { surveys: n };
  });
}
