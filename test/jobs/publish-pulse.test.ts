import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/domain/catalogue.js';
import { migrationsDir } from '../../src/paths.js';
import { openDatabase } from '../../src/storage/database.js';
import { migrate } from '../../src/storage/migrate.js';
import { syncCatalogue } from '../../src/storage/questions.js';
import { engineOf, openStore, type Store } from '../../src/storage/store.js';
import { ANSWER_PULSE_ACTION } from '../../src/views/pulse-message.js';
import { Colleagues, everyone, TEAM } from '../support/colleagues.js';
import { all, one, run } from '../support/db.js';
import { BOT_USER_ID, TEAM_ID } from '../support/slack-stand-in.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * How a pulse becomes published: closed in a transaction of its own, then
 * published once and whole, in one short transaction of its own.
 */

let c: Colleagues | undefined;
let t: TestApp | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await c?.stop();
  await t?.stop();
  c = undefined;
  t = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * From now on, the database refuses a week's sixth published cell as a full
 * disk would; `diskRecovers` lifts it.
 */
async function diskFillsAfterFiveCells(db: Store): Promise<void> {
  if (engineOf(db) === 'sqlite') {
    // On the app's one connection only.
    await run(
      db,
      sql`CREATE TEMP TRIGGER disk_full BEFORE INSERT ON published_cells
      WHEN (SELECT count(*) FROM published_cells WHERE pulse_id = NEW.pulse_id) >= 5
      BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`,
    );
    return;
  }
  await run(
    db,
    sql`CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (SELECT count(*) FROM published_cells WHERE pulse_id = NEW.pulse_id) >= 5 THEN
          RAISE EXCEPTION 'database or disk is full';
        END IF;
        RETURN NEW;
      END $$`,
  );
  await run(
    db,
    sql`CREATE TRIGGER disk_full BEFORE INSERT ON published_cells
      FOR EACH ROW EXECUTE FUNCTION disk_full()`,
  );
}

async function diskRecovers(db: Store): Promise<void> {
  if (engineOf(db) === 'sqlite') await run(db, sql`DROP TRIGGER disk_full`);
  else await run(db, sql`DROP TRIGGER disk_full ON published_cells`);
}

describe('closing publishes, once and whole', () => {
  it('leaves a pulse closed and nothing published when publishing fails half way, then publishes it once on the retry', async () => {
    c = await Colleagues.start();
    await c.week(everyone(3));
    const pulse = await c.pulseNow();
    for (const [id] of TEAM) await c.answer(id, pulse, 5);
    // The disk fills up after the fifth cell of the new week.
    await diskFillsAfterFiveCells(c.t.app.ctx.db);
    await c.closePulse();
    const closing = await one(
      c.t.app.ctx.db,
      sql`SELECT status, last_error AS error FROM schedule_runs WHERE kind = 'close' ORDER BY id DESC`,
    );
    expect(closing).toMatchObject({
      status: 'retrying',
      error: expect.stringContaining('disk is full'),
    });
    expect(
      await c.count(
        sql`SELECT count(*) AS n FROM published_pulses WHERE pulse_id = ${Number(pulse)}`,
      ),
    ).toBe(0);
    expect(
      await c.count(
        sql`SELECT count(*) AS n FROM published_cells WHERE pulse_id = ${Number(pulse)}`,
      ),
    ).toBe(0);
    expect(
      await c.count(
        sql`SELECT count(*) AS n FROM pulses WHERE id = ${Number(pulse)} AND closed_at IS NOT NULL`,
      ),
    ).toBe(1);
    // Nothing of the half-published week shows; the pulse takes no more answers.
    expect(await c.run('score', 'U0E1')).toContain('the week of 2 Nov, the latest closed week');
    await c.t.slack.interaction(
      c.t.slack.buttonClick({
        user: 'U0P1',
        channel: 'C0LEADERS',
        actionId: ANSWER_PULSE_ACTION,
        value: pulse,
      }),
    );
    await c.t.app.idle();
    expect(c.t.standIn.responseUrlPosts.at(-1)?.body.text).toContain('so it takes no more answers');

    await diskRecovers(c.t.app.ctx.db);
    await c.advance(1); // the retry, a minute later, is due
    expect(
      await c.count(
        sql`SELECT count(*) AS n FROM published_pulses WHERE pulse_id = ${Number(pulse)}`,
      ),
    ).toBe(1);
    const score = await c.run('score', 'U0E1');
    expect(score).toContain('the week of 9 Nov, the latest closed week');
    expect(score).toContain('*Alignment index 100*');
    await c.advance(24);
    expect(await c.count(sql`SELECT count(*) AS n FROM published_pulses`)).toBe(2);
  });

  it('freezes a forget-me that comes just before closing out of the week, and one just after out of nothing', async () => {
    c = await Colleagues.start();
    const pulse = await c.pulseNow();
    for (const [id] of TEAM) await c.answer(id, pulse, id === 'U0P1' ? 1 : 5);
    const forget = async (user: string) => {
      await c?.run('forget-me', user);
      await c?.t.slack.interaction(
        c.t.slack.buttonClick({
          user,
          channel: 'C0LEADERS',
          actionId: 'forget_me_confirm',
          value: 'confirm',
        }),
      );
      await c?.t.app.idle();
    };
    await c.advance(71.9);
    await forget('U0P1'); // just before the close: their answers leave the week
    await c.advance(0.2); // the close

    const published = await c.run('score', 'U0E1');
    expect(published).toContain('*Alignment index 100*');
    expect(published).toContain('10 of 11 leaders answered');
    await forget('U0P2'); // after: the week stays as published
    expect(await c.run('score', 'U0E1')).toBe(published);
  });
});

