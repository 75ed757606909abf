import { TZDate } from '@date-fns/tz';
import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { format } from 'date-fns/format';
import { AGREEMENT_MAX, type FollowUp, NOTE_MAX } from '../domain/agreements.js';
import { DIMENSION_LABELS, DIMENSIONS, type Dimension } from '../domain/dimensions.js';
import type { Agreement } from '../storage/agreements.js';
import { context, plain, section } from './blocks.js';
import type { SlackMessage } from './help.js';
import { escapeMrkdwn } from './mrkdwn.js';

export const AGREEMENT_CALLBACK = 'agreement_submit';
export const KEEP_GOING_CALLBACK = 'agreement_keep_submit';
export const DROPPED_CALLBACK = 'agreement_drop_submit';
/** "Record what we agreed": on the digest's topic, in the App Home. Its value says where from. */
export const RECORD_AGREEMENT_ACTION = 'agreement_record';
export const AGREEMENT_DONE_ACTION = 'agreement_done';
export const AGREEMENT_KEEP_ACTION = 'agreement_keep';
export const AGREEMENT_DROP_ACTION = 'agreement_drop';
export const AGREE = {
  dimension: 'agree_dimension',
  body: 'agree_body',
  product: 'agree_product',
  engineering: 'agree_engineering',
  review: 'agree_review',
  note: 'agree_note',
} as const;
export const VALUE = 'value';

/** What a "Record what we agreed" button carries. */
export interface RecordButtonValue {
  surveyId: number;
  dimension?: Dimension | undefined;
}

const option = (text: string, value: string): PlainTextOption => ({ text: plain(text), value });
/** Agreements are the team's own words: their sections always show whole. */
const fullSection = (text: string) => section(text, true);

/** A person on an agreement, or who they were once forgotten. */
export const who = (userId: string | null) =>
  userId === null ? 'a former leader' : `<@${userId}>`;
const owners = (a: Agreement) => `${who(a.productOwner)} and ${who(a.engineeringOwner)}`;
const day = (iso: string, timezone: string) =>
  format(new TZDate(Date.parse(iso), timezone), 'd MMM');
const reviewDay = (a: Agreement) => {
  const [y, m, d] = a.reviewOn.split('-').map(Number);
  return format(new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1, 12)), 'EEE d MMM');
};
const quoted = (a: Agreement) => `“${escapeMrkdwn(a.body)}”`;

/** The button that opens the form; on the digest's suggested topic and in the App Home. */
export function recordButton(value: RecordButtonValue) {
  return {
    type: 'button' as const,
    action_id: RECORD_AGREEMENT_ACTION,
    text: plain('Record what we agreed'),
    value: JSON.stringify(value),
  };
}

/**
 * The form: the dimension (preselected from the topic), what was agreed, one
 * owner from Product and one from Engineering, and the review date. It says
 * first that an agreement is not anonymous.
 */
export function agreementModal(p: {
  surveyId: number;
  channelId: string | undefined;
  dimension: Dimension | undefined;
  reviewOn: string;
}): ModalView {
  const options = DIMENSIONS.map((d) => option(DIMENSION_LABELS[d], d));
  const initial = options.find((o) => o.value === p.dimension);
  return {
    type: 'modal',
    callback_id: AGREEMENT_CALLBACK,
    private_metadata: JSON.stringify({ surveyId: p.surveyId }),
    title: plain('Record an agreement'),
    submit: plain('Record'),
    close: plain('Cancel'),
    blocks: [
      context(
        `For ${p.channelId === undefined ? 'your survey' : `<#${p.channelId}>`}. *Not anonymous*, unlike answers: what you agree, its two owners and who recorded it show in the digest and the App Home.`,
      ),
      {
        type: 'input',
        block_id: AGREE.dimension,
        label: plain('On'),
        element: {
          type: 'static_select',
          action_id: VALUE,
          options,
          placeholder: plain('Choose a dimension'),
          ...(initial === undefined ? {} : { initial_option: initial }),
        },
      },
      {
        type: 'input',
        block_id: AGREE.body,
        label: plain('What we agreed'),
        element: {
          type: 'plain_text_input',
          action_id: VALUE,
          multiline: true,
          max_length: AGREEMENT_MAX,
          placeholder: plain('Reserve 20% of each sprint for tech debt, agreed by both sides.'),
        },
      },
      {
        type: 'input',
        block_id: AGREE.product,
        label: plain('Owner from Product'),
        element: { type: 'users_select', action_id: VALUE, placeholder: plain('Choose a person') },
      },
      {
        type: 'input',
        block_id: AGREE.engineering,
        label: plain('Owner from Engineering'),
        hint: plain(
          'Two owners, one from each side, so that both carry it: the gap is between them.',
        ),
        element: { type: 'users_select', action_id: VALUE, placeholder: plain('Choose a person') },
      },
      {
        type: 'input',
        block_id: AGREE.review,
        label: plain('Review on'),
        hint: plain('The owners are asked then how it went: done, keep going or dropped.'),
        element: { type: 'datepicker', action_id: VALUE, initial_date: p.reviewOn },
      },
    ],
  };
}

