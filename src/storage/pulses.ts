import type { Db } from './database.js';

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

const COLUMNS = `p.id, p.survey_id AS surveyId, s.team_id AS teamId, p.due_at AS dueAt,
  p.opened_at AS openedAt, p.closes_at AS closesAt, p.reminded_at AS remindedAt, p.closed_at AS closedAt`;

export function getPulse(db: Db, id: number): Pulse | undefined {
  return db
    .prepare(`SELECT ${COLUMNS} FROM pulses p JOIN surveys s ON s.id = p.survey_id WHERE p.id = ?`)
    .get(id) as Pulse | undefined;
}

/**
 * Stores a pulse and the questions it asks, once per survey and due time: a
 * second call for the same due time returns the pulse already stored.
 */
export function createPulse(
  db: Db,
  input: {
    surveyId: number;
    dueAt: Date;
    openedAt: Date;
    closesAt: Date;
    questionIds: readonly string[];
  },
): { pulse: Pulse; created: boolean } {
  const create = db.transaction(() => {
    // The pulse keeps the sides its survey has now: a later change applies from the next pulse.
    const inserted = db
      .prepare(
        `INSERT INTO pulses (survey_id, due_at, opened_at, closes_at, design_side, program_side, other_side)
         SELECT id, ?, ?, ?, design_side, program_side, other_side FROM surveys WHERE id = ?
         ON CONFLICT (survey_id, due_at) DO NOTHING`,
      )
      .run(
        input.dueAt.toISOString(),
        input.openedAt.toISOString(),
        input.closesAt.toISOString(),
        input.surveyId,
      );
    const { id } = db
      .prepare('SELECT id FROM pulses WHERE survey_id = ? AND due_at = ?')
      .get(input.surveyId, input.dueAt.toISOString()) as { id: number };
    if (inserted.changes > 0) {
      const ask = db.prepare(
        'INSERT INTO pulse_questions (pulse_id, position, question_id) VALUES (?, ?, ?)',
      );
      for (const [position, questionId] of input.questionIds.entries())
        ask.run(id, position, questionId);
    }
    return { id, created: inserted.changes > 0 };
  });
  const { id, created } = create.immediate();
  const pulse = getPulse(db, id);
  if (pulse === undefined) throw new Error(`pulse ${id} vanished after it was stored`);
  return { pulse, created };
}

/** The pulse of a survey still open at `now`, if any. */
export function openPulseOf(db: Db, surveyId: number, now: Date): Pulse | undefined {
  return db
    .prepare(
      `SELECT ${COLUMNS} FROM pulses p JOIN surveys s ON s.id = p.survey_id
       WHERE p.survey_id = ? AND p.closed_at IS NULL AND p.closes_at > ?
       ORDER BY p.opened_at DESC LIMIT 1`,
    )
    .get(surveyId, now.toISOString()) as Pulse | undefined;
}

/** The pulses of a workspace still open at `now`. */
export function openPulsesOfTeam(db: Db, teamId: string, now: Date): Pulse[] {
  return db
    .prepare(
      `SELECT ${COLUMNS} FROM pulses p JOIN surveys s ON s.id = p.survey_id
       WHERE s.team_id = ? AND p.closed_at IS NULL AND p.closes_at > ? ORDER BY p.closes_at`,
    )
    .all(teamId, now.toISOString()) as Pulse[];
}

/** The question ids each earlier pulse of a survey asked, oldest pulse first. */
export function questionHistory(db: Db, surveyId: number): string[][] {
  const rows = db
    .prepare(
      `SELECT pq.pulse_id AS pulseId, pq.question_id AS questionId FROM pulse_questions pq
       JOIN pulses p ON p.id = pq.pulse_id WHERE p.survey_id = ?
       ORDER BY p.due_at, pq.pulse_id, pq.position`,
    )
    .all(surveyId) as { pulseId: number; questionId: string }[];
  const byPulse = new Map<number, string[]>();
  for (const row of rows)
    byPulse.set(row.pulseId, [...(byPulse.get(row.pulseId) ?? []), row.questionId]);
  return [...byPulse.values()];
}

export function setRecipients(db: Db, pulseId: number, userIds: readonly string[]): void {
  const add = db.prepare(
    'INSERT OR IGNORE INTO pulse_recipients (pulse_id, user_id) VALUES (?, ?)',
  );
  db.transaction(() => {
    for (const userId of userIds) add.run(pulseId, userId);
  })();
}

export function recipients(db: Db, pulseId: number): string[] {
  return (
    db
      .prepare('SELECT user_id AS userId FROM pulse_recipients WHERE pulse_id = ? ORDER BY user_id')
      .all(pulseId) as {
      userId: string;
    }[]
  ).map((row) => row.userId);
}

/** Recipients who have not answered yet. */
export function nonRespondents(db: Db, pulseId: number): string[] {
  return (
    db
      .prepare(
        `SELECT r.user_id AS userId FROM pulse_recipients r
         WHERE r.pulse_id = ? AND NOT EXISTS
           (SELECT 1 FROM answers a INDEXED BY answers_by_user
            WHERE a.user_id = r.user_id AND a.pulse_id = r.pulse_id)
         ORDER BY r.user_id`,
      )
      .all(pulseId) as { userId: string }[]
  ).map((row) => row.userId);
}

export function pulseMessages(db: Db, pulseId: number): PulseMessage[] {
  return db
    .prepare(
      `SELECT channel_id AS channelId, kind, user_id AS userId, ts FROM pulse_messages
       WHERE pulse_id = ? ORDER BY posted_at, channel_id, kind`,
    )
    .all(pulseId) as PulseMessage[];
}

