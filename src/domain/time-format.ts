import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';

/** "Thu 27 Nov at 09:00 (Europe/Berlin)": a moment as the survey's leaders read it. */
export function formatInZone(at: Date | string, timezone: string): string {
  const local = new TZDate(new Date(at).getTime(), timezone);
  return `${format(local, "EEE d MMM 'at' HH:mm")} (${timezone})`;
}
