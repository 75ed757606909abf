/**
 * The bot scopes the app asks for when installed by OAuth; manifest.yml grants
 * the same (a test checks), and the README says what each is for.
 */
export const BOT_SCOPES = [
  'commands',
  'chat:write',
  'channels:read',
  'groups:read',
  'im:write',
  'users:read',
  'files:write',
] as const;
