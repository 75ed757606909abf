import type { Db } from './database.js';

export interface Workspace {
  teamId: string;
  name: string | null;
  botUserId: string | null;
  uninstalledAt: string | null;
}

/** Records the workspace the bot token belongs to; a reinstall clears the uninstall mark. */
export function upsertWorkspace(
  db: Db,
  workspace: { teamId: string; name?: string | undefined; botUserId?: string | undefined },
): void {
  db.prepare(
    `INSERT INTO workspaces (team_id, name, bot_user_id) VALUES (?, ?, ?)
     ON CONFLICT (team_id) DO UPDATE SET
       name = coalesce(excluded.name, name),
       bot_user_id = coalesce(excluded.bot_user_id, bot_user_id),
       uninstalled_at = NULL`,
  ).run(workspace.teamId, workspace.name ?? null, workspace.botUserId ?? null);
}

export function getWorkspace(db: Db, teamId: string): Workspace | undefined {
  return db
    .prepare(
      `SELECT team_id AS teamId, name, bot_user_id AS botUserId, uninstalled_at AS uninstalledAt
       FROM workspaces WHERE team_id = ?`,
    )
    .get(teamId) as Workspace | undefined;
}

/** app_uninstalled / tokens_revoked: the workspace's schedules stop; its data stays. */
export function markUninstalled(db: Db, teamId: string, at: Date): boolean {
  const result = db
    .prepare(
      'UPDATE workspaces SET uninstalled_at = ? WHERE team_id = ? AND uninstalled_at IS NULL',
    )
    .run(at.toISOString(), teamId);
  return result.changes > 0;
}
