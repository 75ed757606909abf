import type { Db } from './database.js';

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
export function upsertWorkspace(
  db: Db,
  workspace: {
    teamId: string;
    name?: string | undefined;
    botUserId?: string | undefined;
    enterpriseId?: string | undefined;
    installedBy?: string | undefined;
  },
): void {
  db.prepare(
    `INSERT INTO workspaces (team_id, name, bot_user_id, enterprise_id, installed_by) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (team_id) DO UPDATE SET
       name = coalesce(excluded.name, name),
       bot_user_id = coalesce(excluded.bot_user_id, bot_user_id),
       enterprise_id = coalesce(excluded.enterprise_id, enterprise_id),
       installed_by = coalesce(excluded.installed_by, installed_by),
       uninstalled_at = NULL`,
  ).run(
    workspace.teamId,
    workspace.name ?? null,
    workspace.botUserId ?? null,
    workspace.enterpriseId ?? null,
    workspace.installedBy ?? null,
  );
}

export function getWorkspace(db: Db, teamId: string): Workspace | undefined {
  return db
    .prepare(
      `SELECT team_id AS teamId, name, bot_user_id AS botUserId, enterprise_id AS enterpriseId,
         installed_by AS installedBy, uninstalled_at AS uninstalledAt
       FROM workspaces WHERE team_id = ?`,
    )
    .get(teamId) as Workspace | undefined;
}

/** app_uninstalled / tokens_revoked: the tenant's schedules stop; its data stays for the grace period. */
export function markUninstalled(db: Db, teamId: string, at: Date): boolean {
  const result = db
    .prepare(
      'UPDATE workspaces SET uninstalled_at = ? WHERE team_id = ? AND uninstalled_at IS NULL',
    )
    .run(at.toISOString(), teamId);
  return result.changes > 0;
}