export function findPulseMessage(
  db: Db,
  pulseId: number,
  kind: PulseMessageKind,
  where: { channelId?: string; userId?: string },
): PulseMessage | undefined {
  return db
    .prepare(
      `SELECT channel_id AS channelId, kind, user_id AS userId, ts FROM pulse_messages
       WHERE pulse_id = ? AND kind = ? AND (? IS NULL OR channel_id = ?) AND (? IS NULL OR user_id = ?)`,
    )
    .get(
      pulseId,
      kind,
      where.channelId ?? null,
      where.channelId ?? null,
      where.userId ?? null,
      where.userId ?? null,
    ) as PulseMessage | undefined;
}

/**
 * The DM channel the app already has with this person, from an earlier pulse's
 * DM: a bot's DM with someone never changes, so it need not be opened again.
 */
export function knownDmChannel(db: Db, teamId: string, userId: string): string | undefined {
  const row = db
    .prepare(
      `SELECT m.channel_id AS channelId FROM pulse_messages m JOIN pulses p ON p.id = m.pulse_id
       JOIN surveys s ON s.id = p.survey_id
       WHERE m.user_id = ? AND m.kind IN ('dm', 'reminder') AND s.team_id = ?
       ORDER BY m.pulse_id DESC LIMIT 1`,
    )
    .get(userId, teamId) as { channelId: string } | undefined;
  return row?.channelId;
}

/**
 * Notes that a message is about to be posted, before the call to Slack. After a
 * crash, a note without a ts says a post was on its way: Slack may or may not
 * have taken it (it has no idempotency key). Returns what was noted before:
 * 'posted' (it has a ts: do not post), 'in_doubt' (noted, no ts), or 'new'.
 */
export function beginPulseMessage(
  db: Db,
  pulseId: number,
  message: { channelId: string; kind: PulseMessageKind; userId?: string },
): 'new' | 'in_doubt' | 'posted' {
  return db.transaction(() => {
    const before = db
      .prepare('SELECT ts FROM pulse_messages WHERE pulse_id = ? AND channel_id = ? AND kind = ?')
      .get(pulseId, message.channelId, message.kind) as { ts: string | null } | undefined;
    if (before !== undefined) return before.ts === null ? 'in_doubt' : 'posted';
    db.prepare(
      'INSERT INTO pulse_messages (pulse_id, channel_id, kind, user_id, ts) VALUES (?, ?, ?, ?, NULL)',
    ).run(pulseId, message.channelId, message.kind, message.userId ?? null);
    return 'new';
  })();
}

/** Forgets a post Slack refused (a definite no): it was never posted. */
export function abandonPulseMessage(
  db: Db,
  pulseId: number,
  message: { channelId: string; kind: PulseMessageKind },
): void {
  db.prepare(
    'DELETE FROM pulse_messages WHERE pulse_id = ? AND channel_id = ? AND kind = ? AND ts IS NULL',
  ).run(pulseId, message.channelId, message.kind);
}

export function recordPulseMessage(
  db: Db,
  pulseId: number,
  message: { channelId: string; kind: PulseMessageKind; userId?: string; ts: string },
): void {
  db.prepare(
    `INSERT INTO pulse_messages (pulse_id, channel_id, kind, user_id, ts) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (pulse_id, channel_id, kind) DO UPDATE SET ts = excluded.ts`,
  ).run(pulseId, message.channelId, message.kind, message.userId ?? null, message.ts);
}

export function markReminded(db: Db, pulseId: number, at: Date): void {
  db.prepare('UPDATE pulses SET reminded_at = ? WHERE id = ? AND reminded_at IS NULL').run(
    at.toISOString(),
    pulseId,
  );
}

/** Closes a pulse; false when it was already closed. */
export function markClosed(db: Db, pulseId: number, at: Date): boolean {
  return (
    db
      .prepare('UPDATE pulses SET closed_at = ? WHERE id = ? AND closed_at IS NULL')
      .run(at.toISOString(), pulseId).changes > 0
  );
}

/** Open pulses sent to (or posted in a channel of) this user: the App Home lists them. */
export function openPulsesFor(db: Db, userId: string, now: Date): Pulse[] {
  return db
    .prepare(
      `SELECT ${COLUMNS} FROM pulses p JOIN surveys s ON s.id = p.survey_id
       WHERE p.closed_at IS NULL AND p.closes_at > ?
         AND EXISTS (SELECT 1 FROM pulse_recipients r WHERE r.pulse_id = p.id AND r.user_id = ?)
       ORDER BY p.closes_at`,
    )
    .all(now.toISOString(), userId) as Pulse[];
}

/** The pulse a survey opened for a due time. */
export function pulseByDue(db: Db, surveyId: number, dueAt: string): Pulse | undefined {
  return db
    .prepare(
      `SELECT ${COLUMNS} FROM pulses p JOIN surveys s ON s.id = p.survey_id WHERE p.survey_id = ? AND p.due_at = ?`,
    )
    .get(surveyId, dueAt) as Pulse | undefined;
}

/** Pulses not yet closed, oldest first. */
export function unclosedPulses(db: Db): Pulse[] {
  return db
    .prepare(
      `SELECT ${COLUMNS} FROM pulses p JOIN surveys s ON s.id = p.survey_id WHERE p.closed_at IS NULL ORDER BY p.closes_at`,
    )
    .all() as Pulse[];
}

/** How many of the workspace's surveys have sent this person a pulse. */
export function surveysAsking(db: Db, teamId: string, userId: string): number {
  const row = db
    .prepare(
      `SELECT count(DISTINCT p.survey_id) AS n FROM pulse_recipients r
       JOIN pulses p ON p.id = r.pulse_id JOIN surveys s ON s.id = p.survey_id
       WHERE r.user_id = ? AND s.team_id = ?`,
    )
    .get(userId, teamId) as { n: number };
  return row.n;
}
