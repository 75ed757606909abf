import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { Colleagues, EXEC, everyone, LEADS, TEAM } from '../support/colleagues.js';

/**
 * Six ways a curious colleague once recovered other people's answers from what
 * the bot shows, each performed here through the real app as they would
 * perform it, and shown to fail. (The property test beside this one checks the
 * rule behind all six on random histories.)
 */

let c: Colleagues;
afterEach(async () => {
  await c.stop();
});

/** Each leader's own answer, all different, so any sum that includes one shows it. */
const varied = (user: string) => 1 + (TEAM.findIndex(([id]) => id === user) % 5);
/** The bold numbers a reply shows: every score and index. */
const numbersIn = (text: string) =>
  [...text.matchAll(/\*(?:Alignment index )?(\d+)\*/g)].map((m) => Number(m[1]));

describe('1. live differencing of the open week', () => {
  it('shows nothing of a pulse still open: a newcomer answering changes no output, and the digest is of the closed week', async () => {
    c = await Colleagues.start();
    await c.week(everyone(varied)); // W45, closed
    const pulse = await c.pulseNow(); // W46, open
    for (const [id] of TEAM.slice(0, 10)) await c.answer(id, pulse, 2);
    const before = await c.everythingShown();
    expect(before.score).toContain('the week of 2 Nov, the latest closed week');
    expect(await c.run('digest now')).toContain(
      'Digest for the week of 2 Nov, the latest closed week',
    );

    // The eleventh leader answers: the count on the pulse message goes up…
    await c.answer('U0G1', pulse, 5);
    await expect
      .poll(() => JSON.stringify(c.t.standIn.messagesIn(LEADS).at(-1)?.blocks), { timeout: 5_000 })
      .toContain('11 leaders answered so far.');
    // …and nothing else anyone can read changes, so nothing can be subtracted.
    expect(await c.everythingShown()).toEqual(before);
    expect(await c.run('digest now')).toContain('was already posted');
    const digests = c.t.standIn.messagesIn(EXEC);
    expect(digests).toHaveLength(1);
    expect(digests[0]?.text).toContain('week of 2 Nov');

    // Once the pulse closes, its week is published, whole.
    await c.closePulse();
    const closed = await c.run('score', 'U0E1');
    expect(closed).toContain('the week of 9 Nov, the latest closed week');
    expect(closed).toContain('11 of 12 leaders answered');
  });
});

describe('2. window differencing', () => {
  it('adds nothing from a hidden week to any window: `score 2` is the full week alone', async () => {
    c = await Colleagues.start();
    await c.week(everyone(3)); // W45: everyone 3, every score 50
    const alone = await c.run('score', 'U0E1');
    // W46: only the two designers answer, with 1s on everything.
    await c.week({ U0D1: 1, U0D2: 1 });

    const single = await c.run('score', 'U0E1');
    expect(single).toContain('The week of 9 Nov closed with fewer than 3 leaders answering');
    expect(numbersIn(single)).toEqual(numbersIn(alone));
    for (const window of ['score 2', 'score 4', 'score 12']) {
      const text = await c.run(window, 'U0E1');
      expect(text).toContain('*Alignment index 50*');
      // Every number shown is week 45's 50: the designers' 1s are in none of them.
      expect(new Set(numbersIn(text))).toEqual(new Set([50]));
    }
    const trend = await c.run('trend', 'U0E1');
    expect(trend).toContain(
      '{"type":"mrkdwn","text":"week of 9 Nov"},{"type":"mrkdwn","text":"—"}',
    );
    const csv = await c.exportCsv();
    expect(csv).toContain('2026-W45');
    expect(csv).not.toContain('2026-W46');
  });
});

