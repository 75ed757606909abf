import { setImmediate as nextTurn } from 'node:timers/promises';
import { subWeeks } from 'date-fns/subWeeks';
import type { AppContext } from '../context.js';
import {
  type Publication,
  type PublicationRequest,
  publicationBasis,
  workOutPublication,
} from '../reports/publication.js';
import { storeFollowUp } from '../storage/agreements.js';
import {
  closedUnpublishedPulses,
  isPublished,
  storeCalls,
  storePublication,
} from '../storage/publication.js';
import { getPulse, markClosed } from '../storage/pulses.js';
import { lockFor, type Store } from '../storage/store.js';

/*
 * How a pulse closes without stalling anyone's answer. Closing a big pulse
 * means its cells and its week's calls over 16 weeks of answers: some 200 ms
 * of work. Done as one write transaction on the main thread (as it once was),
 * it held SQLite's one write lock and Node's one event loop that long, and a
 * thousand workspaces closing the same minute kept answers waiting seconds,
 * some past Slack's 3 (bench/closing.ts). So a close is three steps:
 *
 * 1. Close: one UPDATE, its own tiny transaction. From then on the pulse takes
 *    no answers (the form checks closed_at), so its answers change only by
 *    deletion (forget-me, retention).
 * 2. Work out the publication from one consistent snapshot — a read
 *    transaction, which on SQLite in WAL mode neither takes nor waits for the
 *    write lock; a read-only REPEATABLE READ one on Postgres — in a worker
 *    thread with a read-only Store of its own (PublicationWorkers), so the
 *    event loop serves answers meanwhile.
 * 3. Store it in one short write transaction, which first checks that it is
 *    still unpublished (two processes, or a retry, racing: published once) and
 *    still rests on what it was worked out from (`publicationBasis`: another
 *    week of the survey published meanwhile, an agreement closed) — otherwise
 *    it is worked out again. On Postgres it holds its survey's lock
 *    (`lockFor`) from before those checks, so two instances storing
 *    publications of one survey take turns, as SQLite's write lock makes them.
 *
 * A forget-me between steps 2 and 3 leaves its person in this week's figures,
 * exactly as one that came just after an atomic close and publish did: the
 * publication read nothing forget-me writes after the snapshot, and forget-me
 * reads nothing a publication writes, so the two are as if run one after the
 * other; the published numbers never change afterwards. One between steps 1
 * and 2 takes its person out, as one just before the close did. Either way no
 * output has shown the week yet.
 *
 * Between steps 1 and 3 the pulse is closed and unpublished: every output reads
 * only published weeks, so none shows it, half or whole. A crash there leaves
 * it so; the close's run is resumed or retried, and start-up publishes every
 * closed pulse without a publication (publishClosedPulses), whichever comes first.
 */

/** How often a publication found stale when stored is worked out again before the run fails (and is retried). */
const ATTEMPTS = 3;

/**
 * Closes a pulse and publishes it: after it, the pulse takes no more answers
 * and its frozen figures are what every output shows. Returns whether this
 * call closed it. A pulse closed already but not yet published (a crash, a
 * failed write, an older version) is published now.
 */
export async function closeAndPublish(
  ctx: AppContext,
  pulseId: number,
  at: Date = ctx.now(),
): Promise<boolean> {
  const closedNow = await inTurn(ctx.db, () => markClosed(ctx.db, pulseId, at));
  if (await publishPulse(ctx, pulseId, at)) ctx.logger.info('pulse published', { pulse: pulseId });
  return closedNow;
}

/**
 * closeAndPublish on this thread, in one write transaction, as it was before
 * the work moved off the main thread: for seeding a database and for tests
 * that build weeks by hand, where nothing else waits.
 */
export function closeAndPublishSync(
  ctx: AppContext,
  pulseId: number,
  at: Date = ctx.now(),
): Promise<boolean> {
  return ctx.db.transaction().execute(async (trx) => {
    const closedNow = await markClosed(trx, pulseId, at);
    const publication = await workOutPublication(trx, request(ctx, pulseId, at, true));
    if (publication !== undefined && (await storeIn(trx, publication)) === 'published')
      ctx.logger.info('pulse published', { pulse: pulseId });
    return closedNow;
  });
}

/**
 * Publishes a closed pulse unless it is published: worked out off the main
 * thread when the app has workers for it (ctx.workOutPublication), then stored
 * briefly. True when this call published it.
 */
