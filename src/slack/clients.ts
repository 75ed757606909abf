import type { HTTPReceiver, Installation, InstallationStore } from '@slack/bolt';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import { AppError } from '../errors.js';
import type { AppLogger } from '../logger.js';
import { recordDeliveryFailure } from '../storage/delivery-failures.js';
import { findInstallation, installedTenant, saveInstallation } from '../storage/installations.js';
import type { Sealer } from '../storage/sealed.js';
import type { Store } from '../storage/store.js';

/** Bolt's InstallProvider, as its HTTP receiver builds it from the OAuth settings. */
type InstallProvider = NonNullable<HTTPReceiver['installer']>;

/** A tenant without an installation: nothing can be sent there. */
export class NotInstalled extends AppError {
  constructor(readonly tenant: string) {
    super('not_installed', 'Alignment Pulse is not installed in this workspace');
  }
}

/** Slack would not renew an expired token: the work waits for the next retry. */
export class TokenRefreshFailed extends AppError {
  constructor() {
    super('token_refresh_failed', "Slack would not renew the app's access to this workspace");
  }
}

/** Where the app's Web API clients come from, one a tenant. */
export interface WorkspaceClients {
  /** The client for a tenant (see AppContext.slackFor). */
  slackFor(tenant: string): Promise<WebClient>;
  /**
   * The tenant a request from this workspace (of this org) belongs to;
   * undefined when nothing installed serves it.
   */
  tenantOf(source: {
    teamId?: string | undefined;
    enterpriseId?: string | undefined;
  }): Promise<string | undefined>;
}

/** Single-workspace mode: the one bot token serves the one workspace, as its auth.test said. */
export function oneWorkspace(client: WebClient): WorkspaceClients {
  return {
    slackFor: async () => client,
    tenantOf: async (source) => source.teamId,
  };
}

/**
 * Bolt refreshes a rotating token when it expires within two hours
 * (@slack/oauth's InstallProvider.authorize); a token it hands back that still
 * expires this soon is one Slack would not renew.
 */
const REFRESH_WINDOW_MS = 2 * 60 * 60_000;
/** A refused refresh is stored for the admins at most this often per tenant. */
const REFRESH_FAILURE_NOTED_EVERY_MS = 10 * 60_000;

/**
 * OAuth mode: each tenant's installation from the database, through Bolt's own
 * InstallProvider, which refreshes a rotating token before handing it out (and
 * stores the new one) — for scheduled work too, which no request wakes.
 */
export class InstalledClients implements WorkspaceClients {
  private installer: InstallProvider | undefined;
  private readonly clients = new Map<string, { token: string; client: WebClient }>();
  private readonly refreshFailureNoted = new Map<string, number>();

  constructor(
    private readonly db: Store,
    private readonly sealer: Sealer,
    private readonly clientOptions: WebClientOptions,
    private readonly logger: AppLogger,
    private readonly now: () => Date,
  ) {}

  /** Bolt's installation store, over the app's own database (storage/installations.ts). */
  store(): InstallationStore {
    return {
      storeInstallation: async (installation) => {
        await saveInstallation(this.db, this.sealer, installation as Installation);
        this.logger.info('installed', {
          team: installation.team?.id,
          enterprise: installation.enterprise?.id,
          orgWide: installation.isEnterpriseInstall === true,
        });
      },
      fetchInstallation: async (query) => {
        const found = await findInstallation(this.db, this.sealer, query);
        if (found === undefined)
          throw new NotInstalled(query.teamId ?? query.enterpriseId ?? 'unknown');
        return found;
      },
    };
  }

  /** The receiver's InstallProvider, once the app is built (it refreshes tokens). */
  use(installer: InstallProvider): void {
    this.installer = installer;
  }

  tenantOf(source: {
    teamId?: string | undefined;
    enterpriseId?: string | undefined;
  }): Promise<string | undefined> {
    return installedTenant(this.db, source);
  }

  async slackFor(tenant: string): Promise<WebClient> {
    const installer = this.installer;
    if (installer === undefined) throw new Error('the app is not built yet');
    const row = await this.db
      .selectFrom('installations')
      .select([
        'team_id as teamId',
        'enterprise_id as enterpriseId',
        'is_enterprise_install as org',
      ])
      .where('tenant_id', '=', tenant)
      .executeTakeFirst();
    if (row === undefined) throw new NotInstalled(tenant);
    const auth = await installer.authorize({
      teamId: row.teamId ?? undefined,
      enterpriseId: row.enterpriseId ?? undefined,
      isEnterpriseInstall: row.org === 1,
    });
    const token = auth.botToken;
    if (token === undefined) throw new NotInstalled(tenant);
    const expiresAt =
      auth.botTokenExpiresAt === undefined ? undefined : auth.botTokenExpiresAt * 1000;
    // Wall-clock time: token expiry is Slack's clock, whatever the app's says.
    if (expiresAt !== undefined && expiresAt - Date.now() < REFRESH_WINDOW_MS) {
      await this.refreshRefused(tenant, expiresAt);
    } else this.refreshFailureNoted.delete(tenant);
    const cached = this.clients.get(tenant);
    if (cached !== undefined && cached.token === token) return cached.client;
    const client = new WebClient(token, { ...this.clientOptions, logger: this.logger.forSdk() });
    this.clients.set(tenant, { token, client });
    return client;
  }

  /**
   * Slack refused to renew a token that is about to expire. While it still
   * works, work goes on with it and the admins are told (stored as a delivery
   * problem, told once); once expired, the work fails and its run retries.
   */
  private async refreshRefused(tenant: string, expiresAt: number): Promise<void> {
    const last = this.refreshFailureNoted.get(tenant) ?? 0;
    if (Date.now() - last >= REFRESH_FAILURE_NOTED_EVERY_MS) {
      this.refreshFailureNoted.set(tenant, Date.now());
      this.logger.warn('Slack would not renew a token', { team: tenant });
      await recordDeliveryFailure(this.db, {
        teamId: tenant,
        action: "renew the app's access to Slack",
        error: 'token_refresh_failed',
        at: this.now(),
      });
    }
    if (expiresAt <= Date.now()) throw new TokenRefreshFailed();
  }
}
