/**
 * Block Kit as a person reads it, in Markdown: what the demo writes to
 * demo-output/ so a newcomer can read the digest and the App Home without Slack.
 */

interface Text {
  type?: string;
  text?: string;
}
interface Element {
  type?: string;
  text?: Text | string;
  placeholder?: Text;
  initial_option?: { text?: Text };
  elements?: Element[];
}
interface Block extends Element {
  fields?: Text[];
  accessory?: Element;
}

export function mrkdwnToMarkdown(text: string, names: Record<string, string> = {}): string {
  return text
    .replace(/<#([A-Z0-9]+)>/g, (_, id: string) => `#${names[id] ?? id}`)
    .replace(/<@([A-Z0-9]+)>/g, (_, id: string) => `@${names[id] ?? id}`)
    .replace(/(^|[\s(])\*([^*\n]+)\*/g, '$1**$2**')
    .replace(/(^|[\s(])_([^_\n]+)_/g, '$1*$2*')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

function elementText(e: Element | undefined, names: Record<string, string>): string {
  if (e === undefined) return '';
  if (e.type === 'button')
    return ` \`[ ${typeof e.text === 'string' ? e.text : (e.text?.text ?? '')} ]\``;
  if (e.type === 'static_select')
    return ` \`[ ${e.initial_option?.text?.text ?? e.placeholder?.text ?? 'choose'} ▾ ]\``;
  if (typeof e.text === 'string') return mrkdwnToMarkdown(e.text, names);
  return e.text?.text === undefined ? '' : mrkdwnToMarkdown(e.text.text, names);
}

export function blocksToMarkdown(
  blocks: readonly unknown[],
  names: Record<string, string> = {},
): string {
  const out: string[] = [];
  for (const raw of blocks as Block[]) {
    const text = typeof raw.text === 'string' ? raw.text : raw.text?.text;
    switch (raw.type) {
      case 'header':
        out.push(`## ${text ?? ''}`);
        break;
      case 'section':
        out.push(
          `${mrkdwnToMarkdown(text ?? '', names)}${elementText(raw.accessory, names)}`.replaceAll(
            '\n',
            '  \n',
          ),
        );
        for (const field of raw.fields ?? []) out.push(mrkdwnToMarkdown(field.text ?? '', names));
        break;
      case 'context':
        out.push(`<sub>${(raw.elements ?? []).map((e) => elementText(e, names)).join(' ')}</sub>`);
        break;
      case 'actions':
        out.push((raw.elements ?? []).map((e) => elementText(e, names).trim()).join(' '));
        break;
      case 'divider':
        out.push('---');
        break;
      default:
        break;
    }
  }
  return `${out.join('\n\n')}\n`;
}
