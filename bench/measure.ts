import { readFileSync } from 'node:fs';
import type { Engine } from '../src/storage/store.js';

/** A part of the benchmark report: a titled table of figures. */
export interface Section {
  title: string;
  /** The heads of the figures' columns, between "measure" and "note": ["figure"] unless given. */
  columns?: string[];
  /** [what, ...a figure a column, note] */
  rows: string[][];
  /** Said under the table, if anything. */
  footnote?: string;
}

/** A section as Markdown: its title, its table and its footnote. */
export function markdown(section: Section): string {
  const columns = section.columns ?? ['figure'];
  const lines = [
    `## ${section.title}`,
    '',
    `| measure | ${columns.join(' | ')} | note |`,
    `|---|${columns.map(() => '---|').join('')}---|`,
    ...section.rows.map((row) => `| ${row.join(' | ')} |`),
  ];
  if (section.footnote !== undefined) lines.push('', section.footnote);
  return lines.join('\n');
}

/** The engines a benchmark runs on: both, or the one BENCH_ENGINE names (sqlite or postgres). */
export function benchEngines(): Engine[] {
  const chosen = process.env.BENCH_ENGINE;
  if (chosen === undefined || chosen === '') return ['sqlite', 'postgres'];
  if (chosen !== 'sqlite' && chosen !== 'postgres')
    throw new Error(`BENCH_ENGINE is sqlite or postgres, not ${chosen}`);
  return [chosen];
}

export const engineName = (engine: Engine) => (engine === 'sqlite' ? 'SQLite' : 'Postgres');

/** BENCH_PROFILE_DIR=folder: Node flags that write a CPU profile of the app there, to see where time goes. */
export function profilingArgs(): string[] {
  const dir = process.env.BENCH_PROFILE_DIR;
  return dir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** Resident memory of a process in bytes, from /proc (Linux); NaN where it cannot be read. */
export function residentBytes(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) * 1024;
  } catch {
    return Number.NaN;
  }
}

/** Resident memory of a process, as "84 MB". */
export const residentMemory = (pid: number | undefined) => {
  const bytes = residentBytes(pid);
  return Number.isNaN(bytes) ? 'unknown' : megabytes(bytes);
};
