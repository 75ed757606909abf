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
  title?: string;
  chart?: {
    type?: string;
    series?: { name: string; data: { label: string; value: number }[] }[];
    axis_config?: { categories?: string[]; y_label?: string };
  };
}

/**
 * Slack's native chart as a table a person can read: a row a week, a column a
 * line, "—" where a line has no point (a week that shows nothing), and the
 * picture of it beside (`image`, when the demo draws one).
 */
function chartToMarkdown(block: Block, image: string | undefined): string {
  const series = block.chart?.series ?? [];
  const weeks = block.chart?.axis_config?.categories ?? [];
  const rows = weeks.map((week) => {
    const cells = series.map((s) => {
      const point = s.data.find((d) => d.label === week);
      return point === undefined ? '—' : String(point.value);
    });
    return `| ${week} | ${cells.join(' | ')} |`;
  });
  return [
    `**📈 ${block.title ?? ''}** (Slack's own line chart; ${block.chart?.axis_config?.y_label ?? ''})`,
    ...(image === undefined ? [] : ['', `![${block.title ?? 'chart'}](${image})`]),
    '',
    `| week of | ${series.map((s) => s.name).join(' | ')} |`,
    `|---|${series.map(() => '---:').join('|')}|`,
    ...rows,
  ].join('\n');
}

export function mrkdwnToMarkdown(text: string, names: Record<string, string> = {}): string {
  return text
    .replace(/<!date\^[^|>]+\|([^>]+)>/g, '$1')
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
  chartImage?: string,
): string {
  const out: string[] = [];
  for (const raw of blocks as Block[]) {
    const text = typeof raw.text === 'string' ? raw.text : raw.text?.text;
    switch (raw.type) {
      case 'header':
        out.push(`## ${text ?? ''}`);
        break;
      case 'section':
        if (text !== undefined)
          out.push(
            `${mrkdwnToMarkdown(text, names)}${elementText(raw.accessory, names)}`.replaceAll(
              '\n',
              '  \n',
            ),
          );
        if (raw.fields !== undefined && raw.fields.length > 0) {
          // Fields sit side by side in two columns: a row of two, as Slack draws them.
          const fields = raw.fields.map((f) => mrkdwnToMarkdown(f.text ?? '', names));
          const pairs: string[] = [];
          for (let i = 0; i < fields.length; i += 2)
            pairs.push(`| ${fields[i] ?? ''} | ${fields[i + 1] ?? ''} |`);
          out.push(['| | |', '|---|---|', ...pairs].join('\n'));
        }
        break;
      case 'data_visualization':
        out.push(chartToMarkdown(raw, chartImage));
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
