import type { Installation, InstallationQuery } from '@slack/bolt';
import type { Sealer } from './sealed.js';
import { changed, type Store } from './store.js';
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
export async function saveInstallation(
  db: Store,
  sealer: Sealer,
  installation: Installation,
): Promise<void> {
  const tenant = tenantOfInstallation(installation);
  const expiresAt = installation.bot?.expiresAt;
  const row = {
    tenant_id: tenant,
    team_id: installation.team?.id ?? null,
    enterprise_id: installation.enterprise?.id ?? null,
    is_enterprise_install: installation.isEnterpriseInstall === true ? 1 : 0,
    bot_user_id: installation.bot?.userId ?? null,
    installed_by: installation.user.id,
    token_expires_at: expiresAt === undefined ? null : new Date(expiresAt * 1000).toISOString(),
    sealed: sealer.seal(JSON.stringify(installation), `installation:${tenant}`),
  };
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('installations')
      .values(row)
      .onConflict((oc) =>
        oc.column('tenant_id').doUpdateSet({
          team_id: row.team_id,
          enterprise_id: row.enterprise_id,
          is_enterprise_install: row.is_enterprise_install,
          bot_user_id: row.bot_user_id,
          installed_by: row.installed_by,
          token_expires_at: row.token_expires_at,
          sealed: row.sealed,
          // The wall clock, as for the column's default.
          updated_at: new Date().toISOString(),
        }),
      )
      .execute();
    await upsertWorkspace(trx, {
      teamId: tenant,
      name: installation.isEnterpriseInstall
        ? installation.enterprise?.name
        : installation.team?.name,
      botUserId: installation.bot?.userId,
      enterpriseId: installation.enterprise?.id,
      installedBy: installation.user.id,
    });
  });
}

/**
 * The tenant serving a request or a survey: the workspace's own installation
 * when it has one, else its org's org-wide installation; undefined when neither.
 */
export async function installedTenant(
  db: Store,
  where: { teamId?: string | undefined; enterpriseId?: string | undefined },
): Promise<string | undefined> {
  // By the unique tenant id (a workspace install's is its team, an org install's its org):
  // two index look-ups, never a scan, as this runs for every request and every Slack call.
  const installed = async (tenant: string | undefined, org: 0 | 1) =>
    tenant === undefined
      ? undefined
      : (
          await db
            .selectFrom('installations')
            .select('tenant_id')
            .where('tenant_id', '=', tenant)
            .where('is_enterprise_install', '=', org)
            .executeTakeFirst()
        )?.tenant_id;
  return (await installed(where.teamId, 0)) ?? (await installed(where.enterpriseId, 1));
}

/** The installation a query of Bolt's names (see installedTenant); undefined when none. */
export async function findInstallation(
  db: Store,
  sealer: Sealer,
  query: Pick<InstallationQuery<boolean>, 'teamId' | 'enterpriseId' | 'isEnterpriseInstall'>,
): Promise<Installation | undefined> {
  const tenant = query.isEnterpriseInstall
    ? await installedTenant(db, { enterpriseId: query.enterpriseId })
    : await installedTenant(db, query);
  return tenant === undefined ? undefined : installationOf(db, sealer, tenant);
}

/** A tenant's installation, opened. */
export async function installationOf(
  db: Store,
  sealer: Sealer,
  tenant: string,
): Promise<Installation | undefined> {
  const row = await db
    .selectFrom('installations')
    .select('sealed')
    .where('tenant_id', '=', tenant)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  return JSON.parse(sealer.open(row.sealed, `installation:${tenant}`)) as Installation;
}

/** Forgets a tenant's installation (uninstalled, or its tokens revoked). True when there was one. */
export async function deleteInstallation(db: Store, tenant: string): Promise<boolean> {
  return (
    changed(
      await db.deleteFrom('installations').where('tenant_id', '=', tenant).executeTakeFirst(),
    ) > 0
  );
}
