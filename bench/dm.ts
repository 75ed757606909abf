import { DEFAULT_SIDES } from '../src/domain/dimensions.js';
import { openPulse } from '../src/jobs/open-pulse.js';
import { remindPulse } from '../src/jobs/remind-pulse.js';
import { saveSurvey } from '../src/storage/surveys.js';
import { BOT_USER_ID, SlackStandIn, TEAM_ID } from '../test/support/slack-stand-in.js';
import { realClock, startTestApp } from '../test/support/test-app.js';
import type { Section } from './measure.js';

const MEMBERS = 1_000;
/** Every rate-limit window is this many times shorter than Slack's, so the run takes minutes, not half an hour. */
const SPEED = 10;

/**
 * A pulse sent by DM to a 1,000-member channel while the stand-in answers 429
 * with Retry-After whenever a call goes over its method's published limit; then
 * a reminder to everyone. Time taken against the least the limits allow, and
 * DMs lost.
 */
export async function dmBenchmark(): Promise<Section> {
  const standIn = await SlackStandIn.start();
  const t = await startTestApp({
    // Slack's rate limits are about real time passing.
    now: realClock,
    standIn,
    schedule: false,
    env: { LOG_LEVEL: 'error' },
  });
  try {
    const people = Array.from({ length: MEMBERS }, (_, i) => `U${String(i).padStart(7, '0')}`);
    for (const id of people) standIn.addUser({ id, name: id });
    standIn.addChannel({ id: 'C0LEADERS', name: 'leadership', members: [BOT_USER_ID, ...people] });
    standIn.addChannel({ id: 'C0EXEC', name: 'exec', members: [BOT_USER_ID] });
    const survey = await saveSurvey(t.app.ctx.db, {
      surveyId: undefined,
      teamId: TEAM_ID,
      by: 'U0ADMIN',
      at: t.app.ctx.now(),
      settings: {
        leadershipChannels: ['C0LEADERS'],
        digestChannels: ['C0EXEC'],
        pulseCron: '0 9 * * 1',
        digestCron: '0 9 * * 5',
        timezone: 'UTC',
        questionsPerPulse: 5,
        openHours: 72,
        delivery: 'dm',
        reminderHours: 24,
        sides: DEFAULT_SIDES,
        anonymityThreshold: 3,
        pausedUntil: null,
      },
    });
    standIn.enforceRateLimits({ speed: SPEED });

    const rows: Section['rows'] = [];
    const measure = async (what: string, run: () => Promise<number>) => {
      const before = standIn.calls.length;
      const limitedBefore = standIn.rateLimited;
      const started = performance.now();
      const delivered = await run();
      const ms = performance.now() - started;
      const succeeded: Record<string, number> = {};
      for (const call of standIn.calls.slice(before))
        if (call.status === 200) succeeded[call.method] = (succeeded[call.method] ?? 0) + 1;
      const minimum = standIn.minimumTimeMs(succeeded);
      const lost = MEMBERS - delivered;
      rows.push([
        what,
        minimum === 0
          ? `${(ms / 1000).toFixed(1)} s (no limit comes into play)`
          : `${(ms / 1000).toFixed(1)} s (least the limits allow: ${(minimum / 1000).toFixed(1)} s, ${((100 * minimum) / ms).toFixed(0)}%)`,
        `${Object.entries(succeeded)
          .map(([method, n]) => `${n} ${method}`)
          .join(', ')}; ${standIn.rateLimited - limitedBefore} answered 429; DMs lost: ${lost}`,
      ]);
    };
    const dmsTo = async (kind: 'dm' | 'reminder') => {
      const { n } = await t.app.ctx.db
        .selectFrom('pulse_messages')
        .select((eb) => eb.fn.count<number>('user_id').distinct().as('n'))
        .where('kind', '=', kind)
        .executeTakeFirstOrThrow();
      return n;
    };

    let pulse: Awaited<ReturnType<typeof openPulse>>['pulse'] | undefined;
    await measure(`pulse by DM to ${MEMBERS} members, first time`, async () => {
      const opened = await openPulse(t.app.ctx, survey, new Date());
      pulse = opened.pulse;
      const inSlack = people.filter((id) => {
        const dm = standIn.dmChannelOf(id);
        return dm !== undefined && standIn.messagesIn(dm).length === 1;
      }).length;
      return Math.min(inSlack, await dmsTo('dm'));
    });
    await measure(`reminder by DM to the same ${MEMBERS}`, async () => {
      if (pulse !== undefined) await remindPulse(t.app.ctx, pulse);
      return dmsTo('reminder');
    });
    rows.push([
      'the rate limits enforced',
      `Slack's published minimums, windows ${SPEED}× shorter`,
      'Tier 2 20/min, Tier 3 50/min, Tier 4 100/min per workspace; chat.postMessage 1/s per channel; no bursts. At Slack’s own pace multiply the times by ' +
        `${SPEED}.`,
    ]);
    return { title: 'A pulse by DM under Slack’s rate limits (429 + Retry-After)', rows };
  } finally {
    await t.stop();
  }
}
