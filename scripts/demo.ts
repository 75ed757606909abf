import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { renderTrendChart } from '../src/charts/trend-chart.js';
import type { DigestChart } from '../src/domain/digest.js';
import { projectRoot } from '../src/paths.js';
import type { DataVisualizationBlock } from '../src/views/digest.js';
import { ADMIN, EXEC, LEADERS, LEADERSHIP, runQuarter } from '../test/support/quarter.js';
import { startTestApp } from '../test/support/test-app.js';
import { blocksToMarkdown } from './render-blocks.js';

/** The digest's chart as the fallback renderer takes it, read back from the block Slack draws. */
function chartOf(block: DataVisualizationBlock): DigestChart {
  const weeks = block.chart.axis_config.categories;
  return {
    title: block.title,
    weeks,
    lines: block.chart.series.map((series, i) => ({
      name: series.name,
      kind: i === 0 ? 'index' : series.name.endsWith('Product side') ? 'product' : 'engineering',
      values: weeks.map((week) => series.data.find((d) => d.label === week)?.value ?? null),
    })),
  };
}

/**
 * `npm run demo`: the real app (what `npm start` runs) against the local Slack
 * stand-in on 127.0.0.1 — no Slack, no network. Twelve weekly pulses answered by
 * fifteen leaders through the button, the form and the submission, signed as
 * Slack signs them; the app's own scheduler moves time on an injected clock.
 * Writes what Slack would show into demo-output/.
 */
async function main(): Promise<void> {
  const started = Date.now();
  const clock = { now: new Date('2026-10-01T09:00:00Z') };
  const t = await startTestApp({
    now: () => clock.now,
    schedule: false,
    env: { ADMIN_USER_IDS: ADMIN, LOG_LEVEL: 'warn' },
  });
  try {
    console.log('Running a quarter of Alignment Pulse: 15 leaders, 12 weekly pulses…');
    const quarter = await runQuarter(t, clock);
    const digest = t.standIn.messagesIn(EXEC).at(-1);
    if (digest === undefined) throw new Error('no digest was posted');
    await t.slack.event({
      type: 'app_home_opened',
      user: ADMIN,
      channel: 'D0CPOHOME',
      tab: 'home',
      event_ts: '1.000001',
    });
    await t.app.idle();
    const home = t.standIn.homeViews.get(ADMIN);

    const names: Record<string, string> = {
      [LEADERSHIP]: 'leadership',
      [EXEC]: 'exec',
      [ADMIN]: 'Chris',
    };
    for (const leader of LEADERS) names[leader.id] = leader.name;
    const out = join(projectRoot, 'demo-output');
    mkdirSync(out, { recursive: true });
    writeFileSync(
      join(out, 'digest.json'),
      `${JSON.stringify({ text: digest.text, blocks: digest.blocks }, null, 2)}\n`,
    );
    writeFileSync(
      join(out, 'digest.md'),
      `<!-- The digest posted to #exec, as Slack shows it; its chart is Slack's own, drawn in chart.png as the fallback picture would be. -->\n\n${blocksToMarkdown(digest.blocks, names, 'chart.png')}`,
    );
    // The picture the app uploads when Slack refuses the native chart, of the same lines.
    const block = (digest.blocks as DataVisualizationBlock[]).find(
      (b) => b.type === 'data_visualization',
    );
    if (block === undefined) throw new Error('the digest has no chart');
    writeFileSync(join(out, 'chart.png'), await renderTrendChart(chartOf(block)));
    writeFileSync(
      join(out, 'home.md'),
      `<!-- The App Home of Chris, an admin. -->\n\n${blocksToMarkdown((home?.blocks as unknown[]) ?? [], names)}`,
    );

    const problems = t.standIn.violations();
    const calls = t.standIn.calls.length;
    console.log(
      `\n${quarter.answers.length} answers from ${LEADERS.length} leaders over 12 weeks; ${calls} Slack calls, ${problems.length} rejected by Slack's checks.`,
    );
    console.log('\nWhat Slack would show is in:');
    for (const file of ['digest.md', 'digest.json', 'chart.png', 'home.md'])
      console.log(`  ${relative(process.cwd(), join(out, file)) || file}`);
    console.log(`\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    if (problems.length > 0) {
      console.error(problems.join('\n'));
      process.exitCode = 1;
    }
  } finally {
    await t.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
