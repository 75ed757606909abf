import { cpus, totalmem } from 'node:os';
import { digestBenchmark } from './digest.js';
import { megabytes, type Section } from './measure.js';

/** `npm run bench`: every benchmark in one run on one machine, printed as Markdown tables. */
async function main(): Promise<void> {
  const started = Date.now();
  const sections: Section[] = [await digestBenchmark()];
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${megabytes(totalmem())} RAM, Node ${process.version}`;
  const lines = [
    `# Alignment Pulse benchmark`,
    '',
    `Machine: ${machine}`,
    `Command: npm run bench`,
    '',
  ];
  for (const section of sections) {
    lines.push(`## ${section.title}`, '', '| measure | figure | note |', '|---|---|---|');
    for (const [what, figure, note] of section.rows)
      lines.push(`| ${what} | ${figure} | ${note} |`);
    lines.push('');
  }
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
