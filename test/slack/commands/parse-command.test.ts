import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../src/slack/listeners/commands/parse-command.js';

describe('parseCommand', () => {
  it.each([
    ['', { name: 'help' }],
    ['help', { name: 'help' }],
    ['  HELP ', { name: 'help' }],
    ['score', { name: 'score', weeks: 1 }],
    ['score 4', { name: 'score', weeks: 4 }],
    ['trend', { name: 'trend', dimension: undefined, weeks: 12 }],
    ['trend tech_debt', { name: 'trend', dimension: 'tech_debt', weeks: 12 }],
    ['trend tech-debt 8', { name: 'trend', dimension: 'tech_debt', weeks: 8 }],
    ['trend 52 roadmap', { name: 'trend', dimension: 'roadmap', weeks: 52 }],
    ['trend one-roadmap 3', { name: 'trend', dimension: 'roadmap', weeks: 3 }],
    ['gap', { name: 'gap' }],
    ['role Engineering', { name: 'role', discipline: 'engineering' }],
    ['forget-me', { name: 'forget-me' }],
    ['setup', { name: 'setup' }],
    ['pulse now', { name: 'pulse-now' }],
    ['digest now', { name: 'digest-now' }],
    ['export', { name: 'export' }],
  ])('understands "%s"', (text, command) => {
    expect(parseCommand(text)).toEqual({ ok: true, command });
  });

  it.each([
    ['score 0', '"0" is not between 1 and 52 weeks. Try `/alignment score 4`.'],
    ['score 53', '"53" is not between 1 and 52 weeks.'],
    ['score 2.5', '"2.5" is not a whole number of weeks.'],
    ['score lots', '"lots" is not a number of weeks.'],
    ['score 4 5', 'That is more than I expected. Try `/alignment score 4`.'],
    ['trend techdebt 0', '"0" is not between 1 and 52 weeks.'],
    [
      'trend tech_dept',
      'I don\'t know the dimension "tech_dept". Did you mean Tech debt (`tech-debt`)?',
    ],
    ['trend roadmpa 4', 'Did you mean One roadmap (`one-roadmap`)?'],
    ['trend okrs roadmap', 'I don\'t know the dimension "roadmap".'],
    ['trend a b c', 'That is more than I expected.'],
    [
      'role',
      'Say which discipline you are in: `product`, `engineering`, `design`, `program`, `other`.',
    ],
    ['role enginering', '"enginering" is not a discipline. Did you mean `engineering`?'],
    ['role marketing', '"marketing" is not a discipline. Choose one of'],
    ['role product manager', 'That is more than I expected. Try `/alignment role engineering`.'],
    ['pulse', 'To send the pulse right away, type `/alignment pulse now`.'],
    ['digest later', 'To send the digest right away, type `/alignment digest now`.'],
    ['gap please', 'That is more than I expected. Try `/alignment gap`.'],
    ['scroe', 'I don\'t know "scroe". Did you mean `/alignment score`?'],
    ['🙈🙈🙈', 'I don\'t know "🙈🙈🙈".'],
  ])('answers "%s" with a way to write it right', (text, message) => {
    const parsed = parseCommand(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toContain(message);
  });

  it('keeps its answer short however long the text', () => {
    const parsed = parseCommand(`trend ${'x'.repeat(3000)}`);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message.length).toBeLessThan(300);
  });
});
