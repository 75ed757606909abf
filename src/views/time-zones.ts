import type { PlainTextOption } from '@slack/types';
import { getTimeZones } from '@vvo/tzdb';

/** Slack's limit on an option's text. */
const MAX_TEXT = 75;

/** "GMT+1" for Berlin in winter: the offset on the day the form opens, as the clocks read. */
function offsetOn(timezone: string, now: Date): string {
  try {
    const part = new Intl.DateTimeFormat('en-GB', {
      timeZone: timezone,
      timeZoneName: 'shortOffset',
    })
      .formatToParts(now)
      .find((p) => p.type === 'timeZoneName');
    return part?.value ?? 'GMT';
  } catch {
    return 'unknown offset';
  }
}

const option = (text: string, value: string): PlainTextOption => ({
  text: {
    type: 'plain_text',
    text: [...text].length > MAX_TEXT ? `${[...text].slice(0, MAX_TEXT - 1).join('')}…` : text,
  },
  value,
});

export interface TimeZoneMenu {
  option_groups: { label: { type: 'plain_text'; text: string }; options: PlainTextOption[] }[];
  initial_option: PlainTextOption | undefined;
}

/**
 * The world's time zones for Slack's select menu, one option a zone as people
 * know it ("Berlin, Hamburg, Munich · Germany · GMT+1"), grouped by continent
 * and found by typing a city or a country. The list is @vvo/tzdb's (kept up
 * to date with IANA, current names such as Asia/Kolkata and Europe/Kyiv, and
 * each zone's old aliases), so a survey or an admin on an alias still opens
 * with their zone chosen. UTC, and any zone the list does not have, go under
 * "Other".
 */
export function timeZoneMenu(initial: string, now: Date): TimeZoneMenu {
  const zones = getTimeZones({ includeUtc: false });
  const byContinent = new Map<string, { offset: number; option: PlainTextOption }[]>();
  let chosen: PlainTextOption | undefined;
  for (const zone of zones) {
    const cities = zone.mainCities.slice(0, 3).join(', ');
    const entry = option(
      `${cities} · ${zone.countryName} · ${offsetOn(zone.name, now)}`,
      zone.name,
    );
    const list = byContinent.get(zone.continentName) ?? [];
    list.push({ offset: zone.currentTimeOffsetInMinutes, option: entry });
    byContinent.set(zone.continentName, list);
    if (zone.name === initial || zone.group.includes(initial)) chosen = entry;
  }
  const groups: TimeZoneMenu['option_groups'] = [...byContinent.keys()].sort().map((name) => ({
    label: { type: 'plain_text', text: name },
    options: (byContinent.get(name) ?? [])
      .sort((a, b) => a.offset - b.offset || a.option.text.text.localeCompare(b.option.text.text))
      .map((e) => e.option),
  }));
  const other = [option('UTC · Coordinated Universal Time', 'UTC')];
  if (chosen === undefined && initial !== 'UTC')
    other.push(option(`${initial.replaceAll('_', ' ')} · ${offsetOn(initial, now)}`, initial));
  groups.push({ label: { type: 'plain_text', text: 'Other' }, options: other });
  chosen ??= other.find((o) => o.value === initial);
  return { option_groups: groups, initial_option: chosen };
}
