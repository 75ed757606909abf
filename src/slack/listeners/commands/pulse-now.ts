import type { AppContext } from '../../../context.js';
import { formatInZone } from '../../../domain/time-format.js';
import { openPulse } from '../../../jobs/open-pulse.js';
import { respondentCount } from '../../../storage/answers.js';
import { findPulseMessage, openPulseOf } from '../../../storage/pulses.js';
import { findOrCreateSurvey } from '../../../storage/surveys.js';
import { adminsOnly, isAdmin, personInfo } from '../../admins.js';
import type { Subcommand } from './alignment-command.js';

/**
 * `/alignment pulse now` (admins, in a leadership channel): opens a pulse there
 * at once, creating the channel's survey with the defaults when it has none.
 */
export const pulseNow: Subcommand = {
  name: 'pulse',
  usage: 'pulse now',
  summary: 'send a pulse to this channel now (sets the channel up the first time).',
  example: '/alignment pulse now',
  adminOnly: true,
  run: async (ctx: AppContext, { ack, command, respond }, rest) => {
    await ack();
    const reply = (text: string) => respond({ response_type: 'ephemeral', text });
    if (rest.trim().toLowerCase() !== 'now') {
      await reply('To send a pulse to this channel right away, type `/alignment pulse now`.');
      return;
    }
    if (!(await isAdmin(ctx, command.user_id))) {
      await reply(adminsOnly(ctx, 'send a pulse'));
      return;
    }
    if (!/^[CG]/.test(command.channel_id)) {
      await reply(
        'Run `/alignment pulse now` in the leadership channel that should get the pulse, not in a direct message.',
      );
      return;
    }
    const admin = await personInfo(ctx, command.user_id);
    const survey = findOrCreateSurvey(ctx.db, {
      teamId: command.team_id,
      channelId: command.channel_id,
      timezone: admin.timezone ?? ctx.config.defaultTimezone,
      createdBy: command.user_id,
    });
    const open = openPulseOf(ctx.db, survey.id, ctx.now());
    const kind = survey.delivery === 'dm' ? 'notice' : 'channel';
    const posted =
      open !== undefined &&
      findPulseMessage(ctx.db, open.id, kind, { channelId: command.channel_id });
    if (open !== undefined && posted !== undefined) {
      const answered = respondentCount(ctx.db, open.id);
      await reply(
        `A pulse is already open here until ${formatInZone(open.closesAt, survey.timezone)} (${answered} answered so far). The next one can start after it closes.`,
      );
      return;
    }
    // An open pulse that could not be posted (the bot was not in the channel yet) is posted now.
    const opened = await openPulse(
      ctx,
      survey,
      open === undefined ? ctx.now() : new Date(open.dueAt),
    );
    const closes = formatInZone(opened.pulse.closesAt, survey.timezone);
    const how =
      survey.delivery === 'dm'
        ? `sent by DM to ${opened.recipients} ${opened.recipients === 1 ? 'leader' : 'leaders'}`
        : `posted in <#${command.channel_id}>`;
    const lines = [`Pulse ${how}: ${opened.questionCount} questions, open until ${closes}.`];
    for (const problem of opened.problems) lines.push(`:warning: ${problem.advice}`);
    await reply(lines.join('\n'));
  },
};
