import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import type { Question } from '../domain/catalogue.js';
import { DISCIPLINE_LABELS, DISCIPLINES, type Discipline } from '../domain/dimensions.js';
import { slackTime } from '../domain/time-format.js';

export const PULSE_MODAL_CALLBACK = 'pulse_submit';
export const QUESTION_BLOCK_PREFIX = 'q:';
export const DISCIPLINE_BLOCK = 'discipline';
export const COMMENT_BLOCK = 'comment';
/** Every input in the modal uses this action_id; blocks tell them apart. */
export const VALUE_ACTION = 'value';
export const COMMENT_MAX_LENGTH = 2000;

export const LIKERT_LABELS = [
  'Strongly disagree',
  'Disagree',
  'Neither',
  'Agree',
  'Strongly agree',
] as const;

const plain = (text: string) => ({ type: 'plain_text' as const, text });

const LIKERT_OPTIONS: PlainTextOption[] = LIKERT_LABELS.map((label, i) => ({
  text: plain(`${i + 1} · ${label}`),
  value: String(i + 1),
}));

const DISCIPLINE_OPTIONS: PlainTextOption[] = DISCIPLINES.map((d) => ({
  text: plain(DISCIPLINE_LABELS[d]),
  value: d,
}));

export interface PulseModalInput {
  pulseId: number;
  questions: readonly Question[];
  closesAt: string;
  timezone: string;
  /** Asked the first time a person answers. */
  askDiscipline: boolean;
  /** The survey's anonymity threshold: the fewest people a shown score stands for. */
  threshold?: number | undefined;
  /** Their earlier answers to this pulse, when they come back to change them. */
  previous?: { values: ReadonlyMap<string, number>; comment: string | undefined } | undefined;
}

export const questionBlockId = (questionId: string) => `${QUESTION_BLOCK_PREFIX}${questionId}`;

/**
 * The pulse form, as short as a phone allows: the discipline first when it
 * must be asked (it is required), then each statement with a compact
 * five-point choice, then an optional comment. About a screen and a half for
 * the default five statements.
 */
export function pulseModal(p: PulseModalInput): ModalView {
  const editing = p.previous !== undefined;
  const blocks: KnownBlock[] = [
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `${editing ? 'Change anything you like.' : 'How much do you agree?'} Private: only scores of ${p.threshold ?? 3} or more people show, after it closes ${slackTime(p.closesAt, p.timezone)}.`,
        },
      ],
    },
  ];
  if (p.askDiscipline) {
    blocks.push({
      type: 'input',
      block_id: DISCIPLINE_BLOCK,
      label: plain('Your discipline'),
      hint: plain('Asked once, to compare disciplines; after this only an admin changes it.'),
      element: {
        type: 'static_select',
        action_id: VALUE_ACTION,
        placeholder: plain('Choose one'),
        options: DISCIPLINE_OPTIONS,
      },
    });
  }
  for (const question of p.questions) {
    const previous = p.previous?.values.get(question.id);
    const initial = previous === undefined ? undefined : LIKERT_OPTIONS[previous - 1];
    blocks.push({
      type: 'input',
      block_id: questionBlockId(question.id),
      label: plain(question.text),
      element: {
        type: 'static_select',
        action_id: VALUE_ACTION,
        placeholder: plain('Strongly disagree … Strongly agree'),
        options: LIKERT_OPTIONS,
        ...(initial === undefined ? {} : { initial_option: initial }),
      },
    });
  }
  const comment = p.previous?.comment;
  blocks.push({
    type: 'input',
    block_id: COMMENT_BLOCK,
    optional: true,
    label: plain('Anything to add? (anonymous)'),
    hint: plain(
      `Quoted word for word in the digest, without your name, once ${p.threshold ?? 3} or more answer.`,
    ),
    element: {
      type: 'plain_text_input',
      action_id: VALUE_ACTION,
      multiline: true,
      max_length: COMMENT_MAX_LENGTH,
      ...(comment === undefined ? {} : { initial_value: comment }),
    },
  });
  return {
    type: 'modal',
    callback_id: PULSE_MODAL_CALLBACK,
    private_metadata: JSON.stringify({ pulseId: p.pulseId }),
    title: plain('Alignment pulse'),
    submit: plain(editing ? 'Save changes' : 'Submit'),
    close: plain('Cancel'),
    blocks,
  };
}

/** Shown in place of the form once the answers are stored. */
export function pulseThanksModal(p: {
  closesAt: string;
  timezone: string;
  discipline: Discipline;
}): ModalView {
  return {
    type: 'modal',
    title: plain('Alignment pulse'),
    close: plain('Done'),
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `*Thanks — your answers are saved.*\nYou can change them until ${slackTime(p.closesAt, p.timezone)}: click *Answer the pulse* again.`,
        },
      },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `Counted under ${DISCIPLINE_LABELS[p.discipline]}. Nobody sees your individual answers.`,
          },
        ],
      },
    ],
  };
}
