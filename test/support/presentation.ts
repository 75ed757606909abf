/**
 * How a message reads, checked the way a person would notice: text Slack may
 * fold behind "Show more", a colour dot that disagrees with its number, code
 * spans (the old sparklines rendered as red pills).
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
 * Every colour dot beside a score that disagrees with the one rule (🟢 75 and
 * up, 🟡 60–74, 🔴 under 60), as "🔴 62"; and a dot with no score after it.
 */
export function colourRuleBreaks(blocks: readonly unknown[]): string[] {
  const text = readText(blocks).replace(/🟢 75 and up · 🟡 60–74 · 🔴 under 60/g, '');
  const breaks: string[] = [];
  const dots = [...text.matchAll(/🟢|🟡|🔴/g)].length;
  const pairs = [...text.matchAll(/(🟢|🟡|🔴)[^🟢🟡🔴⚪\n]*?\*(\d+)\*/gu)];
  if (pairs.length !== dots) breaks.push(`${dots - pairs.length} dots without a score`);
  for (const [, dot, number] of pairs) {
    const score = Number(number);
    const expected = score >= 75 ? '🟢' : score >= 60 ? '🟡' : '🔴';
    if (dot !== expected) breaks.push(`${dot} ${score}`);
  }
  return breaks;
}

/** Code spans in the text (the old sparklines were code spans): Slack draws them as red pills. */
export function codeSpans(blocks: readonly unknown[]): string[] {
  return [...readText(blocks).matchAll(/`[^`\n]+`/g)].map((m) => m[0]);
}
