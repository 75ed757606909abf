import { sql } from 'kysely';
import { firstRow, prepared } from './prepared.js';
import { changed, engineOf, indexedBy, inTransaction, type Store } from './store.js';

export interface Pulse {
  id: number;
  surveyId: number;
  teamId: string;
  dueAt: string;
  openedAt: string;
  closesAt: string;
  remindedAt: string | null;
  closedAt: string | null;
}

export type PulseMessageKind = 'channel' | 'dm' | 'notice' | 'reminder';

export interface PulseMessage {
  channelId: string;
  kind: PulseMessageKind;
  userId: string | null;
  ts: string | null;
}

/** Pulses with their workspace, as `Pulse` rows. */
export function selectPulses(db: Store) {
  return db
    .selectFrom('pulses as p')
    .innerJoin('surveys as s', 's.id', 'p.survey_id')
    .select([
      'p.id',
      'p.survey_id as surveyId',
      's.team_id as teamId',
      'p.due_at as dueAt',
      'p.opened_at as openedAt',
      'p.closes_at as closesAt',
      'p.reminded_at as remindedAt',
      'p.closed_at as closedAt',
    ]);
}

const pulseById = prepared((db, id: number) => selectPulses(db).where('p.id', '=', id));

/** A pulse with its survey's time zone, in one read: all a submission needs of either. */
export async function getPulseInZone(
  db: Store,
  id: number,
): Promise<(Pulse & { timezone: string }) | undefined> {
  return firstRow(pulseInZoneById(db, id));
}

const pulseInZoneById = prepared((db, id: number) =>
  selectPulses(db).select('s.timezone').where('p.id', '=', id),
);

export async function getPulse(db: Store, id: number): Promise<Pulse | undefined> {
  return firstRow(pulseById(db, id));
}

/** Rows per multi-row insert: two or three parameters each, far below SQLite's limit. */
const CHUNK = 500;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/**
 * Stores a pulse and the questions it asks, once per survey and due time: a
 * second call for the same due time (a retry, another instance) returns the
 * pulse already stored.
 */
export async function createPulse(
  db: Store,
  input: {
    surveyId: number;
    dueAt: Date;
    openedAt: Date;
    closesAt: Date;
    questionIds: readonly string[];
  },
): Promise<{ pulse: Pulse; created: boolean }> {
  const dueAt = input.dueAt.toISOString();
  const { id, created } = await inTransaction(db, async (trx) => {
    // The pulse keeps the sides its survey has now: a later change applies from the next pulse.
    const inserted = (
      await sql<{ id: number }>`
        INSERT INTO pulses (survey_id, due_at, opened_at, closes_at, design_side, program_side, other_side)
        SELECT id, ${dueAt}, ${input.openedAt.toISOString()}, ${input.closesAt.toISOString()},
          design_side, program_side, other_side
        FROM surveys WHERE id = ${input.surveyId}
        ON CONFLICT (survey_id, due_at) DO NOTHING
        RETURNING id`.execute(trx)
    ).rows[0];
    if (inserted !== undefined) {
      for (const part of chunks([...input.questionIds.entries()]))
        await trx
          .insertInto('pulse_questions')
          .values(
            part.map(([position, questionId]) => ({
              pulse_id: inserted.id,
              position,
              question_id: questionId,
            })),
          )
          .execute();
      return { id: inserted.id, created: true };
    }
    const stored = await trx
      .selectFrom('pulses')
      .select('id')
      .where('survey_id', '=', input.surveyId)
      .where('due_at', '=', dueAt)
      .executeTakeFirst();
    if (stored === undefined) throw new Error(`survey ${input.surveyId} does not exist`);
    return { id: stored.id, created: false };
  });
  const pulse = await getPulse(db, id);
  if (pulse === undefined) throw new Error(`pulse ${id} vanished after it was stored`);
  return { pulse, created };
}

