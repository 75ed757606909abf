import { hostname } from 'node:os';
import { addMilliseconds } from 'date-fns/addMilliseconds';
import { createTask, type ScheduledTask } from 'node-cron';
import type { AppContext } from '../context.js';
import {
  type CronSpec,
  catchUpDecision,
  latestDueAt,
  nextAttemptAt,
  OPEN_PULSE_SKIP,
  parseCronExpression,
  reminderDueAt,
} from '../domain/schedule.js';
import { describeError } from '../errors.js';
import { InFlight } from '../slack/in-flight.js';
import { agreementsWithoutDms, dueReviews, getAgreement } from '../storage/agreements.js';
import { openPulseOf, type Pulse, pulseByDue, unclosedPulses } from '../storage/pulses.js';
import {
  claimRun,
  failRun,
  finishRun,
  isClaimed,
  type Run,
  type RunKey,
  type RunKind,
  recordSkipped,
  renewClaim,
  runningRuns,
  runsToResume,
  takeOrphan,
  takeRun,
} from '../storage/runs.js';
import { getSurvey, type Survey, scheduledSurveys } from '../storage/surveys.js';
import { agreementDmsKey, reviewKey, sendOwnerDms, sendReview } from './agreements.js';
import { closePulse } from './close-pulse.js';
import { notifyAdmins } from './notify-admins.js';
import { remindPulse } from './remind-pulse.js';
import { applyRetention } from './retention.js';

/** The job a survey's own schedule runs (a pulse, a digest), for one due time. */
export type SurveyJob = (ctx: AppContext, survey: Survey, dueAt: Date) => Promise<void>;

export interface SchedulerOptions {
  /** A missed run this recent is caught up; an older one is skipped. */
  graceMs: number;
  /** A run left 'running' this long by a process that died is taken over. */
  leaseMs: number;
  /** The jobs of the per-survey schedules, by kind. */
  jobs: Partial<Record<'pulse' | 'digest', SurveyJob>>;
  /** How many tenants' runs go on at once; TENANTS_AT_ONCE unless given. */
  tenantsAtOnce?: number;
}

/**
 * How many tenants' runs go on at once. Slack's rate limits are per workspace,
 * so tenants never hold each other up at Slack; what they share is this
 * process: its event loop, its one SQLite writer (every commit waits for its
 * fsync on that loop) and its open files.
 *
 * Enough places to keep the process busy: a pulse's run is some forty Slack
 * calls one after another (a DM is conversations.open, then chat.postMessage),
 * so at 50 ms a round trip it spends about two seconds waiting for Slack
 * against some 100 ms of work here (bench/RESULTS.md, "Fan-out"): one process
 * serves about 15–20 workspaces a second, and takes about 40 runs in flight to
 * get there. With fewer places it waits on the network; and a tenant held up
 * by Slack keeps its place meanwhile (a 429 sleeps out its Retry-After, a first
 * DM to a thousand people is twenty minutes of Tier 3), so with a handful of
 * places a handful of such tenants would stall everyone's 09:00 pulse.
 *
 * Not more: past that point a place adds no speed, only memory and sockets. A
 * run has a socket to Slack for each call it has in flight, and a pulse looks
 * its channel's members up side by side (up to 50 at once): fifty places of
 * 20-leader channels held about 1,050 open files in the benchmark, so the
 * process needs an open-file limit well above that (Docker's default is
 * 1,048,576; a systemd service's soft default, 1,024, is too low).
 */
export const TENANTS_AT_ONCE = 50;

/**
 * Work of many tenants side by side: at most `limit` pieces at once, and each
 * tenant's pieces one after another, in the order they were given. A tenant's
 * runs share its rate limits at Slack, and a later one may rely on what an
 * earlier one did (a pulse opened before the last one closes), so they never
 * overlap; different tenants' do, up to the limit. Waiting pieces take the free
 * places first come, first served.
 */
