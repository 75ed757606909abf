import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { findSurveyByChannel } from '../../src/storage/surveys.js';
import { ANSWER_PULSE_ACTION } from '../../src/views/pulse-message.js';
import { ADMIN, Colleagues, EXEC, everyone, LEADS, TEAM } from '../support/colleagues.js';
import { all as rowsOf, run } from '../support/db.js';
import type { OpenedView } from '../support/slack-requests.js';
import { BOT_USER_ID, TEAM_ID } from '../support/slack-stand-in.js';

/**
 * Five more routes a curious colleague (or admin) once took through the real
 * app to single people out, each performed here as they would perform it and
 * shown to fail, and the log line that named who used forget-me.
 */

let c: Colleagues;
afterEach(async () => {
  await c.stop();
});

/** Each leader's own answer, all different, so any sum that includes one shows it. */
const varied = (user: string) => 1 + (TEAM.findIndex(([id]) => id === user) % 5);

/** `user` clicks "Delete my answers" after `/alignment forget-me`. */
async function forgetMe(user: string): Promise<void> {
  expect(await c.run('forget-me', user)).toContain('Delete all');
  await c.t.slack.interaction(
    c.t.slack.buttonClick({
      user,
      channel: LEADS,
      actionId: 'forget_me_confirm',
      value: 'confirm',
    }),
  );
  await c.t.app.idle();
}

describe('1. forget-me does not reopen the discipline', () => {
  it('counts a leader who forgot themselves from the next pulse only, so they cannot pad a side of the pulse open now', async () => {
    c = await Colleagues.start();
    await c.week(everyone(3)); // W45: everyone has a discipline
    const pulse = await c.pulseNow(); // W46, open
    for (const [id] of TEAM.filter(([id]) => id !== 'U0P1')) await c.answer(id, pulse, varied(id));
    // The form the attacker opened before, kept to submit later.
    const held = await c.openForm('U0P1', pulse);

    expect(await c.run('role engineering', 'U0P1')).toContain('You are counted under Product');
    await c.advance(2);
    await forgetMe('U0P1');
    // "Your discipline" was deleted: choosing again is a first choice, but it
    // counts from the next pulse, not the one open now.
    const chosen = await c.run('role engineering', 'U0P1');
    expect(chosen).toContain('Done: you are counted under Engineering from the next pulse.');
    expect(chosen).toContain('The pulse open now went out before you chose');

    // The button says so, and opens no form.
    const clicked = await c.tryToAnswer('U0P1', pulse);
    expect(clicked.opened).toBe(false);
    expect(clicked.notes).toContain(
      'Your discipline, Engineering, counts from the next pulse: you chose it after this one went out',
    );
    // The form held from before is refused, and nothing of it stored.
    expect(JSON.stringify(await c.submitHeld('U0P1', held, 5))).toContain(
      'Your answers were not saved.',
    );
    expect(await c.count(sql`SELECT count(*) AS n FROM answers WHERE user_id = 'U0P1'`)).toBe(0);

    // The week closes with the Engineering side as it was: 4 engineers and the program lead.
    await c.closePulse();
    const csv = await c.exportCsv();
    expect(csv).toMatch(/2026-W46,[^,]+,\d+,\w+,engineering_side,5,5,/);
    expect(csv).toMatch(/2026-W46,[^,]+,\d+,\w+,all,10,10,/);
    // From the next pulse, their choice holds.
    await c.advance(96);
    await c.week(everyone(3));
    expect(await c.exportCsv()).toMatch(/2026-W47,[^,]+,\d+,\w+,engineering_side,6,6,/);
  });
});

