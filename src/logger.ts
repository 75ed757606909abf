import type { Logger, LogLevel } from '@slack/bolt';
import type { LogLevelName } from './config.js';

const ORDER: Record<LogLevelName, number> = { debug: 10, info: 20, warn: 30, error: 40 };

const fromBolt = (level: LogLevel): LogLevelName => level as LogLevelName;

function render(part: unknown): string {
  if (typeof part === 'string') return part;
  if (part instanceof Error) return part.stack ?? part.message;
  try {
    return JSON.stringify(part);
  } catch {
    return String(part);
  }
}

/**
 * Debug lines of the Slack SDKs that print whole request or response bodies: a
 * form's state holds answers, a digest holds comments. They are cut to their
 * label, so even the most verbose log never holds what a leader gave.
 */
const PAYLOAD_DUMP =
  /^(http request (?:body|result|headers)|http response (?:body|headers))\b[^:]*:/;

/**
 * The app's one logger, handed to Bolt and to every module through the context.
 * One line per entry: time, level, source, message. Callers log events and ids,
 * never answer values or comment text.
 */
export function createLogger(
  level: LogLevelName,
  write: (line: string) => void = (line) => process.stdout.write(line),
  name = 'alignment-pulse',
): Logger {
  let threshold = level;
  let source = name;
  const emit = (at: LogLevelName, parts: unknown[]) => {
    if (ORDER[at] < ORDER[threshold]) return;
    let text = parts.map(render).join(' ');
    const dump = PAYLOAD_DUMP.exec(text);
    if (dump !== null) text = `${dump[0]} [left out: Slack payloads can hold answers and comments]`;
    write(`${new Date().toISOString()} ${at.toUpperCase().padEnd(5)} [${source}] ${text}\n`);
  };
  return {
    debug: (...parts) => emit('debug', parts),
    info: (...parts) => emit('info', parts),
    warn: (...parts) => emit('warn', parts),
    error: (...parts) => emit('error', parts),
    setLevel: (next) => {
      threshold = fromBolt(next);
    },
    getLevel: () => threshold as LogLevel,
    setName: (next) => {
      source = next;
    },
  };
}
