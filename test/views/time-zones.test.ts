import { describe, expect, it } from 'vitest';
import { timeZoneMenu } from '../../src/views/time-zones.js';

const winter = new Date('2026-11-20T12:00:00Z');
const summer = new Date('2026-07-01T12:00:00Z');
const everyOption = (m: ReturnType<typeof timeZoneMenu>) =>
  m.option_groups.flatMap((g) => g.options);

describe('the time-zone menu of the setup form', () => {
  it('chooses the admin’s own zone, also when Slack gives an old alias of it', () => {
    expect(timeZoneMenu('Europe/Berlin', winter).initial_option?.text.text).toBe(
      'Berlin, Hamburg, Munich · Germany · GMT+1',
    );
    expect(timeZoneMenu('Europe/Berlin', summer).initial_option?.text.text).toContain('GMT+2');
    expect(timeZoneMenu('Asia/Calcutta', winter).initial_option?.value).toBe('Asia/Kolkata');
    expect(timeZoneMenu('Europe/Kiev', winter).initial_option?.value).toBe('Europe/Kyiv');
    expect(timeZoneMenu('UTC', winter).initial_option?.value).toBe('UTC');
  });

  it('keeps a zone it does not list, so a survey on one opens unchanged', () => {
    const menu = timeZoneMenu('Etc/GMT+5', winter);
    expect(menu.initial_option).toEqual({
      text: { type: 'plain_text', text: 'Etc/GMT+5 · GMT-5' },
      value: 'Etc/GMT+5',
    });
    expect(menu.option_groups.at(-1)?.label.text).toBe('Other');
  });

  it('stays within Slack’s limits: 100 options a group, 75 characters an option, unique values', () => {
    const menu = timeZoneMenu('America/New_York', winter);
    const options = everyOption(menu);
    expect(options.length).toBeGreaterThan(300);
    expect(menu.option_groups.length).toBeLessThanOrEqual(100);
    for (const group of menu.option_groups) expect(group.options.length).toBeLessThanOrEqual(100);
    for (const o of options) expect([...o.text.text].length).toBeLessThanOrEqual(75);
    expect(new Set(options.map((o) => o.value)).size).toBe(options.length);
    expect(menu.option_groups.map((g) => g.label.text)).toEqual([
      'Africa',
      'Antarctica',
      'Asia',
      'Europe',
      'North America',
      'Oceania',
      'South America',
      'Other',
    ]);
  });
});
