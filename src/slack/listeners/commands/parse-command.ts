import { z } from 'zod';
import {
  DIMENSION_LABELS,
  DIMENSIONS,
  DISCIPLINES,
  type Dimension,
  type Discipline,
} from '../../../domain/dimensions.js';
import { closest } from '../../../domain/suggest.js';
import { escapeMrkdwn } from '../../../views/mrkdwn.js';

/** What `/alignment …` asks for, once its text is understood. */
export type Command =
  | { name: 'help' }
  | { name: 'score'; weeks: number }
  | { name: 'score-all' }
  | { name: 'trend'; dimension: Dimension | undefined; weeks: number }
  | { name: 'gap' }
  | { name: 'role'; discipline: Discipline; person: string | undefined }
  | { name: 'forget-me' }
  | { name: 'setup' }
  | { name: 'pulse-now' }
  | { name: 'digest-now' }
  | { name: 'export' }
  | { name: 'agree'; dimension: Dimension | undefined };

export type Parsed =
  | { ok: true; command: Command }
  | { ok: false; message: string; unknown?: boolean };

const weeksSchema = z.coerce
  .number({ error: 'a number of weeks' })
  .int('a whole number of weeks')
  .min(1, 'between 1 and 52 weeks')
  .max(52, 'between 1 and 52 weeks');

/** A dimension as one word, from the name every message uses: `shared-goals`, `one-voice`. */
export const dimensionWord = (d: Dimension) =>
  DIMENSION_LABELS[d].toLowerCase().replaceAll(' ', '-');

/** Dimension names as people type them: its name as one word, or its id (`tech_debt`, `techdebt`). */
const DIMENSION_WORDS = new Map<string, Dimension>(
  DIMENSIONS.flatMap((d) => [
    [dimensionWord(d), d],
    [DIMENSION_LABELS[d].toLowerCase().replaceAll(' ', ''), d],
    [d, d],
    [d.replaceAll('_', '-'), d],
    [d.replaceAll('_', ''), d],
  ]),
);

function parseWeeks(
  word: string,
  usage: string,
): { ok: true; weeks: number } | { ok: false; message: string } {
  const parsed = weeksSchema.safeParse(word);
  if (parsed.success) return { ok: true, weeks: parsed.data };
  return {
    ok: false,
    message: `"${shorten(word)}" is not ${parsed.error.issues[0]?.message ?? 'a number of weeks'}. Try \`${usage}\`.`,
  };
}

/** What someone typed, quoted back: shortened, and inert (no mention, link or @channel). */
function shorten(word: string): string {
  const chars = [...word];
  return escapeMrkdwn(chars.length > 30 ? `${chars.slice(0, 29).join('')}…` : word);
}

/** A user mention as Slack escapes it in a command: <@U0123ABC> or <@U0123ABC|dana>. */
const MENTION = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/;

/** A word that is not a dimension: the closest one suggested, and the list, by the names every message uses. */
function unknownDimension(word: string): { ok: false; message: string } {
  const guess = closest(word, [...DIMENSION_WORDS.keys()]);
  const guessed = guess === undefined ? undefined : DIMENSION_WORDS.get(guess);
  const hint =
    guessed === undefined
      ? ''
      : ` Did you mean ${DIMENSION_LABELS[guessed]} (\`${dimensionWord(guessed)}\`)?`;
  return {
    ok: false,
    message: `I don't know the dimension "${shorten(word)}".${hint} Type one as a word: ${DIMENSIONS.map((d) => `\`${dimensionWord(d)}\``).join(', ')}.`,
  };
}

const tooMany = (usage: string) => ({
  ok: false as const,
  message: `That is more than I expected. Try \`${usage}\`.`,
});

