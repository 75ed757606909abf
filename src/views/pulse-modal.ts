import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import type { Question } from '../domain/catalogue.js';
import { DISCIPLINE_LABELS, DISCIPLINES, type Discipline } from '../domain/dimensions.js';
import { formatInZone } from '../domain/time-format.js';

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
  text: plain(label),
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
  /** Their earlier answers to this pulse, when they come back to change them. */
  previous?: { values: ReadonlyMap<string, number>; comment: string | undefined } | undefined;
}

export const questionBlockId = (questionId: string) => `${QUESTION_BLOCK_PREFIX}${questionId}`;

/** The pulse form: one five-point scale per statement, the discipline the first time, a comment. */
export function pulseModal(p: PulseModalInput): ModalView {
  const editing = p.previous !== undefined;
  const blocks: KnownBlock[] = [
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `${editing ? 'You answered this pulse already: change anything you like.' : 'How much do you agree?'} Private: only group scores of 3 or more people are ever shown. Open until ${formatInZone(p.closesAt, p.timezone)}.`,
        },
      ],
    },
  ];
  for (const question of p.questions) {
    const previous = p.previous?.values.get(question.id);
    const initial = previous === undefined ? undefined : LIKERT_OPTIONS[previous - 1];
    blocks.push({
      type: 'input',
      block_id: questionBlockId(question.id),
      label: plain(question.text),
      element: {
        type: 'radio_buttons',
        action_id: VALUE_ACTION,
        options: LIKERT_OPTIONS,
        ...(initial === undefined ? {} : { initial_option: initial }),
      },
    });
  }
  if (p.askDiscipline) {
    blocks.push({
      type: 'input',
      block_id: DISCIPLINE_BLOCK,
      label: plain('Your discipline'),
      hint: plain(
        'Asked once, so scores can compare disciplines. Change it later with /alignment role.',
      ),
      element: {
        type: 'static_select',
        action_id: VALUE_ACTION,
        placeholder: plain('Choose one'),
        options: DISCIPLINE_OPTIONS,
      },
    });
  }
  const comment = p.previous?.comment;
  blocks.push({
    type: 'input',
    block_id: COMMENT_BLOCK,
    optional: true,
    label: plain('Anything to add? (anonymous)'),
    hint: plain('Shown in the digest without your name, only when at least 3 people answered.'),
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
          text: `*Thanks — your answers are saved.*\nYou can change them until ${formatInZone(p.closesAt, p.timezone)}: click *Answer the pulse* again.`,
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
