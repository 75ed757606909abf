import type { HomeView, KnownBlock, PlainTextOption } from '@slack/types';
import type { Digest } from '../domain/digest.js';
import {
  DIMENSION_LABELS,
  DISCIPLINE_LABELS,
  DISCIPLINES,
  type Discipline,
  SIDE_LABELS,
  type Side,
} from '../domain/dimensions.js';
import { OPEN_PULSE_SKIP } from '../domain/schedule.js';
import { whole } from '../domain/scoring.js';
import { slackTime, zoneName } from '../domain/time-format.js';
import type { Week } from '../domain/weeks.js';
import type { OrgLine } from '../reports/org.js';
import type { Agreement } from '../storage/agreements.js';
import type { DeliveryFailure } from '../storage/delivery-failures.js';
import type { Pulse } from '../storage/pulses.js';
import type { Survey } from '../storage/surveys.js';
import { adviceFor } from './advice.js';
import { agreementLine, recordButton, reviewActions } from './agreements.js';
import { context, header, section } from './blocks.js';
import { LEGEND, sides, trendWords } from './calls.js';
import { summaryBlocks } from './digest.js';
import { ANSWER_PULSE_ACTION } from './pulse-message.js';
import { sidesText, simpleWeekly, WEEKDAYS } from './setup-modal.js';