describe('3. forget-me differencing', () => {
  it('changes no published number when someone is forgotten, and takes their answers out of the open pulse', async () => {
    c = await Colleagues.start();
    await c.week(everyone(varied));
    await c.week(everyone((u) => 6 - varied(u)));
    const open = await c.pulseNow();
    for (const [id] of TEAM) await c.answer(id, open, varied(id));
    const before = await c.everythingShown();

    expect(await c.run('forget-me', 'U0P1', LEADS)).toContain('Delete all');
    await c.t.slack.interaction(
      c.t.slack.buttonClick({
        user: 'U0P1',
        channel: LEADS,
        actionId: 'forget_me_confirm',
        value: 'confirm',
      }),
    );
    await c.t.app.idle();
    expect(c.t.standIn.responseUrlPosts.at(-1)?.body.text).toContain(
      'Group scores already published from closed pulses stay as they are',
    );
    expect(await c.count(sql`SELECT count(*) AS n FROM answers WHERE user_id = 'U0P1'`)).toBe(0);
    expect(
      await c.count(sql`SELECT count(*) AS n FROM discipline_changes WHERE user_id = 'U0P1'`),
    ).toBe(0);
    // Every score, trend, gap, the App Home and the export: exactly as before.
    expect(await c.everythingShown()).toEqual(before);
    // The open pulse lost their answers outright: it closes with ten.
    await expect
      .poll(() => JSON.stringify(c.t.standIn.messagesIn(LEADS).at(-1)?.blocks), { timeout: 5_000 })
      .toContain('10 leaders answered so far.');
    await c.closePulse();
    expect(await c.run('score', 'U0E1')).toContain('10 of 11 leaders answered');
  });
});

describe('4. padding a small group by changing discipline', () => {
  it('lets nobody but an admin move a person, and only from the next pulse, so no side is padded', async () => {
    c = await Colleagues.start();
    await c.week(everyone(3)); // everyone has a discipline now
    const pulse = await c.pulseNow();
    for (const [id] of TEAM.filter(([id]) => id !== 'U0P1')) await c.answer(id, pulse, 4);

    // A product leader tries to join Engineering: the command, the App Home menu, a tampered form.
    expect(await c.run('role engineering', 'U0P1')).toContain(
      'You are counted under Product. A discipline is set once',
    );
    await c.t.slack.interaction({
      ...c.t.slack.buttonClick({
        user: 'U0P1',
        channel: 'D0HOME',
        actionId: 'home_set_role',
        value: '',
      }),
      container: { type: 'view', view_id: 'V1' },
      actions: [
        {
          type: 'static_select',
          action_id: 'home_set_role',
          block_id: 'b',
          selected_option: {
            text: { type: 'plain_text', text: 'Engineering' },
            value: 'engineering',
          },
          action_ts: '1.2',
        },
      ],
    });
    await c.t.app.idle();
    const thanks = await c.answer('U0P1', pulse, 1, { extra: { discipline: 'engineering' } });
    expect(JSON.stringify(thanks)).toContain('Counted under Product');
    // Even an admin's change waits for the next pulse: the answers given stay Product.
    expect(await c.run('role <@U0P1|p1> engineering')).toContain('from their next pulse on');
    expect(JSON.stringify(await c.answer('U0P1', pulse, 1))).toContain('Counted under Product');
    await c.closePulse();

    // The week as published: the Product side is the 4 product leaders and the 2
    // designers, the Engineering side the 4 engineers and the program lead.
    const csv = await c.exportCsv();
    expect(csv).toMatch(/2026-W46,[^,]+,\d+,\w+,product_side,6,6,/);
    expect(csv).toMatch(/2026-W46,[^,]+,\d+,\w+,engineering_side,5,5,/);
    expect(csv).not.toMatch(/,design,/);

    // From the next pulse, the admin's change holds.
    await c.advance(96);
    await c.week(everyone(3));
    const after = await c.exportCsv();
    expect(after).toMatch(/2026-W47,[^,]+,\d+,\w+,product_side,5,5,/);
    expect(after).toMatch(/2026-W47,[^,]+,\d+,\w+,engineering_side,6,6,/);
  });
});

