import { readFileSync } from 'node:fs';

/** A part of the benchmark report: a titled table of figures. */
export interface Section {
  title: string;
  /** [what, figure, note] */
  rows: [string, string, string][];
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
