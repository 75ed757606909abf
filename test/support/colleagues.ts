import { addHours, addMinutes } from 'date-fns';
import { type RawBuilder, sql } from 'kysely';
import { expect } from 'vitest';
import type { Discipline } from '../../src/domain/dimensions.js';
import { DIMENSIONS } from '../../src/domain/dimensions.js';
import { findSurveyByChannel, type Survey } from '../../src/storage/surveys.js';
import { ANSWER_PULSE_ACTION } from '../../src/views/pulse-message.js';
import { one, run } from './db.js';
import type { OpenedView } from './slack-requests.js';
import { BOT_USER_ID, TEAM_ID } from './slack-stand-in.js';
import { startTestApp, type TestApp } from './test-app.js';

/**
 * A leadership team using the real app as its members would: an admin sends
 * pulses with `/alignment pulse now`, leaders click the button and submit the
 * form, the scheduler closes each pulse at its time, and anyone can read what
 * the bot shows. The privacy tests attack the app through exactly this.
 */

export const ADMIN = 'U0ADMIN01';
export const LEADS = 'C0LEADERS';
export const EXEC = 'C0EXECS';

export const TEAM: [string, Discipline][] = [
  ['U0P1', 'product'],
  ['U0P2', 'product'],
  ['U0P3', 'product'],
  ['U0P4', 'product'],
  ['U0E1', 'engineering'],
  ['U0E2', 'engineering'],
  ['U0E3', 'engineering'],
  ['U0E4', 'engineering'],
  ['U0D1', 'design'],
  ['U0D2', 'design'],
  ['U0G1', 'program'],
];

export class Colleagues {
  private constructor(
    readonly t: TestApp,
    readonly clock: { now: Date },
  ) {}

  /**
   * The app with the team in a leadership channel and an exec channel, on a
   * clock starting `start`; `env` adds to its environment (a database file to
   * start on, say).
   */
  static async start(
    start = new Date('2026-11-03T09:00:00Z'),
    env: Record<string, string> = {},
  ): Promise<Colleagues> {
    const clock = { now: start };
    const t = await startTestApp({
      now: () => clock.now,
      schedule: false,
      env: { ADMIN_USER_IDS: ADMIN, ...env },
    });
    t.standIn.addUser({ id: ADMIN, name: 'cpo', tz: 'Europe/Berlin' });
    for (const [id] of TEAM) t.standIn.addUser({ id, name: id.toLowerCase() });
    t.standIn.addChannel({
      id: LEADS,
      name: 'leadership',
      members: [ADMIN, ...TEAM.map(([id]) => id), BOT_USER_ID],
    });
    t.standIn.addChannel({ id: EXEC, name: 'execs', members: [ADMIN] });
    return new Colleagues(t, clock);
  }

  async stop(): Promise<void> {
    expect(this.t.standIn.violations()).toEqual([]);
    await this.t.stop();
  }

  async survey(): Promise<Survey> {
    const survey = await findSurveyByChannel(this.t.app.ctx.db, TEAM_ID, LEADS);
    if (survey === undefined) throw new Error('no survey yet');
    return survey;
  }

  /** Moves the clock and lets the scheduler do what falls due (closing pulses). */
  async advance(hours: number): Promise<void> {
    this.clock.now = addHours(this.clock.now, hours);
    await this.t.app.scheduler.tick(this.clock.now);
    await this.t.app.idle();
  }

  /** `/alignment …` as `user` types it; every private answer it gets, as text and blocks. */
  async run(text: string, user = ADMIN, channel = LEADS): Promise<string> {
    const before = this.t.standIn.responseUrlPosts.length;
    const reply = await this.t.slack.command({ user, channel, text });
    expect(reply.status).toBe(200);
    await this.t.app.idle();
    const answers = [
      ...(reply.json === undefined ? [] : [reply.json]),
      ...this.t.standIn.responseUrlPosts.slice(before).map((p) => p.body),
    ];
    return answers
      .map((a) => `${String(a.text ?? '')}\n${JSON.stringify(a.blocks ?? [])}`)
      .join('\n');
  }