/** In place of the form, once recorded. */
export function agreementRecordedModal(a: Agreement): ModalView {
  return {
    type: 'modal',
    title: plain('Agreement recorded'),
    close: plain('Done'),
    blocks: [
      fullSection(
        `*Recorded:* ${quoted(a)} (${DIMENSION_LABELS[a.dimension]})\n${owners(a)} each get a DM now. On ${reviewDay(a)} they are asked how it went; meanwhile every digest follows what happens to ${DIMENSION_LABELS[a.dimension].toLowerCase()}.`,
      ),
    ],
  };
}

/** What happened since the agreement, in one sentence, from the follow-up's calls. */
export function followUpWords(f: FollowUp, timezone: string): string {
  if (f.score.move === 'too_early' || f.gap.move === 'too_early')
    return `Since ${day(f.since, timezone)}: too early to tell — ${f.weeksAfter} closed ${f.weeksAfter === 1 ? 'week' : 'weeks'} so far; the follow-up starts after 2.`;
  // Its own window, said: the weeks since the agreement, against the 4 before it.
  const since = `Since ${day(f.since, timezone)} (${f.weeksAfter} ${f.weeksAfter === 1 ? 'week' : 'weeks'})`;
  const size = (n: number | undefined) => Math.abs(Math.round(n ?? 0));
  const whole = (n: number | undefined) => Math.round(n ?? 0);
  const moved = (move: string) => (move === 'no_clear_change' ? 'no clear change' : move);
  const gap =
    f.gap.from === undefined || f.gap.to === undefined
      ? `gap not shown (${f.gap.hidden ?? 'not asked in one of the two periods'})`
      : `gap ${size(f.gap.from)} → ${size(f.gap.to)}, ${moved(f.gap.move)}`;
  const score =
    f.score.from === undefined || f.score.to === undefined
      ? 'score not shown'
      : `score ${whole(f.score.from)} → ${whole(f.score.to)}, ${moved(f.score.move)}`;
  return `${since}: ${gap}; ${score}.`;
}

/** An agreement on one line: what, on which dimension, whose, when it is reviewed (or that its review is due). */
export function agreementLine(a: Agreement, now?: Date): string {
  const review =
    now !== undefined && Date.parse(a.reviewAt) <= now.getTime()
      ? `review due since ${reviewDay(a)}`
      : `review ${reviewDay(a)}`;
  return `*${DIMENSION_LABELS[a.dimension]}* — ${quoted(a)} · ${owners(a)} · ${review}`;
}

/** The DM each owner gets when an agreement is recorded. */
export function ownerDm(a: Agreement, channelId: string | undefined): SlackMessage {
  const where = channelId === undefined ? 'your leadership team' : `<#${channelId}>`;
  const text = `You own an agreement from ${where} with ${owners(a)}: ${quoted(a)}`;
  return {
    text,
    blocks: [
      fullSection(
        `*You own an agreement* from ${where}, with ${owners(a)}:\n${quoted(a)} (${DIMENSION_LABELS[a.dimension]})`,
      ),
      context(
        `Recorded by ${who(a.recordedBy)}. On ${reviewDay(a)} you are both asked how it went; meanwhile every digest follows what happens to ${DIMENSION_LABELS[a.dimension].toLowerCase()}.`,
      ),
    ],
  };
}

/** The review DM: the agreement, what happened since, and the three answers. */
export function reviewDm(
  a: Agreement,
  f: FollowUp,
  channelId: string | undefined,
  timezone: string,
): SlackMessage {
  const where = channelId === undefined ? 'your leadership team' : `<#${channelId}>`;
  const followed = followUpWords(f, timezone);
  return {
    text: `Time to review an agreement from ${where}: ${quoted(a)} ${followed}`,
    blocks: [
      fullSection(
        `*Time to review an agreement* from ${where}, owned by ${owners(a)}:\n${quoted(a)} (${DIMENSION_LABELS[a.dimension]})`,
      ),
      fullSection(followed),
      reviewActions(a, `agreement_review_${a.id}`, { primary: true }),
      context('Either owner can answer; the other sees it in the next digest.'),
    ],
  };
}

