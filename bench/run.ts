import { cpus, loadavg, totalmem } from 'node:os';
import { closingBenchmark } from './closing.js';
import { commandsBenchmark } from './commands.js';
import { digestBenchmark } from './digest.js';
import { dmBenchmark } from './dm.js';
import { fanoutBenchmark } from './fanout.js';
import { interactionsBenchmark } from './interactions.js';
import { markdown, megabytes, type Section } from './measure.js';
import { memoryBenchmark } from './memory.js';
import { validityBenchmark } from './validity.js';

const BENCHMARKS: Record<string, () => Promise<Section>> = {
  interactions: interactionsBenchmark,
  commands: commandsBenchmark,
  digest: digestBenchmark,
  dm: dmBenchmark,
  fanout: fanoutBenchmark,
  closing: closingBenchmark,
  memory: memoryBenchmark,
  validity: validityBenchmark,
};

/**
 * `npm run bench`: every benchmark in one run on one machine, printed as
 * Markdown tables. `npm run bench -- digest` runs only the ones named. Those
 * that store data run on SQLite and on Postgres (a server of their own, the
 * embedded one the tests use, with its default settings), side by side;
 * BENCH_ENGINE=sqlite or postgres runs them on that one only.
 */
async function main(): Promise<void> {
  const started = Date.now();
  const chosen = process.argv.slice(2);
  const unknown = chosen.filter((name) => !(name in BENCHMARKS));
  if (unknown.length > 0)
    throw new Error(
      `No benchmark called ${unknown.join(', ')}. Choose from: ${Object.keys(BENCHMARKS).join(', ')}.`,
    );
  const sections: Section[] = [];
  for (const [name, run] of Object.entries(BENCHMARKS))
    if (chosen.length === 0 || chosen.includes(name)) {
      sections.push(await run());
      // Other work on the machine shows here: the load average as each one ended.
      console.error(
        `${name} done at ${new Date().toISOString()}, load average ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}`,
      );
    }
  sections.push({
    title: 'Memory',
    rows: [
      [
        'the benchmark process after the whole run',
        megabytes(process.memoryUsage().rss),
        'the stand-in, the load and the digest database; the app’s own memory is in the interactions table',
      ],
    ],
  });
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${megabytes(totalmem())} RAM, Node ${process.version}`;
  const lines = [
    `# Alignment Pulse benchmark`,
    '',
    `Machine: ${machine}`,
    `Command: npm run bench${chosen.length > 0 ? ` -- ${chosen.join(' ')}` : ''}`,
    '',
  ];
  for (const section of sections) lines.push(markdown(section), '');
  lines.push(
    `Peak resident memory of the benchmark process: ${megabytes(process.resourceUsage().maxRSS * 1024)}.`,
  );
  lines.push(`Total time: ${((Date.now() - started) / 1000).toFixed(0)} s.`);
  console.log(lines.join('\n'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