/** Understands the text after `/alignment`; a mistake gets a sentence that shows the right way. */
export function parseCommand(text: string): Parsed {
  const words = text
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '');
  const [first, ...rest] = words.map((w) => w.toLowerCase());
  switch (first) {
    case undefined:
    case 'help':
      return { ok: true, command: { name: 'help' } };
    case 'score': {
      const usage = '/alignment score 4';
      if (rest.length > 1) return tooMany(usage);
      if (rest[0] === undefined) return { ok: true, command: { name: 'score', weeks: 1 } };
      if (rest[0] === 'all') return { ok: true, command: { name: 'score-all' } };
      const weeks = parseWeeks(rest[0], usage);
      return weeks.ok ? { ok: true, command: { name: 'score', weeks: weeks.weeks } } : weeks;
    }
    case 'trend': {
      const usage = '/alignment trend tech_debt 12';
      if (rest.length > 2) return tooMany(usage);
      let dimension: Dimension | undefined;
      let weeks = 12;
      for (const word of rest) {
        if (/^[+-]?\d+([.,]\d+)?$/.test(word)) {
          const parsed = parseWeeks(word, usage);
          if (!parsed.ok) return parsed;
          weeks = parsed.weeks;
          continue;
        }
        const known = DIMENSION_WORDS.get(word);
        if (known === undefined || dimension !== undefined) return unknownDimension(word);
        dimension = known;
      }
      return { ok: true, command: { name: 'trend', dimension, weeks } };
    }
    case 'gap':
    case 'gaps':
      return rest.length > 0 ? tooMany('/alignment gap') : { ok: true, command: { name: 'gap' } };
    case 'role': {
      const usage = '/alignment role engineering';
      // With the manifest's should_escape, Slack sends a mention as <@U123|name>.
      const original = words.slice(1);
      const mentions = original.filter((w) => MENTION.test(w));
      const others = original.filter((w) => !MENTION.test(w)).map((w) => w.toLowerCase());
      if (others.some((w) => w.startsWith('@'))) {
        return {
          ok: false,
          message:
            'I could not tell who that is. Pick the person from the list Slack offers as you type @, so the name turns into a mention, e.g. `/alignment role @Dana engineering`.',
        };
      }
      if (mentions.length > 1) return tooMany('/alignment role @person engineering');
      const [word, ...extra] = others;
      if (word === undefined) {
        return {
          ok: false,
          message: `Say which discipline you are in: ${DISCIPLINES.map((d) => `\`${d}\``).join(', ')}. For example \`${usage}\`.`,
        };
      }
      if (extra.length > 0) return tooMany(usage);
      const person = mentions[0] === undefined ? undefined : MENTION.exec(mentions[0])?.[1];
      const discipline = z.enum(DISCIPLINES).safeParse(word);
      if (discipline.success)
        return { ok: true, command: { name: 'role', discipline: discipline.data, person } };
      const guess = closest(word, DISCIPLINES);
      const hint = guess === undefined ? '' : ` Did you mean \`${guess}\`?`;
      return {
        ok: false,
        message: `"${shorten(word)}" is not a discipline.${hint} Choose one of ${DISCIPLINES.map((d) => `\`${d}\``).join(', ')}.`,
      };
    }
    case 'forget-me':
    case 'forgetme':
      return rest.length > 0
        ? tooMany('/alignment forget-me')
        : { ok: true, command: { name: 'forget-me' } };
    case 'setup':
      return rest.length > 0
        ? tooMany('/alignment setup')
        : { ok: true, command: { name: 'setup' } };
    case 'pulse':
    case 'digest': {
      if (rest.length !== 1 || rest[0] !== 'now') {
        return {
          ok: false,
          message: `To send the ${first} right away, type \`/alignment ${first} now\`.`,
        };
      }
      return { ok: true, command: { name: first === 'pulse' ? 'pulse-now' : 'digest-now' } };
    }
    case 'export':
      return rest.length > 0
        ? tooMany('/alignment export')
        : { ok: true, command: { name: 'export' } };
    case 'agree':
    case 'agreement': {
      if (rest.length > 1) return tooMany('/alignment agree tech_debt');
      if (rest[0] === undefined)
        return { ok: true, command: { name: 'agree', dimension: undefined } };
      const known = DIMENSION_WORDS.get(rest[0]);
      return known === undefined
        ? unknownDimension(rest[0])
        : { ok: true, command: { name: 'agree', dimension: known } };
    }
    default: {
      const names = [
        'help',
        'score',
        'trend',
        'gap',
        'role',
        'forget-me',
        'setup',
        'pulse',
        'digest',
        'export',
        'agree',
      ];
      const guess = closest(first, names);
      const hint = guess === undefined ? '' : ` Did you mean \`/alignment ${guess}\`?`;
      return {
        ok: false,
        unknown: true,
        message: `I don't know "${shorten(words[0] ?? first)}".${hint}`,
      };
    }
  }
}
