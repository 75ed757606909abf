import type { HomeView, KnownBlock, PlainTextOption } from '@slack/types';
import type { Digest } from '../domain/digest.js';
import {
  DIMENSION_LABELS,
  DISCIPLINE_LABELS,
  DISCIPLINES,
  type Discipline,
} from '../domain/dimensions.js';
import { OPEN_PULSE_SKIP } from '../domain/schedule.js';
import { percent, trafficLight, whole } from '../domain/scoring.js';
import { formatInZone } from '../domain/time-format.js';
import type { Week } from '../domain/weeks.js';
import type { DeliveryFailure } from '../storage/delivery-failures.js';
import type { Pulse } from '../storage/pulses.js';
import type { Survey } from '../storage/surveys.js';
import { adviceFor } from './advice.js';
import { largestGapWords, trendWords } from './calls.js';
import { ANSWER_PULSE_ACTION } from './pulse-message.js';
import { simpleWeekly, WEEKDAYS } from './setup-modal.js';

export const HOME_ROLE_ACTION = 'home_set_role';
export const HOME_EDIT_SETUP_ACTION = 'home_edit_setup';
const LIGHTS = { green: '🟢', yellow: '🟡', red: '🔴' } as const;
const MAX_OPEN_PULSES = 5;
const MAX_SURVEYS = 5;

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });
const header = (text: string): KnownBlock => ({
  type: 'header',
  text: { type: 'plain_text', text },
});
const context = (text: string): KnownBlock => ({
  type: 'context',
  elements: [{ type: 'mrkdwn', text }],
});
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export interface HomeInput {
  /** The survey's published scores; undefined when there is no survey. */
  scores:
    | {
        threshold: number;
        /** The latest closed week; undefined when no pulse has closed yet. */
        latest: Week | undefined;
        /** The digest of the latest closed week with scores, if any of the last 12 has. */
        digest: Digest | undefined;
      }
    | undefined;
  openPulses: { pulse: Pulse; timezone: string; answered: boolean }[];
  discipline: Discipline | undefined;
  admin:
    | {
        surveys: Survey[];
        failures: DeliveryFailure[];
        /** Scheduled runs skipped lately, with the reason stored for each. */
        skipped?: { surveyId: number; kind: string; scheduledFor: string; reason: string }[];
      }
    | undefined;
}

function scheduleText(cron: string): string {
  const simple = simpleWeekly(cron);
  return simple === undefined ? `\`${cron}\`` : `${WEEKDAYS[simple.day]}s at ${simple.time}`;
}

function scoresBlocks(s: HomeInput['scores']): KnownBlock[] {
  if (s === undefined)
    return [section('No survey yet. Once a pulse has run, the latest scores show here.')];
  if (s.latest === undefined) {
    return [
      section(
        `*Latest scores*\nNo pulse has closed yet. Scores show here once one closes with ${s.threshold} or more leaders answering; never while it is still taking answers.`,
      ),
    ];
  }
  const d = s.digest;
  if (d === undefined || !d.index.current.visible) {
    return [
      section(
        `*Latest closed week* · ${s.latest.label}, ${s.latest.range}\nFewer than ${s.threshold} leaders answered, so it shows no scores.`,
      ),
    ];
  }
  const spark = d.index.spark.trim() === '' ? '' : `  \`${d.index.spark.trimStart()}\``;
  const lines = d.dimensions.map((line) => {
    const label = DIMENSION_LABELS[line.dimension];
    const g = line.current;
    if (g === undefined || !g.visible) return `⚪ ${label} —`;
    const words = trendWords(line.trend);
    return `${LIGHTS[trafficLight(g.favorable)]} ${label} *${whole(g.score)}*${words === '' ? '' : ` · ${words}`} · ${percent(g.favorable)}% favorable`;
  });
  const latestHasScores = d.week.period === s.latest.period;
  const indexWords = trendWords(d.index.trend);
  const blocks: KnownBlock[] = [
    section(
      `*Alignment index: ${whole(d.index.current.score)}*${spark}${indexWords === '' ? '' : ` · ${indexWords}`} · ${d.week.label}, ${d.week.range}, ${latestHasScores ? 'the latest closed week' : 'the latest closed week with scores'}`,
    ),
  ];
  if (!latestHasScores)
    blocks.push(
      context(
        `${s.latest.label}, ${s.latest.range} closed with fewer than ${s.threshold} leaders answering, so it shows nothing.`,
      ),
    );
  blocks.push(section(lines.join('\n')));
  if (d.largestGap !== undefined)
    blocks.push(section(`*Largest perception gap:* ${largestGapWords(d.largestGap)}`));
  return blocks;
}

