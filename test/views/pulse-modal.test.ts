import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/domain/catalogue.js';
import { DISCIPLINE_BLOCK, pulseModal } from '../../src/views/pulse-modal.js';
import { checkView } from '../support/slack-checks.js';

/**
 * How tall a modal is on a phone, roughly, from what Slack's mobile client
 * draws (measured by eye on a 390 × 844 pt screen, where a modal shows about
 * 640 pt between its header and the keyboard-free bottom): a line of label
 * text 22 pt at about 38 characters, a line of hint or context 18 pt at
 * about 48, a select or a one-line input 44 pt, a multi-line input 88 pt, a
 * radio button 40 pt, and 24 pt between blocks.
 */
const SCREEN = 640;
/** Lines of text as drawn: a formatted date shows as about its fallback's length. */
const lines = (text: string, perLine: number) =>
  Math.max(1, Math.ceil([...text.replace(/<!date\^[^|]+\|([^>]+)>/g, '$1')].length / perLine));
interface Block {
  type: string;
  label?: { text: string };
  hint?: { text: string };
  elements?: { text: string }[];
  element?: { type: string; multiline?: boolean; options?: unknown[] };
}
function phoneHeight(blocks: readonly unknown[]): number {
  let height = 0;
  for (const block of blocks as Block[]) {
    height += 24;
    if (block.type === 'context')
      height += (block.elements ?? []).reduce((h, e) => h + 18 * lines(e.text, 48), 0);
    if (block.type !== 'input') continue;
    height += 22 * lines(block.label?.text ?? '', 38);
    if (block.hint !== undefined) height += 18 * lines(block.hint.text, 48);
    const element = block.element;
    if (element?.type === 'radio_buttons') height += 40 * (element.options?.length ?? 0);
    else height += element?.multiline ? 88 : 44;
  }
  return height;
}

/** The five longest statements: the tallest form the default five questions can make. */
const longest = [...CATALOGUE].sort((a, b) => b.text.length - a.text.length).slice(0, 5);
const form = (askDiscipline: boolean) =>
  pulseModal({
    pulseId: 7,
    questions: longest,
    closesAt: '2026-11-19T08:00:00Z',
    timezone: 'Europe/Berlin',
    askDiscipline,
  });

describe('the pulse form', () => {
  it('asks the discipline first, when it must, before any statement', () => {
    const inputs = (form(true).blocks as { type: string; block_id?: string }[]).filter(
      (b) => b.type === 'input',
    );
    expect(inputs[0]?.block_id).toBe(DISCIPLINE_BLOCK);
    expect(inputs.slice(1, 6).every((b) => b.block_id?.startsWith('q:'))).toBe(true);
    expect((form(false).blocks as { block_id?: string }[]).map((b) => b.block_id)).not.toContain(
      DISCIPLINE_BLOCK,
    );
  });

  it('fits the default five questions, with the discipline, in about a screen and a half on a phone', () => {
    const view = form(true);
    expect(checkView(view as unknown as Record<string, unknown>)).toEqual([]);
    expect(phoneHeight(view.blocks)).toBeLessThanOrEqual(1.5 * SCREEN);
    // The first version's stacked radio buttons, measured the same way, did not.
    const stacked = view.blocks.map((b) =>
      b.type === 'input' && b.block_id?.startsWith('q:')
        ? { ...b, element: { type: 'radio_buttons', options: Array(5).fill({}) } }
        : b,
    );
    expect(phoneHeight(stacked)).toBeGreaterThan(1.5 * SCREEN);
  });

  it('offers the five points as one short menu, the words beside the numbers', () => {
    const question = form(false).blocks.find((b) => b.block_id?.startsWith('q:')) as {
      element: { type: string; options: { text: { text: string }; value: string }[] };
    };
    expect(question.element.type).toBe('static_select');
    expect(question.element.options.map((o) => [o.value, o.text.text])).toEqual([
      ['1', '1 · Strongly disagree'],
      ['2', '2 · Disagree'],
      ['3', '3 · Neither'],
      ['4', '4 · Agree'],
      ['5', '5 · Strongly agree'],
    ]);
  });
});

describe('the comment', () => {
  it('tells its author it is quoted word for word, without their name, under the survey’s threshold', () => {
    const view = pulseModal({
      pulseId: 7,
      questions: longest,
      closesAt: '2026-11-19T08:00:00Z',
      timezone: 'Europe/Berlin',
      askDiscipline: false,
      threshold: 5,
    });
    const comment = view.blocks.find((b) => b.block_id === 'comment') as {
      hint?: { text: string };
    };
    expect(comment.hint?.text).toBe(
      'Quoted word for word in the digest, without your name, once 5 or more answer.',
    );
    expect(JSON.stringify(view.blocks)).toContain('only scores of 5 or more people show');
  });
});
