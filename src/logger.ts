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
 * What is kept of a line from the Slack SDKs (Bolt, the Web API client, the
 * Socket Mode client): everything before the first brace or bracket. The SDKs
 * print payloads as JSON — a Socket Mode envelope, a form's state, an ack, a
 * request body — and a payload can hold a leader's answers or comment, so no
 * JSON from them is ever written, at any level, in either mode. Their plain
 * words (what happened, state names, error codes) stay.
 */
export function withoutPayload(text: string): string {
  const at = text.search(/[{[]/);
  return at < 0 ? text : `${text.slice(0, at).trimEnd()} [payload left out]`;
}

export interface AppLogger extends Logger {
  /**
   * A logger for the Slack SDKs, writing to the same place at its own level
   * (Bolt sets it), that never writes a payload (see withoutPayload).
   */
  forSdk(): Logger;
}

/**
 * The app's one logger, handed to every module through the context. One line
 * per entry: time, level, source, message. Callers log events and ids, never
 * answer values or comment text; the SDKs get `forSdk()`, which cuts payloads.
 */
export function createLogger(
  level: LogLevelName,
  write: (line: string) => void = (line) => process.stdout.write(line),
  name = 'alignment-pulse',
): AppLogger {
  const make = (sdk: boolean, initial: LogLevelName): Logger => {
    let threshold = initial;
    let source = name;
    const emit = (at: LogLevelName, parts: unknown[]) => {
      if (ORDER[at] < ORDER[threshold]) return;
      let text = parts.map(render).join(' ');
      if (sdk) text = withoutPayload(text);
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
  };
  const app = make(false, level);
  return { ...app, forSdk: () => make(true, fromBolt(app.getLevel())) };
}
