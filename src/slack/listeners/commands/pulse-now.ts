import { nextDueAt, parseCronExpression } from '../../../domain/schedule.js';
import { slackTime } from '../../../domain/time-format.js';
import { openPulse } from '../../../jobs/open-pulse.js';
import { respondentCount } from '../../../storage/answers.js';
import { findPulseMessage, openPulseOf } from '../../../storage/pulses.js';
import { findOrCreateSurvey } from '../../../storage/surveys.js';
import { personInfo } from '../../admins.js';
import { tenantOf } from '../../tenant.js';
import { type CommandHandler, reply } from './command-handler.js';

/**
 * `/alignment pulse now` (admins, in a leadership channel): opens a pulse there
 * at once, creating the channel's survey with the defaults when it has none.
 */
export const pulseNow: CommandHandler<{ name: 'pulse-now' }> = async (
  ctx,
  { command, context, respond },
) => {
  const teamId = tenantOf(context);
  if (!/^[CG]/.test(command.channel_id)) {
    await reply(
      respond,
      'Run `/alignment pulse now` in the leadership channel that should get the pulse, not in a direct message.',
    );
    return;
  }
  const admin = await personInfo(ctx, teamId, command.user_id);
  const survey = await findOrCreateSurvey(ctx.db, {
    teamId,
    channelId: command.channel_id,
    timezone: admin.timezone ?? ctx.config.defaultTimezone,
    createdBy: command.user_id,
    at: ctx.now(),
  });
  const open = await openPulseOf(ctx.db, survey.id, ctx.now());
  const kind = survey.delivery === 'dm' ? 'notice' : 'channel';
  const posted =
    open !== undefined &&
    (await findPulseMessage(ctx.db, open.id, kind, { channelId: command.channel_id }));
  if (open !== undefined && posted !== undefined) {
    const answered = await respondentCount(ctx.db, open.id);
    await reply(
      respond,
      `A pulse is already open here until ${slackTime(open.closesAt, survey.timezone)} (${answered} answered so far). The next one can start after it closes.`,
    );
    return;
  }
  // An open pulse that could not be posted (the bot was not in the channel yet) is posted now.
  const opened = await openPulse(
    ctx,
    survey,
    open === undefined ? ctx.now() : new Date(open.dueAt),
  );
  const closes = slackTime(opened.pulse.closesAt, survey.timezone);
  const how =
    survey.delivery === 'dm'
      ? `sent by DM to ${opened.recipients} ${opened.recipients === 1 ? 'leader' : 'leaders'}`
      : `posted in <#${command.channel_id}>`;
  const lines = [`Pulse ${how}: ${opened.questionCount} questions, open until ${closes}.`];
  // One pulse at a time: say which scheduled pulse this one stands in for.
  const spec = parseCronExpression(survey.pulseCron);
  const next = spec.ok ? nextDueAt(spec.value, survey.timezone, ctx.now()) : undefined;
  if (next !== undefined && next.toISOString() < opened.pulse.closesAt)
    lines.push(
      `The scheduled pulse of ${slackTime(next, survey.timezone)} will be skipped: this one is still open then.`,
    );
  for (const problem of opened.problems) lines.push(`:warning: ${problem.advice}`);
  await reply(respond, lines.join('\n'));
};
