import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/domain/catalogue.js';
import { migrationsDir } from '../../src/paths.js';
import { migrate } from '../../src/storage/migrate.js';
import { syncCatalogue } from '../../src/storage/questions.js';
import { openStore } from '../../src/storage/store.js';
import { ADMIN, Colleagues, EXEC, everyone, LEADS, TEAM } from '../support/colleagues.js';
import { run } from '../support/db.js';
import { TEAM_ID } from '../support/slack-stand-in.js';

/**
 * The two sides of the gap, through the real app: which week shows them, what
 * it says when it cannot, a change of sides from the next pulse, and a database
 * whose weeks were published by discipline before the sides.
 */

let c: Colleagues;
const dirs: string[] = [];
afterEach(async () => {
  await c.stop();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const without = (...ids: string[]) =>
  Object.fromEntries(TEAM.filter(([id]) => !ids.includes(id)).map(([id]) => [id, 3]));
const lastDigest = () => JSON.stringify(c.t.standIn.messagesIn(EXEC).at(-1)?.blocks ?? []);

describe('every "not shown" names the rule that hid it', () => {
  it('a week with a short side shows everyone only and says which side; the gap of the weeks before stays', async () => {
    c = await Colleagues.start();
    await c.week(everyone((u) => (u.startsWith('U0E') || u === 'U0G1' ? 2 : 4)));
    // W46: two engineers answer, the program lead is away: the Engineering side is 2.
    await c.week(without('U0E3', 'U0E4', 'U0G1'));
    await c.run('digest now');
    const digest = lastDigest();
    // The gap of the weeks before leads the digest…
    expect(digest).toContain('*Product and Engineering are 50 points apart on');
    expect(digest).toContain(
      'This week shows everyone only: fewer than 3 on the Engineering side answered.',
    );
    expect(await c.run('score', 'U0P1')).toContain(
      'This week shows everyone only: fewer than 3 on the Engineering side answered.',
    );
  });

  it('with no gap in the last 4 weeks, says which side was short, not a rule that did not apply', async () => {
    c = await Colleagues.start();
    await c.week(without('U0E3', 'U0E4', 'U0G1'));
    await c.run('digest now');
    expect(lastDigest()).toContain(
      '*Perception gap:* not shown: fewer than 3 on the Engineering side answered in the last 4 weeks.',
    );
    expect(await c.run('gap', 'U0P1')).toContain(
      'No perception gap to show for the last 4 closed weeks: fewer than 3 on the Engineering side answered.',
    );
  });

  it('says so when nobody on a side answered', async () => {
    c = await Colleagues.start();
    await c.week(Object.fromEntries(['U0P1', 'U0P2', 'U0P3', 'U0D1'].map((id) => [id, 4])));
    await c.run('digest now');
    expect(lastDigest()).toContain(
      '*Perception gap:* not shown: nobody on the Engineering side answered in the last 4 weeks.',
    );
  });
});

describe('changing the sides', () => {
  it('applies from the next pulse: the pulse open when the admin saves keeps its sides', async () => {
    c = await Colleagues.start();
    const pulse = await c.pulseNow();
    // The admin moves Program / TPM to the Product side while the pulse is open.
    const saved = await c.saveSetup({ side_program: 'product' });
    expect(JSON.stringify(saved)).toContain(
      '*Product side:* Product, Design, Program / TPM · *Engineering side:* Engineering, Other (from the next pulse).',
    );
    for (const [id] of TEAM) await c.answer(id, pulse, 3);
    await c.closePulse();
    await c.advance(96);
    await c.week(everyone(3));
    const csv = await c.exportCsv();
    // This week: 4 product + 2 design against 4 engineers + the program lead; the next, 7 against 4.
    expect(csv).toMatch(/2026-W45,[^,]+,\d+,okrs,product_side,6,6,/);
    expect(csv).toMatch(/2026-W45,[^,]+,\d+,okrs,engineering_side,5,5,/);
    expect(csv).toMatch(/2026-W46,[^,]+,\d+,okrs,product_side,7,7,/);
    expect(csv).toMatch(/2026-W46,[^,]+,\d+,okrs,engineering_side,4,4,/);
    // The App Home's setup says which disciplines make up each side.
    expect(await c.home(ADMIN)).toContain(
      '*Product side:* Product, Design, Program / TPM · *Engineering side:* Engineering, Other',
    );
  });
});

describe('a database from before the sides', () => {
  it('keeps its weeks as they were published, by discipline, and publishes the next by side', async () => {
    // The database as the previous version left it: migrations 001 to 005, one
    // week published by discipline, with a comment. A SQLite file: the versions
    // before the sides ran on SQLite only.
    const dir = mkdtempSync(join(tmpdir(), 'alignment-sides-'));
    dirs.push(dir);
    const older = join(dir, 'migrations');
    mkdirSync(older);
    for (const name of readdirSync(migrationsDir).filter((n) => n < '006'))
      copyFileSync(join(migrationsDir, name), join(older, name));
    const file = join(dir, 'pulse.db');
    const store = await openStore({ engine: 'sqlite', path: file });
    try {
      const db = store.db;
      await migrate(store, older);
      await syncCatalogue(db, CATALOGUE);
      await run(db, sql`INSERT INTO workspaces (team_id) VALUES (${TEAM_ID})`);
      await run(
        db,
        sql`INSERT INTO surveys (id, team_id, timezone, pulse_cron, digest_cron) VALUES (1, ${TEAM_ID}, 'Europe/Berlin', '0 9 1 1 *', '0 9 1 1 *')`,
      );
      await run(
        db,
        sql`INSERT INTO survey_channels VALUES (1, 'leadership', ${LEADS}), (1, 'digest', ${EXEC})`,
      );
      await run(
        db,
        sql`INSERT INTO pulses (id, survey_id, due_at, opened_at, closes_at, closed_at) VALUES (1, 1, '2026-10-26T08:00:00.000Z', '2026-10-26T08:00:00.000Z', '2026-10-29T08:00:00.000Z', '2026-10-29T08:00:00.000Z')`,
      );
      await run(db, sql`INSERT INTO pulse_questions VALUES (1, 0, 'okrs.same_direction')`);
      await run(
        db,
        sql`INSERT INTO published_pulses VALUES (1, 1, '2026-W44', '2026-10-26', 3, 11, 11, '2026-10-29T08:00:00.000Z')`,
      );
      const cell = (...values: (string | number | null)[]) =>
        run(
          db,
          sql`INSERT INTO published_cells VALUES (1, 'okrs.same_direction', 'okrs', ${sql.join(values)})`,
        );
      // Product 4 × 100, Engineering 4 × 50, the designers and program lead hidden.
      await cell('all', null, 11, 0, 0, 7, 0, 4);
      await cell('product', null, 4, 0, 0, 0, 0, 4);
      await cell('engineering', null, 4, 0, 0, 4, 0, 0);
      await cell('design', 'too_few', null, null, null, null, null, null);
      await cell('program', 'too_few', null, null, null, null, null, null);
      await run(
        db,
        sql`INSERT INTO comments VALUES (1, 'U0E2', 'Written before the sides.', 'a', 'a')`,
      );
    } finally {
      await store.close();
    }

    c = await Colleagues.start(new Date('2026-11-03T09:00:00Z'), { DATABASE_PATH: file });
    expect(c.t.logs.some((l) => l.includes('applied migrations: 006_sides.sql'))).toBe(true);
    // The old week's comment is frozen with it, as the old version would have shown it.
    expect(
      await c.count(sql`SELECT count(*) AS n FROM published_comments WHERE pulse_id = 1`),
    ).toBe(1);
    const gapBefore = await c.run('gap', 'U0P1');
    expect(gapBefore).toContain('*Shared goals* · 100 vs 50');

    // The next weeks close by side: the designers with Product, the program lead with Engineering.
    const answers = everyone((u) => (u.startsWith('U0P') || u.startsWith('U0D') ? 5 : 2));
    await c.week(answers); // W45: Shared goals was asked last, so not this week
    await c.week(answers); // W46: Shared goals again
    const csv = await c.exportCsv();
    // The old week: its discipline rows as published; the new ones: the two sides. Never both.
    expect(csv).toMatch(/2026-W44,[^,]+,1,okrs,product,4,4,100,/);
    expect(csv).not.toMatch(/2026-W44,[^,]+,1,\w+,(product|engineering)_side,/);
    expect(csv).toMatch(/2026-W46,[^,]+,1,okrs,product_side,6,6,100,/);
    expect(csv).toMatch(/2026-W46,[^,]+,1,okrs,engineering_side,5,5,25,/);
    expect(csv).not.toMatch(/2026-W4[56],[^,]+,1,\w+,(product|engineering|design|program),/);
    // A window over both kinds of week pools each week's sides as published: Product
    // (4 × 100 + 6 × 100) / 10 = 100; Engineering (4 × 50 + 5 × 25) / 9 = 36.1.
    expect(await c.run('gap', 'U0P1')).toContain('*Shared goals* · 100 vs 36');
  });
});