describe('2. the agreement form tells nobody a colleague’s side', () => {
  it('answers the same whichever side a named owner counts with', async () => {
    c = await Colleagues.start();
    await c.week(everyone(3));
    // A product leader in the channel opens the form and names colleagues, with a
    // review date of today so that nothing is ever stored.
    await c.run('agree tech_debt', 'U0P2');
    const opened = c.t.standIn.openedViews.at(-1);
    if (opened === undefined) throw new Error('the agreement form did not open');
    const form = { id: opened.id, ...opened.view } as OpenedView;
    const errorsFor = async (productOwner: string, engineeringOwner: string) => {
      const reply = await c.t.slack.interaction(
        c.t.slack.viewSubmission({
          user: 'U0P2',
          view: form,
          values: {
            agree_dimension: 'tech_debt',
            agree_body: 'Reserve a fifth of each sprint for tech debt.',
            agree_product: productOwner,
            agree_engineering: engineeringOwner,
            agree_review: '2026-11-10',
          },
        }),
      );
      return reply.json;
    };
    const asked = [
      await errorsFor('U0E1', 'U0P3'), // an engineer as Product's owner
      await errorsFor('U0P3', 'U0E1'), // and the other way round
      await errorsFor('U0D1', 'U0G1'), // a designer, the program lead
      await errorsFor('U0G1', 'U0D1'),
    ];
    for (const answer of asked)
      expect(answer).toEqual({
        response_action: 'errors',
        errors: { agree_review: expect.stringContaining('Choose a review date after today') },
      });
    expect(new Set(asked.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(await c.count(sql`SELECT count(*) AS n FROM agreements`)).toBe(0);
  });
});

describe('3. a closed week’s comments are frozen with it', () => {
  it('posts the same comments when the week is posted again after one commenter used forget-me', async () => {
    c = await Colleagues.start();
    const pulse = await c.pulseNow();
    for (const [id] of TEAM)
      await c.answer(id, pulse, 3, {
        ...(['U0P2', 'U0E2', 'U0D1'].includes(id) ? { comment: `Comment by ${id}.` } : {}),
      });
    await c.closePulse();
    await c.run('digest now');
    const first = JSON.stringify(c.t.standIn.messagesIn(EXEC).at(-1)?.blocks);
    const quoted = (blocks: string) =>
      [...blocks.matchAll(/Comment by (U0\w+)\./g)].map((m) => m[1]);
    expect(quoted(first).sort()).toEqual(['U0D1', 'U0E2', 'U0P2']);

    await forgetMe('U0E2');
    // The admin adds a second digest channel and posts the same closed week there.
    const EXEC2 = 'C0EXECS2';
    c.t.standIn.addChannel({ id: EXEC2, name: 'execs-2', members: [ADMIN, BOT_USER_ID] });
    const saved = await c.saveSetup({ digest: [EXEC, EXEC2] });
    expect(saved?.response_action).toBe('update');
    expect(await c.run('digest now')).toContain('posted in <#C0EXECS2>');
    const again = JSON.stringify(c.t.standIn.messagesIn(EXEC2).at(-1)?.blocks);
    // The same comments, in the same order: nothing tells whose went.
    expect(quoted(again)).toEqual(quoted(first));
    expect(await c.count(sql`SELECT count(*) AS n FROM comments WHERE user_id = 'U0E2'`)).toBe(0);
  });
});

describe('4. two surveys over nearly the same people', () => {
  it('counts a leader in one survey a week, so two surveys’ scores never differ by one person', async () => {
    c = await Colleagues.start();
    // The admin sets up a second leadership channel: the team but one.
    const LEADS2 = 'C0LEADERS2';
    const others = TEAM.filter(([id]) => id !== 'U0P4');
    c.t.standIn.addChannel({
      id: LEADS2,
      name: 'leadership-2',
      members: [ADMIN, ...others.map(([id]) => id), BOT_USER_ID],
    });
    const first = await c.pulseNow();
    expect(await c.run('pulse now', ADMIN, LEADS2)).toContain('Pulse posted in <#C0LEADERS2>');
    // (Its own schedule moved out of the way, as for the first, so only these pulses go out.)
    await run(c.t.app.ctx.db, sql`UPDATE surveys SET pulse_cron = '0 9 1 1 *'`);
    const second = (
      (c.t.standIn.messagesIn(LEADS2).at(-1)?.blocks ?? []) as {
        elements?: { action_id?: string; value?: string }[];
      }[]
    )
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === ANSWER_PULSE_ACTION)?.value;
    if (second === undefined)
      throw new Error(`no second pulse: ${JSON.stringify(c.t.standIn.messagesIn(LEADS2))}`);
    // Both ask the same statements this week.
    const asked = (pulseId: string) =>
      rowsOf(
        c.t.app.ctx.db,
        sql`SELECT question_id FROM pulse_questions WHERE pulse_id = ${Number(pulseId)} ORDER BY question_id`,
      );
    expect(await asked(second)).toEqual(await asked(first));

    // A leader opens the second survey's form first and holds it.
    const held = await c.openForm('U0P1', second);
    for (const [id] of TEAM) await c.answer(id, first, varied(id));
    // Everyone in the second channel tries to answer it too: the button says why
    // not, and opens nothing; the held form is refused.
    for (const [id] of others) {
      const clicked = await c.tryToAnswer(id, second, LEADS2);
      expect(clicked.opened).toBe(false);
      expect(clicked.notes).toContain(
        "You answered this week's pulse in <#C0LEADERS>. A leader counts in one survey a week",
      );
    }
    expect(JSON.stringify(await c.submitHeld('U0P1', held, 3))).toContain(
      "You answered this week's pulse of another leadership channel.",
    );
    await c.closePulse();

    // The second survey's week has no scores to subtract from the first's.
    expect(await c.run('score', 'U0E1', LEADS2)).toContain('Nobody answered the pulse');
    const all = await c.run('score all');
    expect(all).toContain('*<#C0LEADERS2>* · no scores yet');
    expect(all).toMatch(/\*<#C0LEADERS>\* · index \*\d+\*/);
    const survey2 = await findSurveyByChannel(c.t.app.ctx.db, TEAM_ID, LEADS2);
    expect(
      await c.count(
        sql`SELECT count(*) AS n FROM answers WHERE pulse_id IN (SELECT id FROM pulses WHERE survey_id = ${survey2?.id ?? null})`,
      ),
    ).toBe(0);
  });
});

describe('5. an admin cannot pad a small group with themself', () => {
  it('refuses an admin’s change of their own discipline, whichever way they ask', async () => {
    c = await Colleagues.start();
    const pulse = await c.pulseNow();
    // The admin answers too: a product leader, their first discipline on the form.
    expect(JSON.stringify(await c.answer(ADMIN, pulse, 4, { discipline: 'product' }))).toContain(
      'Counted under Product',
    );
    for (const [id] of TEAM) await c.answer(id, pulse, 3);
    await c.closePulse();
    for (const text of ['role engineering', `role <@${ADMIN}|cpo> engineering`]) {
      const reply = await c.run(text);
      expect(reply).toContain('You are counted under Product.');
      expect(reply).toContain('nobody changes their own, admins included');
      expect(reply).toContain('Ask another admin to change yours');
    }
    expect(
      await rowsOf(
        c.t.app.ctx.db,
        sql`SELECT discipline FROM discipline_changes WHERE user_id = ${ADMIN}`,
      ),
    ).toEqual([{ discipline: 'product' }]);
  });
});

describe('the logs', () => {
  it('never say who used forget-me, or what they had', async () => {
    c = await Colleagues.start();
    const pulse = await c.pulseNow();
    for (const [id] of TEAM) await c.answer(id, pulse, 3, { comment: `From ${id}.` });
    const from = c.t.logs.length;
    await forgetMe('U0P3');
    const lines = c.t.logs.slice(from);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line).not.toContain('U0P3');
      expect(line).not.toMatch(/"?(answers|comments)"?\s*[:=]\s*\d/);
    }
  });
});