/** The review's three buttons: Done, Keep going, Dropped. */
export function reviewActions(
  a: Agreement,
  blockId: string,
  { primary }: { primary: boolean },
): KnownBlock {
  const value = String(a.id);
  return {
    type: 'actions',
    block_id: blockId,
    elements: [
      {
        type: 'button',
        action_id: AGREEMENT_DONE_ACTION,
        text: plain('Done'),
        ...(primary ? { style: 'primary' as const } : {}),
        value,
      },
      { type: 'button', action_id: AGREEMENT_KEEP_ACTION, text: plain('Keep going'), value },
      { type: 'button', action_id: AGREEMENT_DROP_ACTION, text: plain('Dropped'), value },
    ],
  };
}

/** A review's small form: the agreement, then one input. */
function reviewModal(
  a: Agreement,
  form: { callbackId: string; title: string; submit: string; input: KnownBlock },
): ModalView {
  return {
    type: 'modal',
    callback_id: form.callbackId,
    private_metadata: JSON.stringify({ agreementId: a.id }),
    title: plain(form.title),
    submit: plain(form.submit),
    close: plain('Cancel'),
    blocks: [fullSection(`${quoted(a)} (${DIMENSION_LABELS[a.dimension]})`), form.input],
  };
}

/** "Keep going": a new review date. */
export const keepGoingModal = (a: Agreement, reviewOn: string): ModalView =>
  reviewModal(a, {
    callbackId: KEEP_GOING_CALLBACK,
    title: 'Keep going',
    submit: 'Save',
    input: {
      type: 'input',
      block_id: AGREE.review,
      label: plain('Review again on'),
      element: { type: 'datepicker', action_id: VALUE, initial_date: reviewOn },
    },
  });

/** "Dropped": a short note on why. */
export const droppedModal = (a: Agreement): ModalView =>
  reviewModal(a, {
    callbackId: DROPPED_CALLBACK,
    title: 'Drop the agreement',
    submit: 'Drop it',
    input: {
      type: 'input',
      block_id: AGREE.note,
      label: plain('Why, in a line'),
      hint: plain('Shown in the next digest beside the agreement, with your name.'),
      element: { type: 'plain_text_input', action_id: VALUE, max_length: NOTE_MAX },
    },
  });

/** How a closed agreement ended, in a few words. */
export function closedWords(a: Agreement, timezone: string): string {
  const when = a.closedAt === null ? '' : ` on ${day(a.closedAt, timezone)}`;
  if (a.status === 'done') return `done${when} (${who(a.closedBy)})`;
  const note = a.note === null || a.note.trim() === '' ? '' : `: “${escapeMrkdwn(a.note)}”`;
  return `dropped${when} (${who(a.closedBy)})${note}`;
}

/** Shown to whoever clicked an agreement's button but does not own it. */
export const ownersOnly = (a: Agreement) =>
  `Only the agreement's owners, ${owners(a)}, can answer its review. Nothing changed.`;

/** Most agreements a digest lists one by one; the App Home has the rest. */
export const MAX_DIGEST_AGREEMENTS = 5;

/**
 * The digest's agreements: each open one with what happened since, and those
 * closed since the last digest, once.
 */
export function digestAgreementBlocks(
  open: readonly { agreement: Agreement; followUp: FollowUp }[],
  closed: readonly Agreement[],
  timezone: string,
): KnownBlock[] {
  if (open.length === 0 && closed.length === 0) return [];
  const blocks: KnownBlock[] = [];
  const title = '*Agreements* (not anonymous)';
  for (const [i, { agreement, followUp }] of open.slice(0, MAX_DIGEST_AGREEMENTS).entries())
    blocks.push(
      fullSection(
        `${i === 0 ? `${title} · ` : ''}${agreementLine(agreement)}\n${followUpWords(followUp, timezone)}`,
      ),
    );
  if (open.length === 0) blocks.push(fullSection(title));
  if (open.length > MAX_DIGEST_AGREEMENTS)
    blocks.push(
      context(
        `And ${open.length - MAX_DIGEST_AGREEMENTS} more open: the App Home lists every one.`,
      ),
    );
  if (closed.length > 0)
    blocks.push(
      fullSection(
        `*Closed since the last digest*\n${closed
          .map(
            (a) =>
              `• *${DIMENSION_LABELS[a.dimension]}* — ${quoted(a)}: ${closedWords(a, timezone)}`,
          )
          .join('\n')}`,
      ),
    );
  return blocks;
}
