import { format } from 'date-fns/format';
import { openDm } from '../../../jobs/deliver.js';
import { weekTrends } from '../../../reports/calls.js';
import { closedWeeks } from '../../../reports/published.js';
import { workspaceAgreements } from '../../../storage/agreements.js';
import { listSurveys } from '../../../storage/surveys.js';
import { agreementsCsv, scoresCsv } from '../../../views/export-csv.js';
import { slackErrorCode } from '../../slack-errors.js';
import { tenantOf } from '../../tenant.js';
import { type CommandHandler, reply } from './command-handler.js';

const EXPORT_WEEKS = 52;

/**
 * `/alignment export` (admins): a year of closed weeks' published scores as CSV,
 * sent to the admin by DM. A pulse still open is never in it.
 */
export const exportCsv: CommandHandler<{ name: 'export' }> = async (
  ctx,
  { command, context, respond },
) => {
  const teamId = tenantOf(context);
  const surveys = await listSurveys(ctx.db, teamId);
  if (surveys.length === 0) {
    await reply(respond, 'There is nothing to export yet: no survey has run in this workspace.');
    return;
  }
  const parts: ReturnType<typeof scoresCsv>[] = [];
  for (const survey of surveys) {
    const { weeks, scores } = await closedWeeks(ctx, survey, EXPORT_WEEKS);
    const calls = await Promise.all(weeks.map((week) => weekTrends(ctx, survey, week)));
    parts.push(scoresCsv(survey.id, weeks, scores, calls));
  }
  // One header, then every survey's rows.
  const [header, ...rest] = parts.map((p) => p.csv.trimEnd().split('\n'));
  const csv = `${[...(header ?? []), ...rest.flatMap((lines) => lines.slice(1))].join('\n')}\n`;
  const rows = parts.reduce((sum, p) => sum + p.rows, 0);
  try {
    const slack = await ctx.slackFor(teamId);
    const channel = await openDm(slack, command.user_id);
    const agreements = agreementsCsv(
      await workspaceAgreements(ctx.db, teamId),
      (id) => surveys.find((s) => s.id === id)?.leadershipChannels[0],
    );
    const date = format(ctx.now(), 'yyyy-MM-dd');
    await slack.filesUploadV2({
      channel_id: channel,
      file_uploads: [
        {
          file: Buffer.from(csv, 'utf8'),
          filename: `alignment-scores-${date}.csv`,
          title: 'Alignment Pulse: weekly scores',
        },
        {
          file: Buffer.from(agreements.csv, 'utf8'),
          filename: `alignment-agreements-${date}.csv`,
          title: 'Alignment Pulse: agreements',
        },
      ],
      initial_comment: `Published scores of the closed weeks in the last ${EXPORT_WEEKS}: ${rows} rows. Groups of fewer than the anonymity threshold are left out, and a pulse still open is not included. And the ${agreements.rows} ${agreements.rows === 1 ? 'agreement' : 'agreements'} recorded, with their owners: they are not anonymous.`,
    });
    await reply(
      respond,
      `Sent you the export by DM: ${rows} rows of weekly scores, and ${agreements.rows} ${agreements.rows === 1 ? 'agreement' : 'agreements'} in a second file.`,
    );
  } catch (error) {
    ctx.logger.warn('export failed', { error: slackErrorCode(error) });
    await reply(
      respond,
      'Slack would not take the file just now. Please try `/alignment export` again in a minute.',
    );
  }
};
