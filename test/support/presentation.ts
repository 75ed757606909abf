/**
 * How a message reads, checked the way a person would notice: text Slack may
 * fold behind "Show more", a colour dot, code spans (the old sparklines
 * rendered as red pills), and how tall it stands on a phone.
 *
 * Slack does not publish when it folds a section's text; it folds long ones
 * unless the section sets `expand: true`. Observed on the first version: a
 * 9-line section showed 5 lines on a desktop and 3 on a phone. So a section
 * that does not say `expand` must stay within 3 short lines, and a field
 * (shown half-width) within 2 lines of a phone's half column.
 */
export const FOLD_LIMIT = { lines: 3, chars: 200 };
export const FIELD_LIMIT = { lines: 2, chars: 80 };

interface Text {
  type?: string;
  text?: string;
}
interface Block {
  type?: string;
  text?: Text;
  fields?: Text[];
  expand?: boolean;
  elements?: Text[];
  block_id?: string;
}

const tooLong = (text: string, limit: { lines: number; chars: number }) =>
  text.split('\n').length > limit.lines || [...text].length > limit.chars;

/** Each section or field Slack may fold, by its start; empty when nothing folds. */
export function foldRisks(blocks: readonly unknown[]): string[] {
  const risks: string[] = [];
  for (const block of blocks as Block[]) {
    if (block.type !== 'section') continue;
    const text = block.text?.text ?? '';
    if (block.expand !== true && tooLong(text, FOLD_LIMIT))
      risks.push(`section: ${text.slice(0, 60)}…`);
    for (const field of block.fields ?? [])
      if (tooLong(field.text ?? '', FIELD_LIMIT))
        risks.push(`field: ${(field.text ?? '').slice(0, 60)}…`);
  }
  return risks;
}

/** All the text a person reads in these blocks, in order, fields joined by " | ". */
export function readText(blocks: readonly unknown[]): string {
  return (blocks as Block[])
    .flatMap((b) => [
      b.text?.text ?? '',
      (b.fields ?? []).map((f) => f.text ?? '').join(' | '),
      (b.elements ?? []).map((e) => (typeof e.text === 'string' ? e.text : '')).join(' '),
    ])
    .filter((t) => t !== '')
    .join('\n');
}

/**
 * Every traffic-light dot in the text. None is wanted: a colour that follows a
 * score flips between red and yellow on noise alone, while the words beside it
 * say nothing changed.
 */
export function colourDots(blocks: readonly unknown[]): string[] {
  return [...readText(blocks).matchAll(/🟢|🟡|🔴/gu)].map((m) => m[0]);
}

/** Code spans in the text (the old sparklines were code spans): Slack draws them as red pills. */
export function codeSpans(blocks: readonly unknown[]): string[] {
  return [...readText(blocks).matchAll(/`[^`\n]+`/g)].map((m) => m[0]);
}

/**
 * How tall a message is on a phone 375 pt wide (iPhone 12 mini: about 640 pt of
 * a channel shows between its header and the composer), roughly, from what
 * Slack's mobile client draws: message text in 15 pt SF (about 7.3 pt a
 * character) beside the avatar, on about 295 pt — 40 characters a line, 21 pt
 * high (25 where a button sits beside the text), a field half of that (18);
 * context text 12 pt, about 50 characters on lines of 16 pt; a header 30 pt, a
 * divider 17, an actions row 40, a chart about 250; 8 pt between blocks. A
 * mention or a channel counts as its name, a date as its fallback.
 */
export const PHONE_SCREEN = 640;

function shownText(text: string): string {
  return text
    .replace(/<!date\^[^|>]+\|([^>]+)>/g, '$1')
    .replace(/<@[A-Z0-9]+(\|[^>]*)?>/g, '@someone')
    .replace(/<#[A-Z0-9]+(\|[^>]*)?>/g, '#leadership')
    .replace(/<[^|>]+\|([^>]+)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/[*_`]/g, '');
}

const wrapped = (text: string, perLine: number) =>
  shownText(text)
    .split('\n')
    .reduce((n, line) => n + Math.max(1, Math.ceil([...line].length / perLine)), 0);

interface PhoneBlock extends Block {
  accessory?: unknown;
  type?: string;
}

export function phoneHeight(blocks: readonly unknown[]): number {
  let height = 0;
  for (const block of blocks as PhoneBlock[]) {
    height += 8;
    switch (block.type) {
      case 'header':
        height += 30;
        break;
      case 'divider':
        height += 17;
        break;
      case 'actions':
        height += 40;
        break;
      case 'data_visualization':
        height += 250;
        break;
      case 'context':
        height +=
          16 *
          (block.elements ?? []).reduce(
            (n, e) => n + (typeof e.text === 'string' ? wrapped(e.text, 50) : 1),
            0,
          );
        break;
      case 'section': {
        const beside = block.accessory !== undefined;
        if (block.text?.text !== undefined)
          height += 21 * wrapped(block.text.text, beside ? 25 : 40) + (beside ? 8 : 0);
        const fields = block.fields ?? [];
        for (let i = 0; i < fields.length; i += 2)
          height += 21 * Math.max(...fields.slice(i, i + 2).map((f) => wrapped(f.text ?? '', 17)));
        break;
      }
      default:
        height += 21;
    }
  }
  return height;
}
