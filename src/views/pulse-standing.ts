import { DISCIPLINE_LABELS, type Discipline } from '../domain/dimensions.js';

/**
 * What a person is told when a pulse cannot count them: the rule, and what to
 * do instead. Plain enough for a modal's error line (`inMrkdwn` false: no
 * channel link, which a form's error cannot show).
 */

/** They answered another survey's pulse this week. */
export function answeredElsewhere(channelId: string | undefined, inMrkdwn = true): string {
  const where =
    inMrkdwn && channelId !== undefined
      ? `this week's pulse in <#${channelId}>`
      : "this week's pulse of another leadership channel";
  return `You answered ${where}. A leader counts in one survey a week, so that no two surveys' scores can be told apart by one person's answers. Your answers there stand, and you can change them there until it closes.`;
}

/**
 * This pulse went out before they were on its list (they joined the channel
 * since, or asked to be forgotten), or before the discipline they chose since.
 */
export function notCountedHere(discipline: Discipline | undefined): string {
  if (discipline !== undefined)
    return `Your discipline, ${DISCIPLINE_LABELS[discipline]}, counts from the next pulse: you chose it after this one went out without you on its list, so this one cannot count you.`;
  return 'This pulse went out before you were on its list (you joined the channel since, or asked to be forgotten), so it cannot count you. The next one will: choose your discipline in the App Home before it comes. An admin can count you in this one by setting your discipline for you.';
}
