import type { SideMapping } from '../domain/dimensions.js';
import type { Db } from './database.js';

export interface Survey {
  id: number;
  teamId: string;
  pulseCron: string;
  timezone: string;
  questionsPerPulse: number;
  openHours: number;
  delivery: 'channel' | 'dm';
  /** Hours before closing that non-respondents are reminded; null: no reminders. */
  reminderHours: number | null;
  digestCron: string;
  /** The survey's own threshold; null: the app's ANONYMITY_THRESHOLD. */
  anonymityThreshold: number | null;
  pausedUntil: string | null;
  /** When the pulse and digest schedules took effect; a due time before is never caught up. */
  pulseScheduleFrom: string | null;
  digestScheduleFrom: string | null;
  /** Which side Design, Program / TPM and Other count with; a change applies from the next pulse. */
  sides: SideMapping;
  leadershipChannels: string[];
  digestChannels: string[];
}

interface SurveyRow extends Omit<Survey, 'leadershipChannels' | 'digestChannels' | 'sides'> {
  designSide: SideMapping['design'];
  programSide: SideMapping['program'];
  otherSide: SideMapping['other'];
}

const COLUMNS = `id, team_id AS teamId, pulse_cron AS pulseCron, timezone,
  questions_per_pulse AS questionsPerPulse, open_hours AS openHours, delivery,
  reminder_hours AS reminderHours, digest_cron AS digestCron,
  anonymity_threshold AS anonymityThreshold, paused_until AS pausedUntil,
  pulse_schedule_from AS pulseScheduleFrom, digest_schedule_from AS digestScheduleFrom,
  design_side AS designSide, program_side AS programSide, other_side AS otherSide`;

function withChannels(db: Db, row: SurveyRow | undefined): Survey | undefined {
  if (row === undefined) return undefined;
  const { designSide, programSide, otherSide, ...rest } = row;
  const channels = db
    .prepare(
      'SELECT role, channel_id AS channelId FROM survey_channels WHERE survey_id = ? ORDER BY channel_id',
    )
    .all(row.id) as { role: 'leadership' | 'digest'; channelId: string }[];
  return {
    ...rest,
    sides: { design: designSide, program: programSide, other: otherSide },
    leadershipChannels: channels.filter((c) => c.role === 'leadership').map((c) => c.channelId),
    digestChannels: channels.filter((c) => c.role === 'digest').map((c) => c.channelId),
  };
}

export function getSurvey(db: Db, id: number): Survey | undefined {
  return withChannels(
    db,
    db.prepare(`SELECT ${COLUMNS} FROM surveys WHERE id = ?`).get(id) as SurveyRow | undefined,
  );
}

/**
 * The tenant's survey whose leadership channel this is. A channel shared with
 * another tenant (Slack Connect) may lead a survey of each: only the tenant's own is found.
 */
export function findSurveyByChannel(db: Db, teamId: string, channelId: string): Survey | undefined {
  const row = db
    .prepare(
      `SELECT ${COLUMNS} FROM surveys WHERE id =
         (SELECT survey_id FROM survey_channels
          WHERE role = 'leadership' AND team_id = ? AND channel_id = ?)`,
    )
    .get(teamId, channelId) as SurveyRow | undefined;
  return withChannels(db, row);
}

export function listSurveys(db: Db, teamId: string): Survey[] {
  const rows = db
    .prepare(`SELECT ${COLUMNS} FROM surveys WHERE team_id = ? ORDER BY id`)
    .all(teamId) as SurveyRow[];
  return rows.map((row) => withChannels(db, row)).filter((s): s is Survey => s !== undefined);
}

/**
 * The survey of a leadership channel; when there is none, one with the product's
 * defaults (the channel also gets the digest until an admin picks an exec channel).
 */
export function findOrCreateSurvey(
  db: Db,
  input: {
    teamId: string;
    channelId: string;
    timezone: string;
    createdBy: string;
    /** When the survey begins: its schedules take effect from then (none caught up before). */
    at?: Date;
  },
): Survey {
  const create = db.transaction(() => {
    const existing = findSurveyByChannel(db, input.teamId, input.channelId);
    if (existing !== undefined) return existing.id;
    const from = input.at?.toISOString() ?? null;
    const surveyId = Number(
      db
        .prepare(
          `INSERT INTO surveys (team_id, timezone, created_by, pulse_schedule_from, digest_schedule_from)
           VALUES (?, ?, ?, ?, ?)`,
        )
        .run(input.teamId, input.timezone, input.createdBy, from, from).lastInsertRowid,
    );
    const channel = db.prepare(
      'INSERT INTO survey_channels (survey_id, team_id, role, channel_id) VALUES (?, ?, ?, ?)',
    );
    channel.run(surveyId, input.teamId, 'leadership', input.channelId);
    channel.run(surveyId, input.teamId, 'digest', input.channelId);
    return surveyId;
  });
  // IMMEDIATE: two processes creating the same channel's survey take turns.
  const id = create.immediate();
  const survey = getSurvey(db, id);
  if (survey === undefined) throw new Error(`survey ${id} vanished after it was created`);
  return survey;
}

