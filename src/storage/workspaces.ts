import { firstRow, prepared } from './prepared.js';
import { changed, type Store } from './store.js';

/** A tenant: a workspace, or an Enterprise Grid org served by one org-wide installation. */
export interface Workspace {
  teamId: string;
  name: string | null;
  botUserId: string | null;
  /** The Enterprise Grid org it belongs to (for an org-wide tenant, its own id). */
  enterpriseId: string | null;
  /** Who installed the app there by OAuth: an admin of it in the app. */
  installedBy: string | null;
  uninstalledAt: string | null;
}

/**
 * Records the tenant an installation serves (from auth.test, or an OAuth
 * install); a reinstall clears the uninstall mark, so its schedules resume.
 */
export async function upsertWorkspace(
  db: Store,
  workspace: {
    teamId: string;
    name?: string | undefined;
    botUserId?: string | undefined;
    enterpriseId?: string | undefined;
    installedBy?: string | undefined;
  },
): Promise<void> {
  await db
    .insertInto('workspaces')
    .values({
      team_id: workspace.teamId,
      name: workspace.name ?? null,
      bot_user_id: workspace.botUserId ?? null,
      enterprise_id: workspace.enterpriseId ?? null,
      installed_by: workspace.installedBy ?? null,
    })
    .onConflict((oc) =>
      oc.column('team_id').doUpdateSet((eb) => ({
        name: eb.fn.coalesce('excluded.name', 'workspaces.name'),
        bot_user_id: eb.fn.coalesce('excluded.bot_user_id', 'workspaces.bot_user_id'),
        enterprise_id: eb.fn.coalesce('excluded.enterprise_id', 'workspaces.enterprise_id'),
        installed_by: eb.fn.coalesce('excluded.installed_by', 'workspaces.installed_by'),
        uninstalled_at: null,
      })),
    )
    .execute();
}

export async function getWorkspace(db: Store, teamId: string): Promise<Workspace | undefined> {
  return firstRow(workspaceOf(db, teamId));
}

const workspaceOf = prepared((db, teamId: string) =>
  db
    .selectFrom('workspaces')
    .select([
      'team_id as teamId',
      'name',
      'bot_user_id as botUserId',
      'enterprise_id as enterpriseId',
      'installed_by as installedBy',
      'uninstalled_at as uninstalledAt',
    ])
    .where('team_id', '=', teamId),
);

/** app_uninstalled / tokens_revoked: the tenant's schedules stop; its data stays for the grace period. */
export async function markUninstalled(db: Store, teamId: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('workspaces')
    .set({ uninstalled_at: at.toISOString() })
    .where('team_id', '=', teamId)
    .where('uninstalled_at', 'is', null)
    .executeTakeFirst();
  return changed(result) > 0;
}