describe('5. one person counted twice', () => {
  it('counts people once per pulse: two pulses in a week, two people, one moved by an admin in between, show nothing', async () => {
    c = await Colleagues.start();
    await c.week(everyone(3)); // W45: disciplines set
    // W46, pulse A: two product leaders.
    const a = await c.pulseNow();
    await c.answer('U0P1', a, 5);
    await c.answer('U0P2', a, 5);
    expect(await c.run('role <@U0P1> engineering')).toContain('from their next pulse on');
    await c.closePulse();
    // Pulse B, the same week: the same two, one of them now under Engineering.
    const b = await c.pulseNow();
    await c.answer('U0P1', b, 5);
    await c.answer('U0P2', b, 5);
    await c.closePulse();

    expect(await c.run('score', 'U0E1')).toContain(
      'The week of 9 Nov closed with fewer than 3 leaders answering',
    );
    for (const text of ['trend', 'trend okrs', 'trend roadmap', 'trend tech_debt'])
      expect(await c.run(text, 'U0E1')).toContain(
        '{"type":"mrkdwn","text":"week of 9 Nov"},{"type":"mrkdwn","text":"—"}',
      );
    const csv = await c.exportCsv();
    expect(csv).toContain('2026-W45');
    expect(csv).not.toContain('2026-W46');
    expect(new Set(numbersIn(await c.run('score 2', 'U0E1')))).toEqual(new Set([50]));
  });
});

describe('6. comments tied to their author', () => {
  /** Three leaders answer and comment in the given order; the pulse closes; the digest goes out. */
  async function commentsInDigest(order: string[]): Promise<{ open: string; closed: string }> {
    c = await Colleagues.start();
    await c.week(everyone(3));
    const pulse = await c.pulseNow();
    for (const [id] of TEAM.filter(([id]) => !order.includes(id))) await c.answer(id, pulse, 3);
    for (const id of order) {
      await c.advance(1);
      await c.answer(id, pulse, 4, { comment: `Comment by ${id}` });
    }
    // While it is open, the digest is of the week before: no comment of this week.
    await c.run('digest now');
    const open = JSON.stringify(c.t.standIn.messagesIn(EXEC).at(-1)?.blocks);
    await c.closePulse();
    await c.run('digest now');
    const closed = JSON.stringify(c.t.standIn.messagesIn(EXEC).at(-1)?.blocks);
    await c.stop();
    return { open, closed };
  }

  const shownOrder = (blocks: string) =>
    [...blocks.matchAll(/Comment by (U0\w+)/g)].map((m) => m[1]);

  it('shows only closed pulses’ comments, in an order that says nothing of who wrote last', async () => {
    const first = await commentsInDigest(['U0P1', 'U0E1', 'U0D1']);
    const reversed = await commentsInDigest(['U0D1', 'U0E1', 'U0P1']);
    expect(shownOrder(first.open)).toEqual([]);
    expect(shownOrder(first.closed).sort()).toEqual(['U0D1', 'U0E1', 'U0P1']);
    // The same comments appear in the same order whoever answered last.
    expect(shownOrder(reversed.closed)).toEqual(shownOrder(first.closed));
    // And never with a time.
    expect(first.closed).not.toMatch(/\d\d:\d\d|ago|yesterday/);
    // c is stopped already; afterEach needs one to stop.
    c = await Colleagues.start();
  });
});

describe('the admin is an attacker too', () => {
  it('cannot read a pulse still open through the export', async () => {
    c = await Colleagues.start();
    await c.week(everyone(3));
    const pulse = await c.pulseNow();
    for (const [id] of TEAM) await c.answer(id, pulse, 5);
    const csv = await c.exportCsv();
    expect(csv).not.toContain('2026-W46');
    expect(csv).not.toMatch(/,100,100$/m);
  });
});