async function publishPulse(
  ctx: AppContext,
  pulseId: number,
  at: Date,
  { calls = true }: { calls?: boolean } = {},
): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    if (await isPublished(ctx.db, pulseId)) return false;
    const asked = request(ctx, pulseId, at, calls);
    const publication =
      ctx.workOutPublication === undefined
        ? await workOutPublication(ctx.db, asked)
        : await ctx.workOutPublication(asked);
    if (publication === undefined) return false;
    const stored = await inTurn(ctx.db, () => store(ctx.db, publication));
    if (stored !== 'stale') return stored === 'published';
    if (attempt === ATTEMPTS)
      throw new Error(
        `pulse ${pulseId}: its survey kept changing while its publication was worked out`,
      );
  }
}

/** Each database's closes' writes, the last one queued: where the next waits its turn. */
const writeTurns = new WeakMap<Store, Promise<unknown>>();

/**
 * Runs a close's write (its tiny close, its publication's store) in a turn of
 * the event loop of its own, one after another. Each is short, but commits
 * with an fsync, and they come in bursts: a scheduler pass starts many
 * tenants' closes at once, and the workers hand back small pulses'
 * publications a few milliseconds apart. Back to back, fifty would hold the
 * loop for fifty commits; one a turn, requests are served between them.
 */
function inTurn<T>(db: Store, write: () => Promise<T>): Promise<T> {
  const done = (writeTurns.get(db) ?? Promise.resolve()).then(() => nextTurn()).then(write);
  writeTurns.set(
    db,
    done.then(
      () => undefined,
      () => undefined,
    ),
  );
  return done;
}

const request = (
  ctx: AppContext,
  pulseId: number,
  at: Date,
  calls: boolean,
): PublicationRequest => ({
  pulseId,
  at: at.toISOString(),
  calls,
  defaultThreshold: ctx.config.anonymityThreshold,
});

type Stored = 'published' | 'already' | 'gone' | 'stale';

/**
 * Stores a worked-out publication in one short write transaction: published
 * once (not when it is published already, or its pulse was deleted meanwhile),
 * and only while it rests on what it was worked out from ('stale' otherwise).
 */
function store(db: Store, publication: Publication): Promise<Stored> {
  return db.transaction().execute((trx) => storeIn(trx, publication));
}

/** store, in the write transaction `trx`. */
async function storeIn(trx: Store, publication: Publication): Promise<Stored> {
  // Publications of one survey take turns (on SQLite the write lock sees to
  // it), so its published weeks stay as the checks below read them until the commit.
  await lockFor(trx, `publication of survey ${publication.surveyId}`);
  if (await isPublished(trx, publication.pulseId)) return 'already';
  if ((await getPulse(trx, publication.pulseId))?.closedAt == null) return 'gone';
  const at = new Date(publication.at);
  if ((await publicationBasis(trx, publication.surveyId, at)) !== publication.basis) return 'stale';
  await storePublication(trx, { ...publication, at });
  if (publication.calls !== undefined)
    await storeCalls(trx, publication.pulseId, publication.calls);
  for (const { agreementId, followUp } of publication.followUps)
    await storeFollowUp(trx, agreementId, publication.pulseId, followUp);
  return 'published';
}

/** How far back a first start works out calls for weeks published before calls existed. */
const CALLS_FOR_WEEKS = 53;

/**
 * Publishes every closed pulse that has no publication: the closed weeks of a
 * database written before publications existed, frozen as they would have been
 * published, and any a crash left closed between its close and its
 * publication. Run at start. Returns how many it published.
 */
export async function publishClosedPulses(ctx: AppContext): Promise<number> {
  let count = 0;
  for (const pulseId of await closedUnpublishedPulses(ctx.db)) {
    const pulse = await getPulse(ctx.db, pulseId);
    if (pulse?.closedAt == null) continue;
    // Calls only for the weeks an output can still show (the export's year).
    const recent = new Date(pulse.dueAt) >= subWeeks(ctx.now(), CALLS_FOR_WEEKS);
    if (await publishPulse(ctx, pulseId, new Date(pulse.closedAt), { calls: recent })) count += 1;
  }
  if (count > 0) ctx.logger.info('published closed pulses', { pulses: count });
  return count;
}