/** Every survey whose workspace still has the app installed: the ones with schedules. */
export function scheduledSurveys(db: Db): Survey[] {
  const rows = db
    .prepare(
      `SELECT ${COLUMNS} FROM surveys WHERE team_id IN
         (SELECT team_id FROM workspaces WHERE uninstalled_at IS NULL) ORDER BY id`,
    )
    .all() as SurveyRow[];
  return rows.map((row) => withChannels(db, row)).filter((s): s is Survey => s !== undefined);
}

export interface SurveySettings {
  leadershipChannels: string[];
  digestChannels: string[];
  pulseCron: string;
  digestCron: string;
  timezone: string;
  questionsPerPulse: number;
  openHours: number;
  delivery: 'channel' | 'dm';
  reminderHours: number | null;
  anonymityThreshold: number;
  pausedUntil: string | null;
  sides: SideMapping;
}

/** Leadership channels already leading another survey of the tenant than `surveyId`. */
export function channelsLeadingOtherSurveys(
  db: Db,
  teamId: string,
  channels: readonly string[],
  surveyId: number | undefined,
): string[] {
  return channels.filter((channel) => {
    const owner = findSurveyByChannel(db, teamId, channel);
    return owner !== undefined && owner.id !== surveyId;
  });
}

/**
 * Saves a survey's settings (creating it when `surveyId` is undefined) and, when
 * given, a custom question, all in one transaction. Returns the survey.
 */
export function saveSurvey(
  db: Db,
  input: {
    surveyId: number | undefined;
    teamId: string;
    by: string;
    /** Now: a changed schedule takes effect from this moment. */
    at: Date;
    settings: SurveySettings;
    customQuestion?: { text: string; dimension: string; reversed: boolean } | undefined;
  },
): Survey {
  const s = input.settings;
  const id = db
    .transaction(() => {
      const values = [
        s.pulseCron,
        s.digestCron,
        s.timezone,
        s.questionsPerPulse,
        s.openHours,
        s.delivery,
        s.reminderHours,
        s.anonymityThreshold,
        s.pausedUntil,
        s.sides.design,
        s.sides.program,
        s.sides.other,
      ];
      let surveyId = input.surveyId;
      const at = input.at.toISOString();
      if (surveyId !== undefined) {
        // A schedule that changes (or whose time zone does) starts afresh now.
        db.prepare(
          `UPDATE surveys SET
             pulse_schedule_from = CASE WHEN pulse_cron IS NOT ? OR timezone IS NOT ? THEN ? ELSE pulse_schedule_from END,
             digest_schedule_from = CASE WHEN digest_cron IS NOT ? OR timezone IS NOT ? THEN ? ELSE digest_schedule_from END
           WHERE id = ?`,
        ).run(s.pulseCron, s.timezone, at, s.digestCron, s.timezone, at, surveyId);
      }
      if (surveyId === undefined) {
        surveyId = Number(
          db
            .prepare(
              `INSERT INTO surveys (pulse_cron, digest_cron, timezone, questions_per_pulse, open_hours, delivery,
               reminder_hours, anonymity_threshold, paused_until, design_side, program_side, other_side,
               team_id, created_by, pulse_schedule_from, digest_schedule_from)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(...values, input.teamId, input.by, at, at).lastInsertRowid,
        );
      } else {
        db.prepare(
          `UPDATE surveys SET pulse_cron = ?, digest_cron = ?, timezone = ?, questions_per_pulse = ?, open_hours = ?,
           delivery = ?, reminder_hours = ?, anonymity_threshold = ?, paused_until = ?,
           design_side = ?, program_side = ?, other_side = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?`,
        ).run(...values, surveyId);
      }
      db.prepare('DELETE FROM survey_channels WHERE survey_id = ?').run(surveyId);
      const channel = db.prepare(
        'INSERT INTO survey_channels (survey_id, team_id, role, channel_id) VALUES (?, ?, ?, ?)',
      );
      for (const c of new Set(s.leadershipChannels))
        channel.run(surveyId, input.teamId, 'leadership', c);
      for (const c of new Set(s.digestChannels)) channel.run(surveyId, input.teamId, 'digest', c);
      if (input.customQuestion !== undefined) {
        const count = (
          db.prepare('SELECT count(*) AS n FROM questions WHERE survey_id = ?').get(surveyId) as {
            n: number;
          }
        ).n;
        db.prepare(
          'INSERT INTO questions (id, dimension, text, reversed, survey_id, created_by) VALUES (?, ?, ?, ?, ?, ?)',
        ).run(
          `custom.${surveyId}.${count + 1}`,
          input.customQuestion.dimension,
          input.customQuestion.text,
          input.customQuestion.reversed ? 1 : 0,
          surveyId,
          input.by,
        );
      }
      return surveyId;
    })
    .immediate();
  const survey = getSurvey(db, id);
  if (survey === undefined) throw new Error(`survey ${id} vanished after it was saved`);
  return survey;
}

/** Who set the survey up: the admin told first when something goes wrong with it. */
export function surveyCreator(db: Db, surveyId: number): string | undefined {
  const row = db
    .prepare('SELECT created_by AS createdBy FROM surveys WHERE id = ?')
    .get(surveyId) as { createdBy: string | null } | undefined;
  return row?.createdBy ?? undefined;
}
