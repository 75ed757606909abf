import { sql } from 'kysely';
import type { SideMapping } from '../domain/dimensions.js';
import { firstRow, prepared } from './prepared.js';
import { lockFor, type Store } from './store.js';

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

/** How many ids go in one `IN (…)` list. */
const CHUNK = 500;

function selectSurveys(db: Store) {
  return db
    .selectFrom('surveys')
    .select([
      'id',
      'team_id as teamId',
      'pulse_cron as pulseCron',
      'timezone',
      'questions_per_pulse as questionsPerPulse',
      'open_hours as openHours',
      'delivery',
      'reminder_hours as reminderHours',
      'digest_cron as digestCron',
      'anonymity_threshold as anonymityThreshold',
      'paused_until as pausedUntil',
      'pulse_schedule_from as pulseScheduleFrom',
      'digest_schedule_from as digestScheduleFrom',
      'design_side as designSide',
      'program_side as programSide',
      'other_side as otherSide',
    ])
    .$castTo<SurveyRow>();
}

interface ChannelRow {
  surveyId: number;
  role: string;
  channelId: string;
}

/** The surveys of these rows with their channels, read in one query for up to 500 surveys. */
async function withChannels(db: Store, rows: readonly SurveyRow[]): Promise<Survey[]> {
  const found: ChannelRow[] = [];
  for (let i = 0; i < rows.length; i += CHUNK) {
    const ids = rows.slice(i, i + CHUNK).map((row) => row.id);
    found.push(
      ...(await db
        .selectFrom('survey_channels')
        .select(['survey_id as surveyId', 'role', 'channel_id as channelId'])
        .where('survey_id', 'in', ids)
        .execute()),
    );
  }
  return joinChannels(rows, found);
}

function joinChannels(rows: readonly SurveyRow[], found: readonly ChannelRow[]): Survey[] {
  const channels = new Map<number, ChannelRow[]>();
  for (const c of found) channels.set(c.surveyId, [...(channels.get(c.surveyId) ?? []), c]);
  const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return rows.map(({ designSide, programSide, otherSide, ...rest }) => {
    const own = channels.get(rest.id) ?? [];
    const of = (role: 'leadership' | 'digest') =>
      own
        .filter((c) => c.role === role)
        .map((c) => c.channelId)
        .sort(byId);
    return {
      ...rest,
      sides: { design: designSide, program: programSide, other: otherSide },
      leadershipChannels: of('leadership'),
      digestChannels: of('digest'),
    };
  });
}

const channelsOf = prepared((db, surveyId: number) =>
  db
    .selectFrom('survey_channels')
    .select(['survey_id as surveyId', 'role', 'channel_id as channelId'])
    .where('survey_id', '=', surveyId),
);

/** One survey with its channels (the paths a person waits for read one survey at a time). */
async function withChannelsOne(db: Store, row: SurveyRow | undefined): Promise<Survey | undefined> {
  if (row === undefined) return undefined;
  return joinChannels([row], (await channelsOf(db, row.id)).rows)[0];
}

const surveyById = prepared((db, id: number) => selectSurveys(db).where('id', '=', id));

export async function getSurvey(db: Store, id: number): Promise<Survey | undefined> {
  return withChannelsOne(db, await firstRow(surveyById(db, id)));
}

/**
 * The tenant's survey whose leadership channel this is. A channel shared with
 * another tenant (Slack Connect) may lead a survey of each: only the tenant's own is found.
 */
export async function findSurveyByChannel(
  db: Store,
  teamId: string,
  channelId: string,
): Promise<Survey | undefined> {
  return withChannelsOne(db, await firstRow(surveyByChannel(db, teamId, channelId)));
}

// 'leadership' is written into the SQL, not bound (sql.lit), here and wherever a
// query meets a partial index: SQLite uses such an index only for a literal, and
// a bound value there makes it plan the statement again at every run.
const surveyByChannel = prepared((db, teamId: string, channelId: string) =>
  selectSurveys(db).where('id', '=', (eb) =>
    eb
      .selectFrom('survey_channels')
      .select('survey_id')
      .where('role', '=', sql.lit('leadership'))
      .where('team_id', '=', teamId)
      .where('channel_id', '=', channelId),
  ),
);

export async function listSurveys(db: Store, teamId: string): Promise<Survey[]> {
  return withChannels(
    db,
    await selectSurveys(db).where('team_id', '=', teamId).orderBy('id').execute(),
  );
}

/**
 * The survey of a leadership channel; when there is none, one with the product's
 * defaults (the channel also gets the digest until an admin picks an exec channel).
 */
