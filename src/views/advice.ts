/** What an admin should do about a delivery that failed for good, in one sentence. */
export function adviceFor(code: string, channelId: string | undefined): string {
  const channel = channelId === undefined ? 'the channel' : `<#${channelId}>`;
  switch (code) {
    case 'not_in_channel':
      return `Invite the bot to ${channel} (type \`/invite @Alignment Pulse\` there).`;
    case 'channel_not_found':
      return `${channel} no longer exists or is private without the bot: pick another channel in \`/alignment setup\`.`;
    case 'is_archived':
      return `${channel} is archived: unarchive it or pick another channel in \`/alignment setup\`.`;
    case 'invalid_auth':
    case 'account_inactive':
    case 'token_revoked':
      return 'The bot token no longer works: reinstall the app and update SLACK_BOT_TOKEN.';
    case 'not_installed':
      return 'Alignment Pulse is no longer installed in this workspace: reinstall it to resume (its data is kept for a while).';
    case 'token_refresh_failed':
      return "Slack would not renew the app's access to this workspace. It keeps trying; if this lasts, reinstall Alignment Pulse.";
    case 'ratelimited':
      return 'Slack asked the bot to slow down; it will try again.';
    default:
      return 'Slack could not be reached or refused the call; the bot will try again.';
  }
}