/** The pulse of a survey still open at `now`, if any. */
export async function openPulseOf(
  db: Store,
  surveyId: number,
  now: Date,
): Promise<Pulse | undefined> {
  return selectPulses(db)
    .where('p.survey_id', '=', surveyId)
    .where('p.closed_at', 'is', null)
    .where('p.closes_at', '>', now.toISOString())
    .orderBy('p.opened_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** The pulses of a workspace still open at `now`. */
export async function openPulsesOfTeam(db: Store, teamId: string, now: Date): Promise<Pulse[]> {
  return selectPulses(db)
    .where('s.team_id', '=', teamId)
    .where('p.closed_at', 'is', null)
    .where('p.closes_at', '>', now.toISOString())
    .orderBy('p.closes_at')
    .execute();
}

/** The question ids each earlier pulse of a survey asked, oldest pulse first. */
export async function questionHistory(db: Store, surveyId: number): Promise<string[][]> {
  const rows = await db
    .selectFrom('pulse_questions as pq')
    .innerJoin('pulses as p', 'p.id', 'pq.pulse_id')
    .select(['pq.pulse_id as pulseId', 'pq.question_id as questionId'])
    .where('p.survey_id', '=', surveyId)
    .orderBy('p.due_at')
    .orderBy('pq.pulse_id')
    .orderBy('pq.position')
    .execute();
  const byPulse = new Map<number, string[]>();
  for (const row of rows) {
    const asked = byPulse.get(row.pulseId);
    if (asked === undefined) byPulse.set(row.pulseId, [row.questionId]);
    else asked.push(row.questionId);
  }
  return [...byPulse.values()];
}

/** Adds people to a pulse's list; those on it already stay once. */
export async function setRecipients(
  db: Store,
  pulseId: number,
  userIds: readonly string[],
): Promise<void> {
  if (userIds.length === 0) return;
  await inTransaction(db, async (trx) => {
    for (const part of chunks(userIds))
      await trx
        .insertInto('pulse_recipients')
        .values(part.map((userId) => ({ pulse_id: pulseId, user_id: userId })))
        .onConflict((oc) => oc.doNothing())
        .execute();
  });
}

export async function recipients(db: Store, pulseId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('pulse_recipients')
    .select('user_id')
    .where('pulse_id', '=', pulseId)
    .orderBy('user_id')
    .execute();
  return rows.map((row) => row.user_id);
}

/** Recipients who have not answered yet. */
export async function nonRespondents(db: Store, pulseId: number): Promise<string[]> {
  const { rows } = await sql<{ userId: string }>`
    SELECT r.user_id AS "userId" FROM pulse_recipients r
    WHERE r.pulse_id = ${pulseId} AND NOT EXISTS
      (SELECT 1 FROM answers a ${indexedBy(db, 'answers_by_user')}
       WHERE a.user_id = r.user_id AND a.pulse_id = r.pulse_id)
    ORDER BY r.user_id`.execute(db);
  return rows.map((row) => row.userId);
}

function selectPulseMessages(db: Store, pulseId: number) {
  return db
    .selectFrom('pulse_messages')
    .select([
      'channel_id as channelId',
      (eb) => eb.ref('kind').$castTo<PulseMessageKind>().as('kind'),
      'user_id as userId',
      'ts',
    ])
    .where('pulse_id', '=', pulseId);
}

export async function pulseMessages(db: Store, pulseId: number): Promise<PulseMessage[]> {
  return selectPulseMessages(db, pulseId)
    .orderBy('posted_at')
    .orderBy('channel_id')
    .orderBy('kind')
    .execute();
}

export async function findPulseMessage(
  db: Store,
  pulseId: number,
  kind: PulseMessageKind,
  where: { channelId?: string; userId?: string },
): Promise<PulseMessage | undefined> {
  const { channelId, userId } = where;
  return selectPulseMessages(db, pulseId)
    .where('kind', '=', kind)
    .$if(channelId !== undefined, (q) => q.where('channel_id', '=', channelId as string))
    .$if(userId !== undefined, (q) => q.where('user_id', '=', userId as string))
    .executeTakeFirst();
}

/**
 * The DM channel the app already has with this person, from an earlier pulse's
 * DM: a bot's DM with someone never changes, so it need not be opened again.
 */
export async function knownDmChannel(
  db: Store,
  teamId: string,
  userId: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('pulse_messages as m')
    .innerJoin('pulses as p', 'p.id', 'm.pulse_id')
    .innerJoin('surveys as s', 's.id', 'p.survey_id')
    .select('m.channel_id')
    .where('m.user_id', '=', userId)
    .where('m.kind', 'in', ['dm', 'reminder'])
    .where('s.team_id', '=', teamId)
    .orderBy('m.pulse_id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.channel_id;
}

/**
 * Notes that a message is about to be posted, before the call to Slack. After a
 * crash, a note without a ts says a post was on its way: Slack may or may not
 * have taken it (it has no idempotency key). Returns what was noted before:
 * 'posted' (it has a ts: do not post), 'in_doubt' (noted, no ts), or 'new'.
 * Of two instances noting the same message at once, one gets 'new'.
 */
export async function beginPulseMessage(
  db: Store,
  pulseId: number,
  message: { channelId: string; kind: PulseMessageKind; userId?: string },
): Promise<'new' | 'in_doubt' | 'posted'> {
  // A note forgotten by another instance between the two statements (its post
  // refused) is noted again.
  for (let attempt = 0; ; attempt++) {
    const noted = await db
      .insertInto('pulse_messages')
      .values({
        pulse_id: pulseId,
        channel_id: message.channelId,
        kind: message.kind,
        user_id: message.userId ?? null,
        ts: null,
      })
      .onConflict((oc) => oc.columns(['pulse_id', 'channel_id', 'kind']).doNothing())
      .executeTakeFirst();
    if (changed(noted) > 0) return 'new';
    const before = await db
      .selectFrom('pulse_messages')
      .select('ts')
      .where('pulse_id', '=', pulseId)
      .where('channel_id', '=', message.channelId)
      .where('kind', '=', message.kind)
      .executeTakeFirst();
    if (before !== undefined) return before.ts === null ? 'in_doubt' : 'posted';
    if (attempt === 2) return 'in_doubt';
  }
}

/** Forgets a post Slack refused (a definite no): it was never posted. */
export async function abandonPulseMessage(
  db: Store,
  pulseId: number,
  message: { channelId: string; kind: PulseMessageKind },
): Promise<void> {
  await db
    .deleteFrom('pulse_messages')
    .where('pulse_id', '=', pulseId)
    .where('channel_id', '=', message.channelId)
    .where('kind', '=', message.kind)
    .where('ts', 'is', null)
    .execute();
}

export async function recordPulseMessage(
  db: Store,
  pulseId: number,
  message: { channelId: string; kind: PulseMessageKind; userId?: string; ts: string },
): Promise<void> {
  await db
    .insertInto('pulse_messages')
    .values({
      pulse_id: pulseId,
      channel_id: message.channelId,
      kind: message.kind,
      user_id: message.userId ?? null,
      ts: message.ts,
    })
    .onConflict((oc) =>
      oc
        .columns(['pulse_id', 'channel_id', 'kind'])
        .doUpdateSet((eb) => ({ ts: eb.ref('excluded.ts') })),
    )
    .execute();
}

export async function markReminded(db: Store, pulseId: number, at: Date): Promise<void> {
  await db
    .updateTable('pulses')
    .set({ reminded_at: at.toISOString() })
    .where('id', '=', pulseId)
    .where('reminded_at', 'is', null)
    .execute();
}

/**
 * Claims the right to rewrite a pulse message's answer count, for every
 * instance on the database together: granted when nobody did in the last
 * `intervalMs` (wall clock). The claim is dated once the pulse's row is held,
 * not before: on Postgres its update waits behind the answers being stored
 * (each holds the row FOR SHARE), on SQLite behind another writer, and a claim
 * dated before that wait would let the next one come less than `intervalMs`
 * after this one's rewrite. Otherwise says when the last rewrite was, so the
 * caller can wait its turn.
 */
export async function claimCountUpdate(
  db: Store,
  pulseId: number,
  intervalMs: number,
): Promise<{ claimed: true; at: number } | { claimed: false; lastAt: number }> {
  return inTransaction(db, async (trx) => {
    const row = await trx
      .selectFrom('pulses')
      .select('count_shown_at')
      .where('id', '=', pulseId)
      .$if(engineOf(trx) === 'postgres', (q) => q.forUpdate())
      .executeTakeFirst();
    const lastAt = row?.count_shown_at == null ? Number.NaN : Date.parse(row.count_shown_at);
    const at = Date.now();
    if (row === undefined || lastAt > at - intervalMs) return { claimed: false, lastAt };
    await trx
      .updateTable('pulses')
      .set({ count_shown_at: new Date(at).toISOString() })
      .where('id', '=', pulseId)
      .execute();
    return { claimed: true, at };
  });
}

/** Closes a pulse; false when it was already closed. */
export async function markClosed(db: Store, pulseId: number, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('pulses')
    .set({ closed_at: at.toISOString() })
    .where('id', '=', pulseId)
    .where('closed_at', 'is', null)
    .executeTakeFirst();
  return changed(result) > 0;
}

/** Open pulses sent to (or posted in a channel of) this user: the App Home lists them. */
export async function openPulsesFor(db: Store, userId: string, now: Date): Promise<Pulse[]> {
  return selectPulses(db)
    .where('p.closed_at', 'is', null)
    .where('p.closes_at', '>', now.toISOString())
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('pulse_recipients as r')
          .select('r.pulse_id')
          .whereRef('r.pulse_id', '=', 'p.id')
          .where('r.user_id', '=', userId),
      ),
    )
    .orderBy('p.closes_at')
    .execute();
}

/** The pulse a survey opened for a due time. */
export async function pulseByDue(
  db: Store,
  surveyId: number,
  dueAt: string,
): Promise<Pulse | undefined> {
  return selectPulses(db)
    .where('p.survey_id', '=', surveyId)
    .where('p.due_at', '=', dueAt)
    .executeTakeFirst();
}

/** Pulses not yet closed, oldest first. */
export async function unclosedPulses(db: Store): Promise<Pulse[]> {
  return selectPulses(db).where('p.closed_at', 'is', null).orderBy('p.closes_at').execute();
}

/** How many of the workspace's surveys have sent this person a pulse. */
export async function surveysAsking(db: Store, teamId: string, userId: string): Promise<number> {
  const row = await db
    .selectFrom('pulse_recipients as r')
    .innerJoin('pulses as p', 'p.id', 'r.pulse_id')
    .innerJoin('surveys as s', 's.id', 'p.survey_id')
    .select((eb) => eb.fn.count<number>('p.survey_id').distinct().as('n'))
    .where('r.user_id', '=', userId)
    .where('s.team_id', '=', teamId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