export async function findOrCreateSurvey(
  db: Store,
  input: {
    teamId: string;
    channelId: string;
    timezone: string;
    createdBy: string;
    /** When the survey begins: its schedules take effect from then (none caught up before). */
    at?: Date;
  },
): Promise<Survey> {
  // Two requests (or instances) creating the same channel's survey take turns.
  const id = await db.transaction().execute(async (trx) => {
    await lockFor(trx, `survey-of-channel:${input.teamId}:${input.channelId}`);
    const existing = await trx
      .selectFrom('survey_channels')
      .select('survey_id')
      .where('role', '=', sql.lit('leadership'))
      .where('team_id', '=', input.teamId)
      .where('channel_id', '=', input.channelId)
      .executeTakeFirst();
    if (existing !== undefined) return existing.survey_id;
    const from = input.at?.toISOString() ?? null;
    const { id: surveyId } = await trx
      .insertInto('surveys')
      .values({
        team_id: input.teamId,
        timezone: input.timezone,
        created_by: input.createdBy,
        pulse_schedule_from: from,
        digest_schedule_from: from,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('survey_channels')
      .values(
        (['leadership', 'digest'] as const).map((role) => ({
          survey_id: surveyId,
          team_id: input.teamId,
          role,
          channel_id: input.channelId,
        })),
      )
      .execute();
    return surveyId;
  });
  const survey = await getSurvey(db, id);
  if (survey === undefined) throw new Error(`survey ${id} vanished after it was created`);
  return survey;
}

/** Every survey whose workspace still has the app installed: the ones with schedules. */
export async function scheduledSurveys(db: Store): Promise<Survey[]> {
  const rows = await selectSurveys(db)
    .where('team_id', 'in', (eb) =>
      eb.selectFrom('workspaces').select('team_id').where('uninstalled_at', 'is', null),
    )
    .orderBy('id')
    .execute();
  return withChannels(db, rows);
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
export async function channelsLeadingOtherSurveys(
  db: Store,
  teamId: string,
  channels: readonly string[],
  surveyId: number | undefined,
): Promise<string[]> {
  if (channels.length === 0) return [];
  const owners = new Map(
    (
      await db
        .selectFrom('survey_channels')
        .select(['channel_id as channelId', 'survey_id as surveyId'])
        .where('role', '=', sql.lit('leadership'))
        .where('team_id', '=', teamId)
        .where('channel_id', 'in', [...channels])
        .execute()
    ).map((row) => [row.channelId, row.surveyId]),
  );
  return channels.filter((channel) => {
    const owner = owners.get(channel);
    return owner !== undefined && owner !== surveyId;
  });
}

/**
 * Saves a survey's settings (creating it when `surveyId` is undefined) and, when
 * given, a custom question, all in one transaction. Returns the survey.
 */
export async function saveSurvey(
  db: Store,
  input: {
    surveyId: number | undefined;
    teamId: string;
    by: string;
    /** Now: a changed schedule takes effect from this moment. */
    at: Date;
    settings: SurveySettings;
    customQuestion?: { text: string; dimension: string; reversed: boolean } | undefined;
  },
): Promise<Survey> {
  const s = input.settings;
  const at = input.at.toISOString();
  const values = {
    pulse_cron: s.pulseCron,
    digest_cron: s.digestCron,
    timezone: s.timezone,
    questions_per_pulse: s.questionsPerPulse,
    open_hours: s.openHours,
    delivery: s.delivery,
    reminder_hours: s.reminderHours,
    anonymity_threshold: s.anonymityThreshold,
    paused_until: s.pausedUntil,
    design_side: s.sides.design,
    program_side: s.sides.program,
    other_side: s.sides.other,
  };
  const id = await db.transaction().execute(async (trx) => {
    let surveyId: number;
    if (input.surveyId === undefined) {
      surveyId = (
        await trx
          .insertInto('surveys')
          .values({
            ...values,
            team_id: input.teamId,
            created_by: input.by,
            pulse_schedule_from: at,
            digest_schedule_from: at,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    } else {
      surveyId = input.surveyId;
      // Two admins saving the same survey at once take turns (its custom questions are numbered).
      await lockFor(trx, `survey-settings:${surveyId}`);
      await trx
        .updateTable('surveys')
        .set((eb) => ({
          ...values,
          // The wall clock, as for the column's default.
          updated_at: new Date().toISOString(),
          // A schedule that changes (or whose time zone does) starts afresh now;
          // each comparison is with the survey's values before this update.
          pulse_schedule_from: eb
            .case()
            .when(eb.or([eb('pulse_cron', '<>', s.pulseCron), eb('timezone', '<>', s.timezone)]))
            .then(at)
            .else(eb.ref('pulse_schedule_from'))
            .end(),
          digest_schedule_from: eb
            .case()
            .when(eb.or([eb('digest_cron', '<>', s.digestCron), eb('timezone', '<>', s.timezone)]))
            .then(at)
            .else(eb.ref('digest_schedule_from'))
            .end(),
        }))
        .where('id', '=', surveyId)
        .execute();
    }
    await trx.deleteFrom('survey_channels').where('survey_id', '=', surveyId).execute();
    const channels = [
      ...[...new Set(s.leadershipChannels)].map((c) => ({ role: 'leadership', channel_id: c })),
      ...[...new Set(s.digestChannels)].map((c) => ({ role: 'digest', channel_id: c })),
    ];
    if (channels.length > 0)
      await trx
        .insertInto('survey_channels')
        .values(channels.map((c) => ({ ...c, survey_id: surveyId, team_id: input.teamId })))
        .execute();
    if (input.customQuestion !== undefined) {
      const { n } = await trx
        .selectFrom('questions')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('survey_id', '=', surveyId)
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('questions')
        .values({
          id: `custom.${surveyId}.${Number(n) + 1}`,
          dimension: input.customQuestion.dimension,
          text: input.customQuestion.text,
          reversed: input.customQuestion.reversed ? 1 : 0,
          survey_id: surveyId,
          created_by: input.by,
        })
        .execute();
    }
    return surveyId;
  });
  const survey = await getSurvey(db, id);
  if (survey === undefined) throw new Error(`survey ${id} vanished after it was saved`);
  return survey;
}

/** Who set the survey up: the admin told first when something goes wrong with it. */
export async function surveyCreator(db: Store, surveyId: number): Promise<string | undefined> {
  const row = await db
    .selectFrom('surveys')
    .select('created_by as createdBy')
    .where('id', '=', surveyId)
    .executeTakeFirst();
  return row?.createdBy ?? undefined;
}
