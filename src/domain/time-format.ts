import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns/format';

/**
 * A moment as plain text, in the survey's time zone, for places Slack shows
 * text as it is (form errors, notifications): "Thu 26 Nov at 09:00 (Berlin time)".
 */
export function formatInZone(at: Date | string, timezone: string): string {
  const local = new TZDate(new Date(at).getTime(), timezone);
  return `${format(local, "EEE d MMM 'at' HH:mm")} (${zoneName(timezone)})`;
}

/** A time zone as people say it: "Berlin time", "New York time", "UTC". */
export function zoneName(timezone: string): string {
  if (timezone === 'UTC' || timezone === 'Etc/UTC') return 'UTC';
  return `${timezone.split('/').at(-1)?.replaceAll('_', ' ') ?? timezone} time`;
}

/**
 * A moment as Slack formats it for each reader, in their own time zone
 * ("Thu, Nov 26 at 9:00 AM" for one, "Thu 26 Nov at 09:00" for another), with
 * the survey's local time as the fallback for clients that cannot. For mrkdwn only.
 */
export function slackTime(at: Date | string, timezone: string): string {
  const seconds = Math.floor(new Date(at).getTime() / 1000);
  return `<!date^${seconds}^{date_short_pretty} at {time}|${formatInZone(at, timezone)}>`;
}
