import type { Context } from '@slack/bolt';

/**
 * The tenant a request belongs to, as the app's first middleware found it: the
 * workspace, or the Enterprise Grid org whose org-wide installation serves it.
 * Surveys, answers and everything else are kept by tenant, so a person of an
 * org is one person whichever of its workspaces they click from.
 */
export function tenantOf(context: Context): string {
  const tenant = context.tenantId;
  if (typeof tenant !== 'string') throw new Error('a listener ran before the tenant was known');
  return tenant;
}