  /**
   * The admin sends a pulse now. The first one sets the survey up, with its own
   * schedule moved out of the way (as an admin could in the setup), so only the
   * pulses a test sends go out. Returns the pulse's id.
   */
  async pulseNow(): Promise<string> {
    const db = this.t.app.ctx.db;
    const first = (await findSurveyByChannel(db, TEAM_ID, LEADS)) === undefined;
    expect(await this.run('pulse now')).toContain('Pulse posted in <#C0LEADERS>');
    if (first) {
      await run(db, sql`UPDATE surveys SET pulse_cron = '0 9 1 1 *', digest_cron = '0 9 1 1 *'`);
      await run(db, sql`UPDATE survey_channels SET channel_id = ${EXEC} WHERE role = 'digest'`);
    }
    const message = this.t.standIn.messagesIn(LEADS).at(-1);
    const button = (
      (message?.blocks ?? []) as { elements?: { action_id?: string; value?: string }[] }[]
    )
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === ANSWER_PULSE_ACTION);
    if (button?.value === undefined) throw new Error('no pulse was posted');
    return button.value;
  }

  /** Clicks "Answer the pulse" as `user`; the form Slack would show them. */
  async openForm(user: string, pulseId: string): Promise<OpenedView> {
    const opened = this.t.standIn.openedViews.length;
    await this.t.slack.interaction(
      this.t.slack.buttonClick({
        user,
        channel: LEADS,
        actionId: ANSWER_PULSE_ACTION,
        value: pulseId,
      }),
    );
    await this.t.app.idle();
    const view = this.t.standIn.openedViews.at(-1);
    if (this.t.standIn.openedViews.length === opened || view === undefined)
      throw new Error(`${user}: the form did not open`);
    return { id: view.id, ...view.view } as OpenedView;
  }

  /**
   * Answers every statement of the pulse with `value` (or value(questionId)),
   * choosing `discipline` where the form asks, with an optional comment; the
   * form is submitted as Slack submits it. Extra state (as a tampered form
   * would send) can be added. Returns the app's reply.
   */
  async answer(
    user: string,
    pulseId: string,
    value: number | ((questionId: string) => number),
    options: { discipline?: Discipline; comment?: string; extra?: Record<string, string> } = {},
  ): Promise<Record<string, unknown> | undefined> {
    const view = await this.openForm(user, pulseId);
    const blocks = view.blocks as { block_id?: string }[];
    const values: Record<string, string | null> = {};
    for (const { block_id: id } of blocks) {
      if (id?.startsWith('q:') !== true) continue;
      values[id] = String(typeof value === 'number' ? value : value(id.slice(2)));
    }
    const discipline = options.discipline ?? TEAM.find(([id]) => id === user)?.[1];
    if (blocks.some((b) => b.block_id === 'discipline') && discipline !== undefined)
      values.discipline = discipline;
    if (options.comment !== undefined) values.comment = options.comment;
    Object.assign(values, options.extra ?? {});
    const reply = await this.t.slack.interaction(
      this.t.slack.viewSubmission({ user, view, values }),
    );
    await this.t.app.idle();
    return reply.json;
  }

  /**
   * Clicks "Answer the pulse" as `user` where the form may not open: whether it
   * opened, and the private notes the app answered with.
   */
  async tryToAnswer(
    user: string,
    pulseId: string,
    channel = LEADS,
  ): Promise<{ opened: boolean; notes: string }> {
    const notes = this.t.standIn.responseUrlPosts.length;
    const opened = this.t.standIn.openedViews.length;
    await this.t.slack.interaction(
      this.t.slack.buttonClick({ user, channel, actionId: ANSWER_PULSE_ACTION, value: pulseId }),
    );
    await this.t.app.idle();
    return {
      opened: this.t.standIn.openedViews.length > opened,
      notes: this.t.standIn.responseUrlPosts
        .slice(notes)
        .map((p) => String(p.body.text ?? ''))
        .join('\n'),
    };
  }

  /** Submits a pulse form `user` opened earlier, every statement answered `value`; the app's reply. */
  async submitHeld(
    user: string,
    form: OpenedView,
    value: number,
  ): Promise<Record<string, unknown> | undefined> {
    const values = Object.fromEntries(
      (form.blocks as { block_id?: string }[])
        .filter((b) => b.block_id?.startsWith('q:'))
        .map((b) => [b.block_id as string, String(value)]),
    );
    const reply = await this.t.slack.interaction(
      this.t.slack.viewSubmission({ user, view: form, values }),
    );
    await this.t.app.idle();
    return reply.json;
  }

  /**
   * The admin opens `/alignment setup` and saves it with these changes, every
   * other field as the form showed it (as Slack sends it). The app's reply.
   */
  async saveSetup(
    changes: Record<string, string | string[] | null>,
  ): Promise<Record<string, unknown> | undefined> {
    await this.run('setup');
    const setup = this.t.standIn.openedViews.at(-1);
    if (setup === undefined) throw new Error('the setup form did not open');
    const reply = await this.t.slack.interaction(
      this.t.slack.viewSubmission({
        user: ADMIN,
        view: { id: setup.id, ...setup.view } as OpenedView,
        values: changes,
        keepInitial: true,
      }),
    );
    await this.t.app.idle();
    return reply.json;
  }

  /** Lets the pulse open now close at its time (72 hours), by the scheduler. */
  async closePulse(): Promise<void> {
    await this.advance(72);
    this.clock.now = addMinutes(this.clock.now, 1);
    await this.t.app.scheduler.tick(this.clock.now);
    await this.t.app.idle();
  }

  /** A whole week: a pulse, these answers, its close; then the clock moves to the next week. */
  async week(answers: Record<string, number | ((questionId: string) => number)>): Promise<string> {
    const pulse = await this.pulseNow();
    for (const [user, value] of Object.entries(answers)) await this.answer(user, pulse, value);
    await this.closePulse();
    await this.advance(7 * 24 - 72);
    return pulse;
  }

  /** The App Home as `user` sees it. */
  async home(user: string): Promise<string> {
    await this.t.slack.event({
      type: 'app_home_opened',
      user,
      channel: 'D0HOME',
      tab: 'home',
      event_ts: '1.2',
    });
    await this.t.app.idle();
    return JSON.stringify(this.t.standIn.homeViews.get(user) ?? {});
  }

  /** The admin's `/alignment export`, as the CSV file's text. */
  async exportCsv(): Promise<string> {
    await this.run('export');
    return (
      [...this.t.standIn.uploads.values()]
        .filter((u) => u.filename.startsWith('alignment-scores'))
        .at(-1)
        ?.bytes?.toString('utf8') ?? ''
    );
  }

  /**
   * Everything a curious colleague (`viewer`) and an admin can read from the
   * bot, short of posting a digest: every score window, every trend, the gap,
   * the App Home and the export.
   */
  async everythingShown(viewer = 'U0E1'): Promise<Record<string, string>> {
    const shown: Record<string, string> = {};
    for (const text of ['score', 'score 2', 'score 4', 'score 12', 'gap', 'trend', 'trend 4'])
      shown[text] = await this.run(text, viewer);
    for (const d of DIMENSIONS) shown[`trend ${d}`] = await this.run(`trend ${d}`, viewer);
    shown.home = await this.home(viewer);
    shown.export = await this.exportCsv();
    return shown;
  }

  /** The number a query names `n` (`SELECT count(*) AS n FROM …`), from the app's database. */
  async count(query: RawBuilder<unknown>): Promise<number> {
    const row = await one(this.t.app.ctx.db, query as RawBuilder<{ n: number }>);
    if (row === undefined) throw new Error('the query gave no row');
    return row.n;
  }
}

/** Everyone answers `value`, or value(person). */
export const everyone = (
  value: number | ((user: string) => number),
  who: readonly [string, Discipline][] = TEAM,
): Record<string, number> =>
  Object.fromEntries(who.map(([id]) => [id, typeof value === 'number' ? value : value(id)]));