/** A skipped run in words: what was due, when, and why it did not run. */
function skipWords(
  r: { kind: string; scheduledFor: string; reason: string },
  timezone: string,
): string {
  const what = `The ${r.kind === 'digest' ? 'digest' : 'pulse'} due ${formatInZone(r.scheduledFor, timezone)}`;
  if (r.reason.startsWith(OPEN_PULSE_SKIP)) {
    const until = r.reason.slice(OPEN_PULSE_SKIP.length).trim();
    return `${what} was skipped: a pulse was still open (until ${formatInZone(until, timezone)}). One pulse at a time, so answers are never split.`;
  }
  if (r.reason.startsWith('paused until')) return `${what} was skipped: the survey was paused.`;
  return `${what} was skipped: the app was down for longer than CATCH_UP_GRACE_HOURS, so it was not sent late.`;
}

/** The App Home: scores, the viewer's open pulses and discipline; for admins the setup and failures. */
export function homeView(h: HomeInput): HomeView {
  const blocks: KnownBlock[] = [
    header('Alignment Pulse'),
    ...scoresBlocks(h.scores),
    { type: 'divider' },
  ];

  blocks.push(section('*Your open pulses*'));
  if (h.openPulses.length === 0)
    blocks.push(context('None right now. The next pulse arrives on schedule.'));
  for (const { pulse, timezone, answered } of h.openPulses.slice(0, MAX_OPEN_PULSES)) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `${answered ? 'Answered — you can still change your answers' : 'Waiting for your answers'} · open until ${formatInZone(pulse.closesAt, timezone)}`,
      },
      accessory: {
        type: 'button',
        action_id: ANSWER_PULSE_ACTION,
        text: { type: 'plain_text', text: answered ? 'Change answers' : 'Answer the pulse' },
        ...(answered ? {} : { style: 'primary' as const }),
        value: String(pulse.id),
      },
    });
  }

  if (h.discipline === undefined) {
    const options: PlainTextOption[] = DISCIPLINES.map((d) => ({
      text: { type: 'plain_text', text: DISCIPLINE_LABELS[d] },
      value: d,
    }));
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: '*Your discipline:* not set yet. Choose it once, so scores can compare Product and Engineering.',
      },
      accessory: {
        type: 'static_select',
        action_id: HOME_ROLE_ACTION,
        placeholder: { type: 'plain_text', text: 'Choose' },
        options,
      },
    });
  } else {
    blocks.push(
      section(`*Your discipline:* ${DISCIPLINE_LABELS[h.discipline]}`),
      context(
        'Set once, so nobody can move between groups to single out answers. An admin can change it: `/alignment role @you <discipline>`, from your next pulse on.',
      ),
    );
  }

  if (h.admin !== undefined) {
    blocks.push({ type: 'divider' }, header('Setup'));
    if (h.admin.surveys.length === 0) {
      blocks.push(
        section(
          'No survey yet. Type `/alignment pulse now` in your leadership channel to start one, then adjust it here.',
        ),
      );
    }
    for (const s of h.admin.surveys.slice(0, MAX_SURVEYS)) {
      const summary = [
        `*Leadership:* ${s.leadershipChannels.map((c) => `<#${c}>`).join(', ')} · *Digest:* ${s.digestChannels.map((c) => `<#${c}>`).join(', ')}`,
        `*Pulse:* ${scheduleText(s.pulseCron)} (${s.timezone}), ${plural(s.questionsPerPulse, 'question')}, open ${s.openHours} h, ${s.delivery === 'dm' ? 'by DM' : 'in the channel'}, ${s.reminderHours === null ? 'no reminder' : `reminder ${s.reminderHours} h before closing`}`,
        `*Digest:* ${scheduleText(s.digestCron)} · *Anonymity threshold:* ${s.anonymityThreshold ?? 'default'}${s.pausedUntil ? ` · *Paused until* ${formatInZone(s.pausedUntil, s.timezone)}` : ''}`,
      ];
      blocks.push({
        type: 'section',
        text: { type: 'mrkdwn', text: summary.join('\n') },
        accessory: {
          type: 'button',
          action_id: HOME_EDIT_SETUP_ACTION,
          text: { type: 'plain_text', text: 'Edit setup' },
          value: String(s.id),
        },
      });
    }
    const skipped = h.admin.skipped ?? [];
    if (skipped.length > 0) {
      const timezone = h.admin.surveys[0]?.timezone ?? 'UTC';
      const lines = skipped.map((r) => `• ${skipWords(r, timezone)}`);
      blocks.push(section(`*Skipped lately*\n${lines.join('\n')}`));
    }
    if (h.admin.failures.length > 0) {
      const timezone = h.admin.surveys[0]?.timezone ?? 'UTC';
      const lines = h.admin.failures.map((f) => {
        const where =
          f.channelId === null || f.channelId.startsWith('U') ? '' : ` in <#${f.channelId}>`;
        return `• ${formatInZone(f.occurredAt, timezone)}: could not ${f.action}${where} (\`${f.error}\`). ${adviceFor(f.error, f.channelId ?? undefined)}`;
      });
      blocks.push(section(`*Recent delivery problems*\n${lines.join('\n')}`));
    }
  }
  return { type: 'home', blocks };
}