// About a SQLite file an earlier version made: on SQLite in both runs of the suite.
describe('a database from the first version', () => {
  it('gets its closed weeks frozen as they would have been published, the open one left open, disciplines kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alignment-upgrade-'));
    dirs.push(dir);
    const firstOnly = join(dir, 'migrations');
    mkdirSync(firstOnly);
    copyFileSync(join(migrationsDir, '001_initial.sql'), join(firstOnly, '001_initial.sql'));
    const file = join(dir, 'pulse.db');
    const first = await openStore({ engine: 'sqlite', path: file });
    await migrate(first, firstOnly);
    await syncCatalogue(first.db, CATALOGUE);
    await first.close();
    const db = openDatabase(file);
    db.prepare('INSERT INTO workspaces (team_id) VALUES (?)').run(TEAM_ID);
    db.prepare("INSERT INTO surveys (id, team_id, timezone) VALUES (1, ?, 'Europe/Berlin')").run(
      TEAM_ID,
    );
    db.prepare(
      "INSERT INTO survey_channels VALUES (1, 'leadership', 'C0LEADERS'), (1, 'digest', 'C0LEADERS')",
    ).run();
    const pulse = db.prepare(
      'INSERT INTO pulses (id, survey_id, due_at, opened_at, closes_at, closed_at) VALUES (?, 1, ?, ?, ?, ?)',
    );
    // W46 closed, W47 closed with only two designers, W48 still open.
    pulse.run(
      1,
      '2026-11-09T08:00:00.000Z',
      '2026-11-09T08:00:00.000Z',
      '2026-11-12T08:00:00.000Z',
      '2026-11-12T08:00:00.000Z',
    );
    pulse.run(
      2,
      '2026-11-16T08:00:00.000Z',
      '2026-11-16T08:00:00.000Z',
      '2026-11-19T08:00:00.000Z',
      '2026-11-19T08:00:00.000Z',
    );
    pulse.run(
      3,
      '2026-11-23T08:00:00.000Z',
      '2026-11-23T08:00:00.000Z',
      '2026-11-26T08:00:00.000Z',
      null,
    );
    const answer = db.prepare(
      "INSERT INTO answers VALUES (?, 'okrs.same_direction', ?, ?, ?, 'a', 'a')",
    );
    const ask = db.prepare("INSERT INTO pulse_questions VALUES (?, 0, 'okrs.same_direction')");
    for (const id of [1, 2, 3]) ask.run(id);
    for (const [user, discipline] of TEAM) {
      db.prepare('INSERT INTO respondents (team_id, user_id, discipline) VALUES (?, ?, ?)').run(
        TEAM_ID,
        user,
        discipline,
      );
      db.prepare('INSERT INTO pulse_recipients VALUES (1, ?), (2, ?), (3, ?)').run(
        user,
        user,
        user,
      );
      // W46: product 4, engineering 2, the rest 3; W48: everyone 5.
      answer.run(
        1,
        user,
        discipline,
        discipline === 'product' ? 4 : discipline === 'engineering' ? 2 : 3,
      );
      answer.run(3, user, discipline, 5);
    }
    answer.run(2, 'U0D1', 'design', 1);
    answer.run(2, 'U0D2', 'design', 1);
    db.close();

    const clock = { now: new Date('2026-11-24T12:00:00Z') };
    t = await startTestApp({
      now: () => clock.now,
      schedule: false,
      env: { DATABASE_PATH: file },
    });
    t.standIn.addChannel({ id: 'C0LEADERS', name: 'leadership', members: [BOT_USER_ID] });
    const upgraded = t.app.ctx.db;
    expect(t.logs.some((l) => l.includes('applied migrations: 002_published_scores.sql'))).toBe(
      true,
    );
    expect(
      await all(
        upgraded,
        sql`SELECT pulse_id AS id, period, respondents FROM published_pulses ORDER BY 1`,
      ),
    ).toEqual([
      { id: 1, period: '2026-W46', respondents: 11 },
      { id: 2, period: '2026-W47', respondents: 2 },
    ]);
    // Published now, by side: the two designers with Product, the program lead
    // with Engineering, and W47 (two designers only) not at all.
    const cells = await all(
      upgraded,
      sql`SELECT grp, hidden, n2, n3, n4 FROM published_cells WHERE pulse_id = 1 ORDER BY grp`,
    );
    expect(cells).toEqual([
      { grp: 'all', hidden: null, n2: 4, n3: 3, n4: 4 },
      { grp: 'engineering_side', hidden: null, n2: 4, n3: 1, n4: 0 },
      { grp: 'product_side', hidden: null, n2: 0, n3: 2, n4: 4 },
    ]);
    expect(await one(upgraded, sql`SELECT count(*) AS n FROM discipline_changes`)).toEqual({
      n: TEAM.length,
    });
    const reply = await t.slack.command({ user: 'U0E1', channel: 'C0LEADERS', text: 'score' });
    await t.app.idle();
    const text = JSON.stringify([reply.json, ...t.standIn.responseUrlPosts.map((p) => p.body)]);
    // (4·75 + 4·25 + 3·50) / 11 = 50
    expect(text).toContain('Alignment index 50');
    expect(text).toContain('The week of 16 Nov closed with fewer than 3 leaders answering');
    expect(text).not.toContain('week of 23 Nov');
  });
});
