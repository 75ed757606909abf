import type { Installation, InstallationQuery } from '@slack/bolt';
import type { Db } from './database.js';
import type { Sealer } from './sealed.js';
import { upsertWorkspace } from './workspaces.js';

/**
 * Installations by OAuth, as Bolt's installation store keeps them: the whole
 * installation sealed (its tokens never stored in the clear), beside the few
 * plain ids a look-up needs. One a tenant: a workspace, or an Enterprise Grid
 * org for an org-wide install.
 */

/** The tenant an installation serves: its org for an org-wide install, else its workspace. */
export function tenantOfInstallation(installation: Installation): string {
  const id = installation.isEnterpriseInstall ? installation.enterprise?.id : installation.team?.id;
  if (id === undefined) throw new Error('an installation names neither its workspace nor its org');
  return id;
}

/**
 * Saves an installation, replacing the tenant's earlier one (a reinstall, a
 * refreshed token), and records its tenant: a reinstall within the grace
 * period clears the uninstall mark, so everything resumes.
 */
export function saveInstallation(db: Db, sealer: Sealer, installation: Installation): void {
  const tenant = tenantOfInstallation(installation);
  const expiresAt = installation.bot?.expiresAt;
  db.transaction(() => {
    db.prepare(
      `INSERT INTO installations (tenant_id, team_id, enterprise_id, is_enterprise_install,
         bot_user_id, installed_by, token_expires_at, sealed)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant_id) DO UPDATE SET
         team_id = excluded.team_id, enterprise_id = excluded.enterprise_id,
         is_enterprise_install = excluded.is_enterprise_install,
         bot_user_id = excluded.bot_user_id, installed_by = excluded.installed_by,
         token_expires_at = excluded.token_expires_at, sealed = excluded.sealed,
         updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
    ).run(
      tenant,
      installation.team?.id ?? null,
      installation.enterprise?.id ?? null,
      installation.isEnterpriseInstall === true ? 1 : 0,
      installation.bot?.userId ?? null,
      installation.user.id,
      expiresAt === undefined ? null : new Date(expiresAt * 1000).toISOString(),
      sealer.seal(JSON.stringify(installation), `installation:${tenant}`),
    );
    upsertWorkspace(db, {
      teamId: tenant,
      name: installation.isEnterpriseInstall
        ? installation.enterprise?.name
        : installation.team?.name,
      botUserId: installation.bot?.userId,
      enterpriseId: installation.enterprise?.id,
      installedBy: installation.user.id,
    });
  })();
}

/**
 * The tenant serving a request or a survey: the workspace's own installation
 * when it has one, else its org's org-wide installation; undefined when neither.
 */
export function installedTenant(
  db: Db,
  where: { teamId?: string | undefined; enterpriseId?: string | undefined },
): string | undefined {
  // By the unique tenant id (a workspace install's is its team, an org install's its org):
  // two index look-ups, never a scan, as this runs for every request and every Slack call.
  const installed = db.prepare(
    'SELECT tenant_id AS tenant FROM installations WHERE tenant_id = ? AND is_enterprise_install = ?',
  );
  const own =
    where.teamId === undefined
      ? undefined
      : (installed.get(where.teamId, 0) as { tenant: string } | undefined);
  if (own !== undefined) return own.tenant;
  const org =
    where.enterpriseId === undefined
      ? undefined
      : (installed.get(where.enterpriseId, 1) as { tenant: string } | undefined);
  return org?.tenant;
}

/** The installation a query of Bolt's names (see installedTenant); undefined when none. */
export function findInstallation(
  db: Db,
  sealer: Sealer,
  query: Pick<InstallationQuery<boolean>, 'teamId' | 'enterpriseId' | 'isEnterpriseInstall'>,
): Installation | undefined {
  const tenant = query.isEnterpriseInstall
    ? installedTenant(db, { enterpriseId: query.enterpriseId })
    : installedTenant(db, query);
  return tenant === undefined ? undefined : installationOf(db, sealer, tenant);
}

/** A tenant's installation, opened. */
export function installationOf(db: Db, sealer: Sealer, tenant: string): Installation | undefined {
  const row = db.prepare('SELECT sealed FROM installations WHERE tenant_id = ?').get(tenant) as
    | { sealed: string }
    | undefined;
  if (row === undefined) return undefined;
  return JSON.parse(sealer.open(row.sealed, `installation:${tenant}`)) as Installation;
}

/** Forgets a tenant's installation (uninstalled, or its tokens revoked). True when there was one. */
export function deleteInstallation(db: Db, tenant: string): boolean {
  return db.prepare('DELETE FROM installations WHERE tenant_id = ?').run(tenant).changes > 0;
}