export class TenantLanes {
  /** Each tenant's last piece of work, settled: where its next one queues. */
  private readonly tails = new Map<string, Promise<void>>();
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new Error(`tenants at once must be at least 1, not ${limit}`);
  }

  /** Whether the tenant has work running or waiting. */
  busy(tenant: string): boolean {
    return this.tails.has(tenant);
  }

  /** Runs `work` once the tenant's earlier work is done and a place is free; settles as `work` does. */
  run(tenant: string, work: () => Promise<void>): Promise<void> {
    const done = (this.tails.get(tenant) ?? Promise.resolve()).then(() => this.inPlace(work));
    const tail = done.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(tenant, tail);
    void tail.then(() => {
      if (this.tails.get(tenant) === tail) this.tails.delete(tenant);
    });
    return done;
  }

  private async inPlace(work: () => Promise<void>): Promise<void> {
    if (this.running < this.limit) this.running += 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      await work();
    } finally {
      // The place goes straight to the piece that waited longest, or is freed.
      const next = this.waiting.shift();
      if (next !== undefined) next();
      else this.running -= 1;
    }
  }
}

interface SurveyTask {
  kind: 'pulse' | 'digest';
  surveyId: number;
  pattern: string;
  timezone: string;
  task: ScheduledTask;
}

/** How many claimed runs the scheduler remembers: two schedules each of many surveys. */
const SEEN_CLAIMED_MAX = 20_000;

/**
 * Runs every survey's schedules exactly once. node-cron fires each schedule in
 * its survey's time zone; a housekeeping tick every minute also looks at every
 * schedule, so a fire that node-cron missed (a sleep, a restart) is caught up.
 * Whichever comes first, the run is claimed in the database before it acts.
 */
export class Scheduler {
  private readonly tasks = new Map<string, SurveyTask>();
  private housekeeping: ScheduledTask | undefined;
  private readonly inFlight = new InFlight();
  private readonly lanes: TenantLanes;
  /** Runs this process is working on now, never to be taken over by itself. */
  private readonly running = new Set<number>();
  private stopped = false;
  /**
   * Schedule runs known to be claimed (a claim is never taken back), so that
   * the minute's look at every schedule reads the database only for a due time
   * it has not seen claimed. Bounded.
   */
  private readonly seenClaimed = new Set<string>();
  /** Refreshes begun, and the latest whose surveys were applied: an older read never undoes a newer one. */
  private refreshesBegun = 0;
  private refreshApplied = 0;
  /** host:pid:process start:random: enough to tell, after a restart, that a claim's process is gone. */
  readonly owner =
    `${hostname()}:${process.pid}:${PROCESS_STARTED}:${Math.random().toString(36).slice(2, 8)}`;

  constructor(
    private readonly ctx: AppContext,
    private readonly options: SchedulerOptions,
  ) {
    this.lanes = new TenantLanes(options.tenantsAtOnce ?? TENANTS_AT_ONCE);
  }

  /** Builds the tasks, catches up what was missed while the app was down, and starts ticking. */
  async start(): Promise<void> {
    await this.refresh();
    await this.tick();
    this.housekeeping = createTask('* * * * *', () => this.track(this.tick()), {
      name: 'housekeeping',
      noOverlap: true,
    });
    await this.housekeeping.start();
  }

