import { addMinutes } from 'date-fns';
import { type RawBuilder, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Discipline } from '../../src/domain/dimensions.js';
import { NOT_INSTALLED } from '../../src/slack/app.js';
import {
  AGREEMENT_DONE_ACTION,
  AGREEMENT_DROP_ACTION,
  AGREEMENT_KEEP_ACTION,
  RECORD_AGREEMENT_ACTION,
} from '../../src/views/agreements.js';
import { FORGET_ME_CONFIRM_ACTION } from '../../src/views/forget-me.js';
import { HOME_EDIT_SETUP_ACTION } from '../../src/views/home.js';
import { ANSWER_PULSE_ACTION } from '../../src/views/pulse-message.js';
import { SETUP_SCHEDULE_MODE_ACTION } from '../../src/views/setup-modal.js';
import { one } from '../support/db.js';
import { clickAddToSlack } from '../support/install-flow.js';
import type { OpenedView, SlackSender } from '../support/slack-requests.js';
import { commandAnswers, pinnedClock, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Tenants never meet: two companies' workspaces on ONE deployment, each
 * installed through Add to Slack, each running its survey through the real app
 * over HTTP. Whatever one of them can read (every command, the App Home, the
 * digest, the exported files) is checked for everything of the other, and the
 * other's ids are used in forged buttons and forms to show they are refused.
 *
 * Acme answers 5 to everything, Beta 1, so a single mixed-in answer would move
 * every score; each has its own channel, people, comment and agreement, which
 * must never show on the other side. BOTH is one person id in both workspaces
 * (a Slack Connect guest: the stand-in lets both tokens see them) who leads in
 * each and installed the app in Beta.
 */

const BOTH = 'U0BOTH001';
/** Beta's workspace admin: an admin there, unknown to Acme's workspace. */
const BETA_OWNER = 'U0BETAOWN';
/** A channel both companies are in (Slack Connect), made in Acme. */
const SHARED = 'C0SHARED01';

/** A workspace: its people (P… Product, E… Engineering; and BOTH), what they answer and write. */
const tenant = (ids: [string, string, string], own: string[], both: Discipline, value: number) => {
  const [teamId, admin, leads] = ids;
  const name = teamId.slice(2, 6);
  const comment = `${name}: a comment nobody outside ${name} may read`;
  const agreement = `${name} agreed on the roadmap`;
  return { teamId, admin, leads, own, both, value, comment, agreement, send: {} as SlackSender };
};
type Tenant = ReturnType<typeof tenant>;
const acme = tenant(
  ['T0ACME001', 'U0ACMEADM', 'C0ACMELEADS'],
  ['U0AP1', 'U0AP2', 'U0AE1', 'U0AE2', 'U0AE3'],
  'product',
  5,
);
const beta = tenant(
  ['T0BETA001', BOTH, 'C0BETALEADS'],
  ['U0BP1', 'U0BP2', 'U0BP3', 'U0BE1', 'U0BE2', 'U0BE3', 'U0BE4'],
  'engineering',
  1,
);
const people = (x: Tenant) => [...x.own, BOTH];
const disciplineOf = (x: Tenant, id: string): Discipline =>
  id === BOTH ? x.both : id[3] === 'P' ? 'product' : 'engineering';
const other = (x: Tenant) => (x === acme ? beta : acme);

/** Nothing of `x` (its workspace, channel, people, comment, agreement) is in `shown`. */
function nothingOf(x: Tenant, shown: string): void {
  for (const mark of [x.teamId, x.leads, x.comment, x.agreement, ...x.own])
    expect(shown, `shows ${mark}`).not.toContain(mark);
}

let t: TestApp;
let clock: { now: Date };

beforeEach(async () => {
  clock = pinnedClock('2026-11-03T09:00:00Z');
  t = await startTestApp({ now: () => clock.now, schedule: false, oauth: {} });
  const s = t.standIn;
  s.addWorkspace({ teamId: acme.teamId, name: 'Acme' });
  s.addWorkspace({ teamId: beta.teamId, name: 'Beta' });
  s.addUser({ id: acme.admin, name: 'acme-cpo', team_id: acme.teamId });
  s.addUser({ id: BETA_OWNER, name: 'beta-owner', team_id: beta.teamId, is_admin: true });
  // One person in both workspaces: each workspace's token sees them.
  const teams = [acme.teamId, beta.teamId];
  const guest = { enterprise_id: 'E0GUEST01', is_admin: false, is_owner: false, teams };
  s.addUser({ id: BOTH, name: 'both', team_id: beta.teamId, enterprise_user: guest });
  for (const x of [acme, beta]) {
    for (const id of x.own) s.addUser({ id, name: id.toLowerCase(), team_id: x.teamId });
    const members = [...new Set([x.admin, ...people(x)])];
    s.addChannel({ id: x.leads, name: 'leadership', team_id: x.teamId, members });
  }
  s.addChannel({
    id: SHARED,
    name: 'acme-beta',
    team_id: acme.teamId,
    shared_team_ids: [beta.teamId],
    members: [acme.admin, ...acme.own, ...beta.own],
  });
  // Both install as a new team would: Add to Slack, through the real pages.
  for (const x of [acme, beta]) {
    s.nextAuthorization({ teamId: x.teamId, installerUserId: x.admin });
    expect((await clickAddToSlack({ appUrl: t.baseUrl })).final.body).toContain('is installed');
    x.send = t.slack.as({ teamId: x.teamId });
  }
});

afterEach(async () => {
  expect(t.standIn.violations()).toEqual([]);
  await t.stop();
});

// ---- what people do, through the app -------------------------------------------

/** `/alignment …` typed in `x`'s workspace; every private answer, text and blocks. */
async function say(x: Tenant, text: string, user = x.admin, channel = x.leads): Promise<string> {
  const answers = await commandAnswers({ ...t, slack: x.send }, { user, channel, text });
  return answers.map((a) => `${a.text}\n${JSON.stringify(a.blocks)}`).join('\n');
}

/** The form Slack opened last; with `metadata`, as a forged copy carrying it. */
function lastOpened(metadata?: object): OpenedView & { id: string } {
  const opened = t.standIn.openedViews.at(-1);
  if (opened === undefined) throw new Error('no form was opened');
  const view = { id: opened.id, ...opened.view } as OpenedView & { id: string };
  return metadata === undefined ? view : { ...view, private_metadata: JSON.stringify(metadata) };
}
const metadataOf = (view: OpenedView) => JSON.parse(view.private_metadata ?? 'null') as unknown;

/** `pulse now` in `channel`; the pulse id on the button `x`'s bot posted there. */
async function pulseNow(x: Tenant, channel = x.leads): Promise<{ id: string; said: string }> {
  const said = await say(x, 'pulse now', x.admin, channel);
  const posted = t.standIn.messagesIn(channel).filter((m) => m.team === x.teamId);
  const blocks = (posted.at(-1)?.blocks ?? []) as { elements?: Record<string, string>[] }[];
  const elements = blocks.flatMap((b) => b.elements ?? []);
  const id = elements.find((e) => e.action_id === ANSWER_PULSE_ACTION)?.value;
  if (id === undefined) throw new Error('no pulse was posted');
  return { id, said };
}

/** Clicks a message button in `x`'s workspace; the private notes it got. */
async function click(x: Tenant, user: string, actionId: string, value: string, channel = x.leads) {
  const notes = t.standIn.responseUrlPosts.length;
  await x.send.interaction(x.send.buttonClick({ user, channel, actionId, value }));
  await t.app.idle();
  const told = t.standIn.responseUrlPosts.slice(notes);
  return told.map((p) => String(p.body.text)).join('\n');
}

/** Submits a form as Slack does; the app's answer, as JSON text. */
async function submit(x: Tenant, user: string, view: OpenedView, values: Record<string, string>) {
  const keepInitial = true;
  const reply = await x.send.interaction(
    x.send.viewSubmission({ user, view, values, keepInitial }),
  );
  await t.app.idle();
  return JSON.stringify(reply.json ?? {});
}

/** Opens the pulse form with its button and answers every statement `value`. */
async function answer(
  x: Tenant,
  user: string,
  pulse: string,
  value: number,
  o: { comment?: string; channel?: string; metadata?: object } = {},
) {
  const opened = t.standIn.openedViews.length;
  const told = await click(x, user, ANSWER_PULSE_ACTION, pulse, o.channel);
  if (t.standIn.openedViews.length === opened) throw new Error(`${user}: no form, told: ${told}`);
  const form = lastOpened(o.metadata);
  const values: Record<string, string> = {};
  for (const { block_id: id } of form.blocks as { block_id?: string }[]) {
    if (id?.startsWith('q:')) values[id] = String(value);
    if (id === 'discipline') values[id] = disciplineOf(x, user);
  }
  if (o.comment !== undefined) values.comment = o.comment;
  return submit(x, user, form, values);
}

const agreement = (x: Tenant, product: string, engineering: string) => ({
  agree_dimension: 'roadmap',
  agree_body: x.agreement,
  agree_product: product,
  agree_engineering: engineering,
  agree_review: '2026-11-20',
});

/** A week in both: a pulse, everyone's answers, an agreement BOTH owns, the pulse closed. */
async function week(): Promise<void> {
  for (const x of [acme, beta]) {
    const pulse = (await pulseNow(x)).id;
    for (const user of people(x))
      await answer(x, user, pulse, x.value, user === BOTH ? { comment: x.comment } : {});
    await agree(x);
  }
  await advance(72 * 60 + 1);
}

/** `/alignment agree` by the first leader, saved with BOTH as one of the two owners. */
async function agree(x: Tenant): Promise<void> {
  const [lead = '', engineer = ''] = [x.own[0], x.own.at(-1)];
  await say(x, 'agree', lead);
  const owners = x === acme ? agreement(x, BOTH, engineer) : agreement(x, lead, BOTH);
  expect(await submit(x, lead, lastOpened(), owners)).toContain('"response_action":"update"');
}

async function advance(minutes: number): Promise<void> {
  clock.now = addMinutes(clock.now, minutes);
  await t.app.scheduler.tick(clock.now);
  await t.app.idle();
}

async function home(x: Tenant, user: string): Promise<string> {
  await x.send.event({ type: 'app_home_opened', user, channel: 'D0HOME', tab: 'home' });
  await t.app.idle();
  return JSON.stringify(t.standIn.homeViews.get(user) ?? {});
}

/** `/alignment export`: the files it uploaded, and where they went. */
async function exported(x: Tenant): Promise<{ said: string; files: string; channels: string[] }> {
  const before = new Set(t.standIn.uploads.keys());
  const said = await say(x, 'export');
  const files = [...t.standIn.uploads].filter(([id]) => !before.has(id)).map(([, u]) => u);
  expect(files.map((f) => f.filename.replace(/-\d.*/, ''))).toEqual([
    'alignment-scores',
    'alignment-agreements',
  ]);
  const text = files.map((f) => f.bytes?.toString('utf8') ?? '').join('\n');
  return { said, files: text, channels: files.map((f) => f.channel ?? '') };
}

// The ids an attacker puts in a forged payload, and what a tenant has stored.
const numberOf = async (query: RawBuilder<unknown>) =>
  ((await one(t.app.ctx.db, query)) as { n: number }).n;
const surveysOf = (x: Tenant) =>
  sql`survey_id IN (SELECT id FROM surveys WHERE team_id = ${x.teamId})`;
const surveyOf = (x: Tenant) =>
  numberOf(sql`SELECT min(id) AS n FROM surveys WHERE team_id = ${x.teamId}`);
const agreementOf = (x: Tenant) =>
  numberOf(sql`SELECT min(id) AS n FROM agreements WHERE ${surveysOf(x)}`);
async function stored(x: Tenant): Promise<Record<string, number>> {
  const pulses = sql`pulse_id IN (SELECT id FROM pulses WHERE ${surveysOf(x)})`;
  const tables = {
    surveys: sql`surveys WHERE team_id = ${x.teamId}`,
    answers: sql`answers WHERE ${pulses}`,
    comments: sql`comments WHERE ${pulses}`,
    published: sql`published_pulses WHERE ${surveysOf(x)}`,
    agreements: sql`agreements WHERE ${surveysOf(x)}`,
    disciplines: sql`discipline_changes WHERE team_id = ${x.teamId}`,
    failures: sql`delivery_failures WHERE team_id = ${x.teamId}`,
    installations: sql`installations WHERE tenant_id = ${x.teamId}`,
  };
  const counts: Record<string, number> = {};
  for (const [name, from] of Object.entries(tables))
    counts[name] = await numberOf(sql`SELECT count(*) AS n FROM ${from}`);
  return counts;
}

// ---- the tests ------------------------------------------------------------------

describe('Tenants never meet', () => {
  it('every /alignment subcommand, the App Home, the digest and the export of one workspace show, count and export only its own', async () => {
    // Beta's agreement DM fails: a delivery problem its admins see in their App Home.
    t.standIn.inject('conversations.open', { error: 'user_disabled' }, 1, { team: beta.teamId });
    await week();
    const shown = new Map<Tenant, Record<string, string>>();
    for (const x of [acme, beta]) {
      const leader = x.own[0] ?? '';
      const its: Record<string, string> = {};
      for (const text of ['help', 'score', 'score 4', 'score all', 'trend', 'trend roadmap', 'gap'])
        its[text] = await say(x, text);
      its['leader score'] = await say(x, 'score', leader);
      its.role = await say(x, `role ${disciplineOf(x, leader)}`, leader);
      its['role @'] = await say(x, `role <@${leader}> design`);
      its['forget-me'] = await say(x, 'forget-me', leader);
      its['digest now'] = await say(x, 'digest now');
      its.digest = JSON.stringify(t.standIn.messagesIn(x.leads).at(-1));
      its.agree = `${await say(x, 'agree', leader)}${JSON.stringify(lastOpened())}`;
      expect(metadataOf(lastOpened())).toEqual({ surveyId: await surveyOf(x) });
      its.setup = `${await say(x, 'setup')}${JSON.stringify(lastOpened())}`;
      const setup = { surveyId: await surveyOf(x), channelId: x.leads, advanced: false };
      expect(metadataOf(lastOpened())).toEqual(setup);
      const files = await exported(x);
      its.export = `${files.said}\n${files.files}`;
      expect(files.channels).toEqual(Array(2).fill(t.standIn.dmChannelOf(x.admin, x.teamId)));
      its['admin home'] = await home(x, x.admin);
      its['leader home'] = await home(x, leader);
      shown.set(x, its);

      // Its own: its people counted, its answers scored (5 → 100, 1 → 0), its comment and agreement.
      const members = new Set([x.admin, ...people(x)]).size;
      expect(its['leader score']).toContain(`${people(x).length} of ${members} leaders answered`);
      expect(its.score).toContain(`*Alignment index ${x === acme ? 100 : 0}*`);
      expect(its.digest).toContain(x.comment);
      expect(its.export).toContain(
        `,${await surveyOf(x)},alignment_index,all,${people(x).length},`,
      );
      expect(its.export).toContain(x.agreement);
      expect(its['leader home']).toContain(x.agreement);
      expect(its['admin home'].includes('`user_disabled`')).toBe(x === beta);
    }
    // A pulse open in each: the person in both sees, in each workspace, only its own.
    const open = new Map([acme, beta].map((x) => [x, '']));
    for (const x of [acme, beta]) {
      const pulse = await pulseNow(x);
      open.set(x, pulse.id);
      (shown.get(x) ?? {})['pulse now'] = pulse.said;
    }
    for (const x of [acme, beta]) {
      const its = shown.get(x) ?? {};
      its['home with a pulse open'] = await home(x, BOTH);
      expect(its['home with a pulse open']).toContain(`"value":"${open.get(x)}"`);
      expect(its['home with a pulse open']).not.toContain(`"value":"${open.get(other(x))}"`);
      expect(t.standIn.messagesIn(x.leads).every((m) => m.team === x.teamId)).toBe(true);
      // …and nothing of the other, anywhere.
      for (const [what, text] of Object.entries(its))
        expect(() => nothingOf(other(x), text), what).not.toThrow();
      expect(its.export).not.toContain(`,${await surveyOf(other(x))},`);
    }
  });

  it('forget-me in Beta forgets only Beta: the same person keeps their answers, comment, discipline and agreement in Acme', async () => {
    await week();
    const acmeBefore = await stored(acme);
    expect(await say(beta, 'forget-me', BOTH)).toContain('Delete all 5 answers and 1 comment');
    expect(await click(beta, BOTH, FORGET_ME_CONFIRM_ACTION, 'confirm')).toMatch(
      /Deleted 5 answers and 1 comment/,
    );

    expect(await stored(acme)).toEqual(acmeBefore);
    expect(await say(beta, 'forget-me', BOTH)).toContain('You have no answers or comments stored');
    expect(await say(acme, 'forget-me', BOTH)).toContain('Delete all 5 answers and 1 comment');
    // Their discipline: forgotten in Beta (they choose again), kept in Acme.
    expect(await say(acme, 'role design', BOTH)).toContain('You are counted under Product');
    expect(await say(beta, 'role design', BOTH)).toContain('Done: you are counted under Design');
    // Their comment is in Acme's digest; their place on Acme's agreement stays.
    await say(acme, 'digest now');
    expect(JSON.stringify(t.standIn.messagesIn(acme.leads).at(-1))).toContain(acme.comment);
    expect(await home(acme, 'U0AP1')).toContain(`<@${BOTH}> and <@U0AE3>`);
    expect(await home(beta, 'U0BP1')).toContain('<@U0BP1> and a former leader');
  });

  it('retention deletes an uninstalled Beta whole after its grace days, and Acme stays whole', async () => {
    await week();
    const acmeBefore = await stored(acme);
    const asked = async () => ({
      score: await say(acme, 'score', 'U0AP1'),
      trend: await say(acme, 'trend', 'U0AP1'),
      gap: await say(acme, 'gap', 'U0AP1'),
      export: (await exported(acme)).files,
    });
    const shownBefore = await asked();
    const betaBefore = await stored(beta);
    expect((await beta.send.appUninstalled()).status).toBe(200);
    await t.app.idle();

    await advance(20 * 24 * 60); // the daily run within the grace days: Beta is kept
    expect(await stored(beta)).toEqual({ ...betaBefore, installations: 0 });
    await advance(15 * 24 * 60); // the daily run 35 days after the uninstall
    expect(Object.values(await stored(beta))).toEqual(Array(8).fill(0));
    expect(await stored(acme)).toEqual(acmeBefore);
    expect(await asked()).toEqual(shownBefore);
    expect(await home(acme, 'U0AP1')).toContain(acme.agreement);
    expect(await say(acme, 'pulse now')).toContain(`Pulse posted in <#${acme.leads}>`);
    expect(await say(beta, 'score', 'U0BP1')).toContain(NOT_INSTALLED);
  });

  it('a button or form from Beta naming Acme’s pulse, survey or agreement is refused and changes nothing', async () => {
    const acmePulse = (await pulseNow(acme)).id;
    const betaPulse = (await pulseNow(beta)).id;
    await agree(acme);
    await agree(beta);
    await answer(acme, 'U0AP1', acmePulse, 5);
    const acmeBefore = {
      stored: await stored(acme),
      home: await home(acme, 'U0AE3'),
      pulse: JSON.stringify(t.standIn.messagesIn(acme.leads)),
    };
    const opened = t.standIn.openedViews.length;

    // BOTH, to whom Acme's pulse went, clicks Answer with its id from Beta…
    expect(await click(beta, BOTH, ANSWER_PULSE_ACTION, acmePulse)).toContain(
      'That pulse no longer exists',
    );
    // …and submits Beta's own pulse form with Acme's pulse id in it.
    const metadata = { pulseId: Number(acmePulse) };
    expect(await answer(beta, BOTH, betaPulse, 1, { metadata })).toContain(
      'This form belongs to a pulse that no longer exists',
    );
    // Beta's admin edits Acme's survey: from the App Home, and with Beta's setup form.
    await click(beta, BOTH, HOME_EDIT_SETUP_ACTION, String(await surveyOf(acme)));
    await say(beta, 'setup');
    const setup = lastOpened({
      surveyId: await surveyOf(acme),
      channelId: acme.leads,
      advanced: false,
    });
    expect(await submit(beta, BOTH, setup, {})).toContain('This form is out of date');
    // Beta's leader records an agreement on Acme's survey: with the button, and Beta's form.
    const record = JSON.stringify({ surveyId: await surveyOf(acme) });
    expect(await click(beta, 'U0BP1', RECORD_AGREEMENT_ACTION, record)).toContain(
      'That survey was removed',
    );
    await say(beta, 'agree', 'U0BP1');
    const form = lastOpened({ surveyId: await surveyOf(acme) });
    expect(await submit(beta, 'U0BP1', form, agreement(beta, 'U0BP1', BOTH))).toContain(
      'This survey was removed',
    );
    // BOTH owns Acme's agreement, but answers its review buttons from Beta.
    for (const action of [AGREEMENT_DONE_ACTION, AGREEMENT_KEEP_ACTION, AGREEMENT_DROP_ACTION])
      expect(await click(beta, BOTH, action, String(await agreementOf(acme)))).toContain(
        'That agreement no longer exists',
      );

    // Only Beta's own forms opened (its pulse, its setup, its agreement); Acme is as it was.
    expect(t.standIn.openedViews.length).toBe(opened + 3);
    expect(await stored(acme)).toEqual(acmeBefore.stored);
    expect(await home(acme, 'U0AE3')).toEqual(acmeBefore.home);
    expect(JSON.stringify(t.standIn.messagesIn(acme.leads))).toEqual(acmeBefore.pulse);
    expect(acmeBefore.pulse).toContain('1 leader answered so far');
  });

  it('Beta’s admin redrawing their setup form with Acme’s survey id is shown nothing of Acme’s setup', async () => {
    await pulseNow(acme);
    await pulseNow(beta);
    await say(beta, 'setup');
    const form = lastOpened({
      surveyId: await surveyOf(acme),
      channelId: beta.leads,
      advanced: false,
    });
    // "Advanced: a cron schedule", clicked in Beta's form whose metadata names Acme's survey.
    const click = { actionId: SETUP_SCHEDULE_MODE_ACTION, blockId: 'schedule_mode' };
    const state = { value: 'advanced', state: {} };
    await beta.send.interaction(
      beta.send.viewButtonClick({ user: BOTH, view: form, ...click, ...state }),
    );
    await t.app.idle();
    const shown = JSON.stringify(t.standIn.openedViews.find((v) => v.id === form.id)?.view);
    const channels = [...shown.matchAll(/"initial_conversations":\[([^\]]*)\]/g)].map((m) => m[1]);
    expect.soft(channels.join(), 'channels the redrawn form shows').not.toContain(acme.leads);
    expect(() => nothingOf(acme, shown)).not.toThrow();
  });

  it('an owner of an Acme agreement cannot keep it going or drop it from Beta with a forged review form', async () => {
    await pulseNow(acme);
    await pulseNow(beta);
    await agree(acme);
    await agree(beta);
    const open = `“${acme.agreement}” · <@${BOTH}> and <@U0AE3> · review Fri 20 Nov`;
    expect(await home(acme, 'U0AE3')).toContain(open);
    const reviews = [
      [AGREEMENT_KEEP_ACTION, { agree_review: '2026-12-24' }],
      [AGREEMENT_DROP_ACTION, { agree_note: 'Dropped from Beta' }],
    ] as const;
    for (const [action, values] of reviews) {
      // BOTH opens a review form of Beta's agreement, which they own there…
      await click(beta, BOTH, action, String(await agreementOf(beta)));
      const naming = (agreementId: number) => lastOpened({ agreementId });
      // …and submits it naming Acme's agreement, which they own in Acme.
      const reply = await submit(beta, BOTH, naming(await agreementOf(acme)), values);
      expect.soft(reply, action).toContain('That agreement no longer exists');
      // Someone of Beta who owns nothing is told what naming no agreement at all tells them.
      const unknown = await submit(beta, 'U0BE1', naming(999_999), values);
      const named = await submit(beta, 'U0BE1', naming(await agreementOf(acme)), values);
      expect.soft(named, `${action}, not an owner`).toBe(unknown);
    }
    // Acme's agreement is as it was: open, with its review date.
    expect(await home(acme, 'U0AE3')).toContain(open);
  });

  it('a Slack Connect channel both companies are in leads a survey of each, and each side sees only its own there', async () => {
    const pulses = new Map<Tenant, string>();
    for (const x of [acme, beta]) {
      const pulse = await pulseNow(x, SHARED);
      pulses.set(x, pulse.id);
      expect(pulse.said).toContain(`Pulse posted in <#${SHARED}>`);
      expect.soft(pulse.said, `${x.teamId}: pulse now`).not.toContain(':warning:');
    }
    expect(t.standIn.messagesIn(SHARED).map((m) => m.team)).toEqual([acme.teamId, beta.teamId]);
    // Beta's leader clicks Acme's pulse in the channel they share: refused.
    expect(
      await click(beta, 'U0BP1', ANSWER_PULSE_ACTION, pulses.get(acme) ?? '', SHARED),
    ).toContain('That pulse no longer exists');
    for (const x of [acme, beta])
      for (const user of x.own) {
        const comment = user === x.own[0] ? x.comment : undefined;
        await answer(x, user, pulses.get(x) ?? '', x.value, { comment, channel: SHARED });
      }
    await advance(72 * 60 + 1);
    for (const x of [acme, beta]) {
      const leader = x.own[0] ?? '';
      const answered = x.own.length;
      const asked = x === acme ? answered + 1 : answered; // Acme's admin is in the channel too
      const score = await say(x, 'score', leader, SHARED);
      expect(score).toContain(`*Alignment index ${x === acme ? 100 : 0}*`);
      expect(score).toContain(`${answered} of ${asked} leaders answered`);
      const shown = [
        score,
        await say(x, 'gap', leader, SHARED),
        await say(x, 'trend', leader, SHARED),
      ];
      expect(await say(x, 'digest now', x.admin, SHARED)).toContain(`posted in <#${SHARED}>`);
      const digest = t.standIn.messagesIn(SHARED).at(-1);
      expect(digest?.team).toBe(x.teamId);
      expect(JSON.stringify(digest?.blocks)).toContain(x.comment);
      shown.push(JSON.stringify(digest));
      expect(() => nothingOf(other(x), shown.join('\n'))).not.toThrow();
    }
  });

  it('Beta’s admins are not admins in Acme: neither whoever installed Beta nor Beta’s workspace admin', async () => {
    await pulseNow(acme);
    const { messages, openedViews, uploads } = t.standIn;
    const snapshot = async () => [
      await stored(acme),
      messages.length,
      openedViews.length,
      uploads.size,
    ];
    const acmeBefore = await snapshot();
    // BOTH installed the app in Beta, so is an admin there; in Acme they lead, no more.
    expect(await say(beta, 'help', BOTH)).toContain('*For admins*');
    expect(await say(acme, 'help', BOTH)).not.toContain('*For admins*');
    const adminOnly = 'pulse now|digest now|setup|export|score all|role <@U0AP1> design'.split('|');
    for (const text of adminOnly)
      expect(await say(acme, text, BOTH), text).toContain('Only admins can');
    // Beta's workspace admin, whom Acme's workspace does not know, gets nothing done either.
    for (const text of adminOnly)
      expect(await say(acme, text, BETA_OWNER), text).not.toMatch(
        /Pulse posted|Digest for|Sent you|Done/,
      );
    expect(await snapshot()).toEqual(acmeBefore);
  });
});