export const HOME_ROLE_ACTION = 'home_set_role';
export const HOME_EDIT_SETUP_ACTION = 'home_edit_setup';
const MAX_OPEN_PULSES = 5;
const MAX_SURVEYS = 5;
const MAX_ORG_LINES = 20;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export interface HomeInput {
  /** The survey the viewer answers (its leadership channel names it), with its scores. */
  scores:
    | {
        /** The survey's leadership channel, to name whose scores these are. */
        channelId: string | undefined;
        threshold: number;
        /** The latest closed week; undefined when no pulse has closed yet. */
        latest: Week | undefined;
        /** The digest of the latest closed week with scores, if any of the last 12 has. */
        digest: Digest | undefined;
        /** Other surveys that ask the viewer too: said, since only this one is shown. */
        otherSurveys?: number | undefined;
      }
    | undefined;
  openPulses: {
    pulse: Pulse;
    timezone: string;
    channelId: string | undefined;
    answered: boolean;
  }[];
  discipline: Discipline | undefined;
  /** The side the viewer's discipline counts with, in their survey. */
  side?: Side | undefined;
  /** The agreements of the viewer's survey, and any other they own; the viewer, to offer them the review. */
  agreements?:
    | {
        surveyId: number;
        channelId: string | undefined;
        viewer: string;
        list: Agreement[];
        now: Date;
      }
    | undefined;
  admin:
    | {
        surveys: Survey[];
        /** The app's ANONYMITY_THRESHOLD, for surveys without their own. */
        defaultThreshold: number;
        /** Each survey's line: the org view. */
        org: OrgLine[];
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

const channel = (id: string | undefined) => (id === undefined ? 'your survey' : `<#${id}>`);

function scoresBlocks(s: HomeInput['scores']): KnownBlock[] {
  if (s === undefined)
    return [section('No survey yet. Once a pulse has run, the latest scores show here.')];
  const blocks = surveyScores(s);
  const others = s.otherSurveys ?? 0;
  if (others > 0)
    blocks.push(
      context(
        `These are the scores of ${channel(s.channelId)}, the survey of your latest pulse. ${plural(others, 'other survey')} ${others === 1 ? 'asks' : 'ask'} you too: \`/alignment score\` in ${others === 1 ? 'its channel' : 'each channel'} shows its own.`,
      ),
    );
  return blocks;
}

function surveyScores(s: NonNullable<HomeInput['scores']>): KnownBlock[] {
  const whose = channel(s.channelId);
  if (s.latest === undefined) {
    return [
      section(
        `*Latest scores* · ${whose}\nNo pulse has closed yet. Scores show here once one closes with ${s.threshold} or more leaders answering; never while it is still taking answers.`,
      ),
    ];
  }
  const d = s.digest;
  if (d === undefined || !d.index.current.visible) {
    return [
      section(
        `*Latest closed week* · ${whose} · the ${s.latest.label}\nFewer than ${s.threshold} leaders answered, so it shows no scores.`,
      ),
    ];
  }
  const latestHasScores = d.week.period === s.latest.period;
  const blocks: KnownBlock[] = [
    context(
      `*Latest scores* · ${whose} · the ${d.week.label}, ${latestHasScores ? 'the latest closed week' : 'the latest closed week with scores'}`,
    ),
  ];
  if (!latestHasScores)
    blocks.push(
      context(
        `The ${s.latest.label} closed with fewer than ${s.threshold} leaders answering, so it shows nothing.`,
      ),
    );
  blocks.push(...summaryBlocks(d), context(LEGEND));
  return blocks;
}

/** A survey's largest gap in a few words, with its call: "tech debt, 60 points apart, widening". */
function orgGapWords(gap: NonNullable<OrgLine['gap']>): string {
  const size = sides(gap.gap).apart;
  const name = DIMENSION_LABELS[gap.dimension].toLowerCase();
  const call =
    gap.call === 'apart'
      ? `${size} points apart`
      : gap.call === 'aligned'
        ? 'aligned'
        : gap.call === 'no_clear_gap'
          ? `${size} points, no clear gap`
          : `${size} points, not enough data yet`;
  const moved =
    gap.trend === 'widening' ? ', widening' : gap.trend === 'narrowing' ? ', narrowing' : '';
  return `${name}, ${call}${moved}`;
}

/** The org view: one line a survey, each with its own figures and threshold. */
export function orgText(lines: readonly OrgLine[]): string[] {
  return lines.map((l) => {
    const name = `*${channel(l.survey.leadershipChannels[0])}*`;
    if (l.week === undefined || l.index === undefined || !l.index.visible)
      return `${name} · no scores yet`;
    const words = trendWords(l.trend);
    const gap = l.gap === undefined ? '' : ` · largest gap: ${orgGapWords(l.gap)}`;
    return `${name} · index *${whole(l.index.score)}*${words === '' ? '' : ` · ${words}`}${gap}`;
  });
}

/** A skipped run in words: what was due, when, and why it did not run. */
function skipWords(
  r: { kind: string; scheduledFor: string; reason: string },
  timezone: string,
): string {
  const what = `The ${r.kind === 'digest' ? 'digest' : 'pulse'} due ${slackTime(r.scheduledFor, timezone)}`;
  if (r.reason.startsWith(OPEN_PULSE_SKIP)) {
    const until = r.reason.slice(OPEN_PULSE_SKIP.length).trim();
    return `${what} was skipped: a pulse was still open (until ${slackTime(until, timezone)}). One pulse at a time, so answers are never split.`;
  }
  if (r.reason.startsWith('paused until')) return `${what} was skipped: the survey was paused.`;
  return `${what} was skipped: the app was down for longer than CATCH_UP_GRACE_HOURS, so it was not sent late.`;
}

/** Most agreements the App Home lists. */
const MAX_AGREEMENTS = 8;

/**
 * The agreements: each with its owners and review day; an owner gets the
 * review's three buttons beside their own. A button to record one.
 */
function agreementBlocks(a: NonNullable<HomeInput['agreements']>): KnownBlock[] {
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*Agreements* · ${channel(a.channelId)} (not anonymous)`,
      },
      accessory: recordButton({ surveyId: a.surveyId }),
    },
  ];
  if (a.list.length === 0)
    blocks.push(
      context(
        'None open. What a leadership sync agrees can be recorded here, with an owner from Product and one from Engineering; every digest then follows it up.',
      ),
    );
  for (const agreement of a.list.slice(0, MAX_AGREEMENTS)) {
    blocks.push(section(agreementLine(agreement, a.now), true));
    if (agreement.productOwner === a.viewer || agreement.engineeringOwner === a.viewer)
      blocks.push(reviewActions(agreement, `home_agreement_${agreement.id}`, { primary: false }));
  }
  if (a.list.length > MAX_AGREEMENTS)
    blocks.push(
      context(
        `And ${plural(a.list.length - MAX_AGREEMENTS, 'more agreement')}: \`/alignment export\` (admins) lists every one.`,
      ),
    );
  return blocks;
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
  for (const { pulse, timezone, channelId, answered } of h.openPulses.slice(0, MAX_OPEN_PULSES)) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `${channel(channelId)} · ${answered ? 'answered — you can still change your answers' : 'waiting for your answers'} · open until ${slackTime(pulse.closesAt, timezone)}`,
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

  const moreOpen = h.openPulses.slice(MAX_OPEN_PULSES);
  if (moreOpen.length > 0)
    blocks.push(
      context(
        `And ${plural(moreOpen.length, 'more open pulse')}: ${moreOpen.map((p) => channel(p.channelId)).join(', ')}. Each channel's pulse message has its button.`,
      ),
    );

  if (h.agreements !== undefined) blocks.push(...agreementBlocks(h.agreements));

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
      section(
        `*Your discipline:* ${DISCIPLINE_LABELS[h.discipline]}${h.side === undefined ? '' : ` · counts with the ${SIDE_LABELS[h.side]} side`}`,
      ),
      context(
        `Set once, so nobody can move between groups to single out answers. ${h.admin === undefined ? 'An admin' : 'Another admin'} can change it for you, from your next pulse on.`,
      ),
    );
  }

  if (h.admin !== undefined && h.admin.org.length > 1) {
    const lines = orgText(h.admin.org);
    blocks.push({ type: 'divider' }, header('All surveys'));
    // A few lines a section, so none folds; at most 20 surveys here.
    for (let i = 0; i < Math.min(lines.length, MAX_ORG_LINES); i += 5)
      blocks.push(section(lines.slice(i, i + 5).join('\n'), true));
    if (lines.length > MAX_ORG_LINES)
      blocks.push(
        context(
          `And ${lines.length - MAX_ORG_LINES} more: \`/alignment score all\` lists every one.`,
        ),
      );
    blocks.push(context(`Each survey with its own anonymity threshold. ${LEGEND}`));
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
        `*Pulse:* ${scheduleText(s.pulseCron)} ${zoneName(s.timezone)}, ${plural(s.questionsPerPulse, 'question')}, open ${s.openHours} h, ${s.delivery === 'dm' ? 'by DM' : 'in the channel'}, ${s.reminderHours === null ? 'no reminder' : `reminder ${s.reminderHours} h before closing`}`,
        `*Digest:* ${scheduleText(s.digestCron)} ${zoneName(s.timezone)} · *Anonymity threshold:* ${s.anonymityThreshold ?? h.admin.defaultThreshold} people${s.pausedUntil ? ` · *Paused until* ${slackTime(s.pausedUntil, s.timezone)}` : ''}`,
        sidesText(s.sides),
      ];
      blocks.push({
        type: 'section',
        text: { type: 'mrkdwn', text: summary.join('\n') },
        expand: true,
        accessory: {
          type: 'button',
          action_id: HOME_EDIT_SETUP_ACTION,
          text: { type: 'plain_text', text: 'Edit setup' },
          value: String(s.id),
        },
      });
    }
    if (h.admin.surveys.length > MAX_SURVEYS)
      blocks.push(
        context(
          `And ${plural(h.admin.surveys.length - MAX_SURVEYS, 'more survey')}: ${h.admin.surveys
            .slice(MAX_SURVEYS)
            .map((s) => channel(s.leadershipChannels[0]))
            .join(', ')}. Type \`/alignment setup\` in a survey's channel to change it.`,
        ),
      );
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
        return `• ${slackTime(f.occurredAt, timezone)}: could not ${f.action}${where} (\`${f.error}\`). ${adviceFor(f.error, f.channelId ?? undefined)}`;
      });
      blocks.push(section(`*Recent delivery problems*\n${lines.join('\n')}`));
    }
  }
  return { type: 'home', blocks };
}