  /** Stops every task and waits (bounded) for runs in flight. */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.stopped = true;
    await this.housekeeping?.destroy();
    for (const entry of this.tasks.values()) await entry.task.destroy();
    this.tasks.clear();
    const left = await this.inFlight.drain(timeoutMs);
    if (left > 0) this.ctx.logger.warn(`scheduler stopped with ${left} run(s) still going`);
  }

  /** The per-survey tasks as they stand: what tests and the App Home can read. */
  describe(): { kind: string; surveyId: number; pattern: string; timezone: string }[] {
    return [...this.tasks.values()].map(({ kind, surveyId, pattern, timezone }) => ({
      kind,
      surveyId,
      pattern,
      timezone,
    }));
  }

  /**
   * Brings the node-cron tasks in line with the surveys in the database: a new or
   * changed schedule gets a fresh task, a removed survey (or an uninstalled
   * workspace) loses its tasks. Called after setup changes and on every tick.
   */
  async refresh(): Promise<void> {
    if (this.stopped) return;
    await this.refreshWith(scheduledSurveys(this.ctx.db));
  }

  /**
   * Brings the tasks in line with the scheduled surveys `read` gives, unless a
   * read begun later was applied first (reads may finish out of order).
   */
  private async refreshWith(read: Promise<Survey[]>): Promise<void> {
    const begun = ++this.refreshesBegun;
    const surveys = await read;
    if (this.stopped || begun < this.refreshApplied) return;
    this.refreshApplied = begun;
    const wanted = new Map<string, Omit<SurveyTask, 'task'>>();
    for (const survey of surveys) {
      for (const kind of ['pulse', 'digest'] as const) {
        if (this.options.jobs[kind] === undefined) continue;
        const spec = this.specOf(survey, kind);
        if (spec === undefined) continue;
        wanted.set(`${kind}:${survey.id}`, {
          kind,
          surveyId: survey.id,
          pattern: spec.expression,
          timezone: survey.timezone,
        });
      }
    }
    for (const [key, entry] of this.tasks) {
      const want = wanted.get(key);
      if (
        want === undefined ||
        want.pattern !== entry.pattern ||
        want.timezone !== entry.timezone
      ) {
        void entry.task.destroy();
        this.tasks.delete(key);
      }
    }
    for (const [key, want] of wanted) {
      if (this.tasks.has(key)) continue;
      const task = createTask(want.pattern, () => this.track(this.fire(want.kind, want.surveyId)), {
        timezone: want.timezone,
        name: key,
        noOverlap: false,
      });
      if (this.housekeeping !== undefined) void task.start();
      this.tasks.set(key, { ...want, task });
      this.ctx.logger.debug('schedule set', {
        job: want.kind,
        survey: want.surveyId,
        cron: want.pattern,
        timezone: want.timezone,
      });
    }
  }

  /**
   * One housekeeping pass at `now`: refresh the tasks; for every schedule, run
   * (or skip) its latest due time if nobody claimed it; send due reminders;
   * close pulses whose time has come; resume retries and runs a dead process left.
   * Each step's work runs in its tenant's lane (see TenantLanes): tenants side
   * by side, one tenant's in order. A step starts once the one before it is
   * done, so it sees what that one did, as when the pass ran one run at a time.
   */
  tick(now: Date = this.ctx.now()): Promise<void> {
    return this.inFlight.track(this.housekeep(now));
  }

  private async housekeep(now: Date): Promise<void> {
    if (this.stopped) return;
    const surveys = scheduledSurveys(this.ctx.db);
    await this.refreshWith(surveys);
    // Each survey's tenant, for the lanes of the runs below; a survey's tenant never changes.
    const surveyById = new Map((await surveys).map((survey) => [survey.id, survey]));
    const tenants = new Map<number, Promise<string>>(
      (await surveys).map((survey) => [survey.id, Promise.resolve(survey.teamId)]),
    );
    const tenantOf = (surveyId: number) => {
      let tenant = tenants.get(surveyId);
      if (tenant === undefined) {
        tenant = this.tenantOf(surveyId);
        tenants.set(surveyId, tenant);
      }
      return tenant;
    };
    await this.inLanes(
      await surveys,
      (survey) => survey.teamId,
      async (survey) => {
        for (const kind of ['pulse', 'digest'] as const)
          await this.checkSchedule(kind, survey, now);
      },
    );
    await this.inLanes(
      await unclosedPulses(this.ctx.db),
      (pulse) => pulse.teamId,
      (pulse) => this.closeOrRemind(pulse, now, surveyById),
    );
    // Agreements: the owners' DMs of one recorded while the app could not send
    // them (normally sent at once), and the reviews that have come due.
    await this.inLanes(
      await agreementsWithoutDms(this.ctx.db),
      (agreement) => tenantOf(agreement.surveyId),
      (agreement) =>
        this.claimAndRun(agreementDmsKey(agreement), now, () => sendOwnerDms(this.ctx, agreement)),
    );
    await this.inLanes(
      await dueReviews(this.ctx.db, now),
      (agreement) => tenantOf(agreement.surveyId),
      (agreement) =>
        this.claimAndRun(reviewKey(agreement), now, () => sendReview(this.ctx, agreement)),
    );
    // Retention, once a day from 03:00 UTC: every tenant's, so in no tenant's lane.
    const retentionDue = new Date(
      Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), RETENTION_HOUR_UTC),
    );
    if (now >= retentionDue)
      await this.claimAndRun(
        { kind: 'retention', surveyId: NO_SURVEY, scheduledFor: retentionDue },
        now,
        async () => {
          await applyRetention(this.ctx);
        },
      );
    // A run whose process died on this machine (a crash, a kill -9, a container
    // restart) is resumed at once; one claimed elsewhere waits out its lease.
    await this.inLanes(
      await runningRuns(this.ctx.db),
      (run) => tenantOf(run.surveyId),
      async (run) => {
        if (this.running.has(run.id) || !claimantIsGone(run.claimedBy, this.owner)) return;
        if (!(await takeOrphan(this.ctx.db, run, this.owner, now))) return;
        this.ctx.logger.info('resuming a run its process left when it died', {
          job: run.kind,
          survey: run.surveyId,
          due: run.scheduledFor,
        });
        await this.execute(run, now);
      },
    );
    const staleBefore = addMilliseconds(now, -this.options.leaseMs);
    await this.inLanes(
      await runsToResume(this.ctx.db, now, staleBefore),
      (run) => tenantOf(run.surveyId),
      async (run) => {
        if (this.running.has(run.id)) return;
        if (!(await takeRun(this.ctx.db, run, this.owner, now, staleBefore))) return;
        this.ctx.logger.info('resuming a run', {
          job: run.kind,
          survey: run.surveyId,
          due: run.scheduledFor,
          attempts: run.attempts,
        });
        await this.execute(run, now);
      },
    );
    await notifyAdmins(this.ctx);
  }

  /** A pulse's closing, or else its reminder, when its time has come and nobody claimed it. */
  private async closeOrRemind(
    pulse: Pulse,
    now: Date,
    read: ReadonlyMap<number, Survey>,
  ): Promise<void> {
    // The pass's surveys, read once; a survey it did not list (its workspace uninstalled) is read here.
    const survey = read.get(pulse.surveyId) ?? (await getSurvey(this.ctx.db, pulse.surveyId));
    if (survey === undefined) return;
    const key = (kind: RunKind): RunKey => ({
      kind,
      surveyId: survey.id,
      scheduledFor: new Date(pulse.dueAt),
    });
    if (new Date(pulse.closesAt) <= now) {
      await this.claimAndRun(key('close'), now, async () => {
        await closePulse(this.ctx, pulse);
      });
      return;
    }
    const remindAt = reminderDueAt(
      new Date(pulse.dueAt),
      new Date(pulse.closesAt),
      survey.reminderHours,
    );
    if (remindAt !== undefined && remindAt <= now && pulse.remindedAt === null) {
      await this.claimAndRun(key('remind'), now, async () => {
        await remindPulse(this.ctx, pulse);
      });
    }
  }

  /**
   * Runs `work` for every item in its tenant's lane and waits for all of them.
   * A tenant whose lane is already busy (a node-cron fire, or an earlier pass
   * still going) is left out: whatever of its work is due is that very work or
   * still unclaimed for the next pass, a minute later. So a pass never waits
   * for a run it did not start, as before, when it found that run claimed and
   * went on. One tenant's failure does not stop the others; the pass fails after them.
   */
  private async inLanes<T>(
    items: readonly T[],
    tenantOf: (item: T) => string | Promise<string>,
    work: (item: T) => Promise<void>,
  ): Promise<void> {
    const given = await Promise.all(
      items.map(async (item) => ({ item, tenant: await tenantOf(item) })),
    );
    const busy = new Set(given.filter((g) => this.lanes.busy(g.tenant)).map((g) => g.tenant));
    const settled = await Promise.allSettled(
      given
        .filter((g) => !busy.has(g.tenant))
        .map((g) => this.inLane(g.tenant, () => work(g.item))),
    );
    const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason] : []));
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1)
      throw new AggregateError(failures, `${failures.length} tenants' scheduled work failed`);
  }

  /** Hands work to its tenant's lane; work still waiting there when the scheduler stops is dropped. */
  private inLane(tenant: string, work: () => Promise<void>): Promise<void> {
    return this.lanes.run(tenant, async () => {
      if (!this.stopped) await work();
    });
  }

  /** The tenant a survey belongs to; work of no survey, or of one deleted, gets a lane of its own. */
  private async tenantOf(surveyId: number): Promise<string> {
    return (await getSurvey(this.ctx.db, surveyId))?.teamId ?? `survey:${surveyId}`;
  }

  /** node-cron fired a survey's schedule: run its latest due time, if nobody has, in its tenant's lane. */
  private async fire(kind: 'pulse' | 'digest', surveyId: number): Promise<void> {
    const survey = await getSurvey(this.ctx.db, surveyId);
    if (survey !== undefined && !this.stopped)
      await this.inLane(survey.teamId, () => this.checkSchedule(kind, survey, this.ctx.now()));
  }

  private async checkSchedule(kind: 'pulse' | 'digest', survey: Survey, now: Date): Promise<void> {
    if (this.options.jobs[kind] === undefined) return;
    const spec = this.specOf(survey, kind);
    if (spec === undefined) return;
    const due = latestDueAt(spec, survey.timezone, now);
    // A due time before the schedule took effect (the survey was created, or the
    // schedule changed, after it) was never missed: nothing to catch up.
    const from = kind === 'pulse' ? survey.pulseScheduleFrom : survey.digestScheduleFrom;
    if (due !== undefined && from !== null && due.toISOString() < from) return;
    const key = (dueAt: Date): RunKey => ({ kind, surveyId: survey.id, scheduledFor: dueAt });
    const decision = catchUpDecision(
      due,
      // A survey's id may be used again once it is deleted (SQLite): its workspace and
      // when its schedule took effect tell the two apart.
      due !== undefined && (await this.isClaimed(key(due), `${survey.teamId}:${from ?? ''}`)),
      now,
      this.options.graceMs,
    );
    if (decision.action === 'none') return;
    if (decision.action === 'skip') {
      if (
        await recordSkipped(
          this.ctx.db,
          key(decision.dueAt),
          'missed by more than the catch-up window',
          now,
        )
      ) {
        this.ctx.logger.warn('skipped a run missed while the app was down', {
          job: kind,
          survey: survey.id,
          due: decision.dueAt.toISOString(),
        });
      }
      return;
    }
    if (
      kind === 'pulse' &&
      survey.pausedUntil !== null &&
      survey.pausedUntil > decision.dueAt.toISOString()
    ) {
      await recordSkipped(
        this.ctx.db,
        key(decision.dueAt),
        `paused until ${survey.pausedUntil}`,
        now,
      );
      return;
    }
    if (kind === 'pulse') {
      // One open pulse a survey: a scheduled pulse that falls due while another
      // (one sent with `pulse now`, or one still open from before) takes
      // answers is skipped, with the reason, and the admins see it in the App Home.
      const open = await openPulseOf(this.ctx.db, survey.id, now);
      if (open !== undefined && open.dueAt !== decision.dueAt.toISOString()) {
        if (
          await recordSkipped(
            this.ctx.db,
            key(decision.dueAt),
            `${OPEN_PULSE_SKIP} ${open.closesAt}`,
            now,
          )
        )
          this.ctx.logger.info('skipped a scheduled pulse: one is still open', {
            survey: survey.id,
            due: decision.dueAt.toISOString(),
            open: open.id,
          });
        return;
      }
    }
    await this.claimAndRun(key(decision.dueAt), now, () =>
      this.jobFor(kind, survey.id, decision.dueAt),
    );
  }

  private async isClaimed(key: RunKey, survey: string): Promise<boolean> {
    const seen = `${key.kind}:${key.surveyId}:${survey}:${key.scheduledFor.toISOString()}`;
    if (this.seenClaimed.has(seen)) return true;
    if (!(await isClaimed(this.ctx.db, key))) return false;
    if (this.seenClaimed.size >= SEEN_CLAIMED_MAX) this.seenClaimed.clear();
    this.seenClaimed.add(seen);
    return true;
  }

  /** Runs work now as a claimed run (see AppContext.runOnce). */
  runOnce(key: RunKey, work: () => Promise<void>): Promise<void> {
    return this.track(this.claimAndRun(key, this.ctx.now(), work));
  }

  private async claimAndRun(key: RunKey, now: Date, work: () => Promise<void>): Promise<void> {
    const run = await claimRun(this.ctx.db, key, this.owner, now);
    if (run === undefined) return;
    this.ctx.logger.info('run claimed', {
      job: key.kind,
      survey: key.surveyId,
      due: key.scheduledFor.toISOString(),
    });
    await this.attempt(run, work);
  }

  /** Runs a resumed run again from its key: every job is idempotent. */
  private async execute(run: Run, now: Date): Promise<void> {
    const dueAt = new Date(run.scheduledFor);
    if (run.kind === 'retention') {
      await this.attempt(run, async () => {
        await applyRetention(this.ctx);
      });
      return;
    }
    if (run.kind === 'pulse' || run.kind === 'digest') {
      await this.attempt(run, () =>
        this.jobFor(run.kind as 'pulse' | 'digest', run.surveyId, dueAt),
      );
      return;
    }
    if (run.kind === 'agreement' || run.kind === 'review') {
      const agreement = await getAgreement(this.ctx.db, run.subjectId);
      await this.attempt(run, async () => {
        if (agreement === undefined) return;
        if (run.kind === 'agreement') await sendOwnerDms(this.ctx, agreement);
        else await sendReview(this.ctx, agreement);
      });
      return;
    }
    const pulse = await pulseByDue(this.ctx.db, run.surveyId, run.scheduledFor);
    await this.attempt(run, async () => {
      if (pulse === undefined) return;
      if (run.kind === 'close') await closePulse(this.ctx, pulse, { again: true });
      else if (run.kind === 'remind' && new Date(pulse.closesAt) > now)
        await remindPulse(this.ctx, pulse);
    });
  }

  private async jobFor(kind: 'pulse' | 'digest', surveyId: number, dueAt: Date): Promise<void> {
    const job = this.options.jobs[kind];
    const survey = await getSurvey(this.ctx.db, surveyId);
    if (job === undefined || survey === undefined) return;
    await job(this.ctx, survey, dueAt);
  }

  /** One attempt: done, or failed with a retry time (1, 5, 15, 60 minutes), or failed for good. */
  private async attempt(run: Run, work: () => Promise<void>): Promise<void> {
    // A first DM to a thousand people takes Slack's rate limits twenty minutes:
    // the claim is renewed while the work goes on, so the lease never lapses.
    this.running.add(run.id);
    const heartbeat = setInterval(
      () => {
        renewClaim(this.ctx.db, run.id, this.owner, this.ctx.now()).catch((error: unknown) =>
          this.ctx.logger.warn("could not renew a run's claim", {
            job: run.kind,
            survey: run.surveyId,
            error: describeError(error),
          }),
        );
      },
      Math.max(1_000, this.options.leaseMs / 3),
    );
    heartbeat.unref();
    try {
      await work();
      await finishRun(this.ctx.db, run.id, this.ctx.now());
      this.ctx.logger.info('run done', {
        job: run.kind,
        survey: run.surveyId,
        due: run.scheduledFor,
      });
    } catch (error) {
      const failedAt = this.ctx.now();
      const attempts = run.attempts + 1;
      const retryAt = nextAttemptAt(attempts, failedAt);
      await failRun(this.ctx.db, run.id, describeError(error), failedAt, retryAt);
      this.ctx.logger.warn(
        retryAt === undefined ? 'run failed for good' : 'run failed; will retry',
        {
          job: run.kind,
          survey: run.surveyId,
          due: run.scheduledFor,
          attempts,
          error: describeError(error),
          ...(retryAt === undefined ? {} : { retryAt: retryAt.toISOString() }),
        },
      );
    } finally {
      clearInterval(heartbeat);
      this.running.delete(run.id);
    }
  }

  private specOf(survey: Survey, kind: 'pulse' | 'digest'): CronSpec | undefined {
    const expression = kind === 'pulse' ? survey.pulseCron : survey.digestCron;
    const parsed = parseCronExpression(expression);
    if (!parsed.ok) {
      this.ctx.logger.error('a survey has a schedule that cannot run', {
        survey: survey.id,
        job: kind,
        problem: parsed.message,
      });
      return undefined;
    }
    return parsed.value;
  }

  private track(work: Promise<void>): Promise<void> {
    return this.inFlight.track(
      work.catch((error: unknown) =>
        this.ctx.logger.error('scheduled work failed', describeError(error)),
      ),
    );
  }
}

/** The hour (UTC) the daily retention job runs from. */
const RETENTION_HOUR_UTC = 3;
/** schedule_runs.survey_id for jobs that belong to no survey. */
const NO_SURVEY = 0;

/** When this process started, in milliseconds: two lives of one pid differ here. */
const PROCESS_STARTED = Math.round(performance.timeOrigin);

/**
 * Whether the process that claimed a run is gone: it ran on this machine and its
 * pid is no longer alive, or the pid is this process's own but from an earlier
 * life (a restarted container keeps pid 1). Claims from other machines are not
 * judged here; they wait out the lease.
 */
export function claimantIsGone(claimedBy: string | null, self: string): boolean {
  if (claimedBy === null || claimedBy === self) return false;
  const parts = claimedBy.split(':');
  const pid = Number(parts.at(-3));
  const started = Number(parts.at(-2));
  const host = parts.slice(0, -3).join(':');
  if (host !== hostname() || !Number.isSafeInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return started !== PROCESS_STARTED;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
