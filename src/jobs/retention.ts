import { subDays } from 'date-fns/subDays';
import { subMonths } from 'date-fns/subMonths';
import type { AppContext } from '../context.js';
import { deleteTenant, expiredPulses, purgePulse, removedTenants } from '../storage/retention.js';

/**
 * The daily retention job: for every pulse that closed more than
 * RETENTION_MONTHS ago, the answers, comments and recipient lists are deleted;
 * its published figures, which name nobody, stay, so no published number
 * changes. Pulse by pulse, so the app keeps answering while a large backlog goes.
 * And every workspace (or org) that removed the app more than
 * UNINSTALL_GRACE_DAYS ago is deleted whole: a reinstall before then resumes it.
 */
export async function applyRetention(ctx: AppContext): Promise<{
  pulses: number;
  answers: number;
  comments: number;
  workspaces: number;
}> {
  const cutoff = subMonths(ctx.now(), ctx.config.retentionMonths);
  const totals = { pulses: 0, answers: 0, comments: 0, workspaces: 0 };
  const graceOver = subDays(ctx.now(), ctx.config.uninstallGraceDays);
  for (const tenant of await removedTenants(ctx.db, graceOver)) {
    await deleteTenant(ctx.db, tenant);
    totals.workspaces += 1;
  }
  for (const pulseId of await expiredPulses(ctx.db, cutoff)) {
    const removed = await purgePulse(ctx.db, pulseId);
    totals.pulses += 1;
    totals.answers += removed.answers;
    totals.comments += removed.comments;
  }
  ctx.logger.info('retention', { before: cutoff.toISOString(), ...totals });
  return totals;
}
