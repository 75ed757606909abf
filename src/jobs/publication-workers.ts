import { availableParallelism } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from '@slack/bolt';
import { describeError } from '../errors.js';
import { projectRoot } from '../paths.js';
import type { Publication, PublicationRequest } from '../reports/publication.js';
import type { StoreLocation } from '../storage/store.js';
import type { WorkerData, WorkerJob, WorkerReply } from './publication-worker.js';

/**
 * The worker's entry, compiled. Built code (dist/, as `npm start` runs it, or
 * a benchmark's or script's build) has it beside this file. Under vitest this
 * module runs from its TypeScript source, which a worker thread cannot load
 * (Node 20 runs no TypeScript): there the entry is dist/'s, which the suite
 * builds from the same source before any test (test/support/global-setup.ts).
 */
const here = fileURLToPath(import.meta.url);
export const WORKER_ENTRY =
  extname(here) === '.ts'
    ? join(projectRoot, 'dist', 'jobs', 'publication-worker.js')
    : join(dirname(here), 'publication-worker.js');

/**
 * How many worker threads at most: one fewer than the cores, so the main
 * thread keeps one for answering; at least one; no more than four (each holds
 * its own copy of the code and its connections, some 30 MB, and four work out
 * a thousand closes in well under a minute).
 */
export const WORKERS = Math.max(1, Math.min(4, availableParallelism() - 1));

interface Slot {
  worker: Worker;
  waiting: Map<
    number,
    { resolve: (p: Publication | undefined) => void; reject: (e: Error) => void }
  >;
}

/**
 * Worker threads that work out closed pulses' publications (see
 * jobs/publish-pulse.ts), each on a read-only Store of its own on the app's
 * database (`location`: the SQLite file, which an in-memory database cannot
 * share, or the Postgres server). Started when first needed, each job to the
 * least busy; a worker holds the process open only while it has work. A worker
 * that dies fails its jobs (their runs are retried) and is started afresh next time.
 */
export class PublicationWorkers {
  private readonly slots: (Slot | undefined)[];
  private nextId = 0;
  private stopped = false;

  constructor(
    private readonly location: StoreLocation,
    private readonly logger: Logger,
    size: number = WORKERS,
  ) {
    this.slots = Array.from({ length: size }, () => undefined);
  }

  workOut(request: PublicationRequest): Promise<Publication | undefined> {
    if (this.stopped) return Promise.reject(new Error('the publication workers are stopped'));
    const slot = this.leastBusy();
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      slot.waiting.set(id, { resolve, reject });
      slot.worker.ref();
      slot.worker.postMessage({ id, request } satisfies WorkerJob);
    });
  }

  /** Stops every worker; jobs still waiting fail. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.slots.map((slot) => slot?.worker.terminate()));
  }

  /** An idle worker (started now if none is), or else the one with the fewest jobs. */
  private leastBusy(): Slot {
    let best: Slot | undefined;
    for (const [i, existing] of this.slots.entries()) {
      const slot = existing ?? this.start(i);
      if (slot.waiting.size === 0) return slot;
      if (best === undefined || slot.waiting.size < best.waiting.size) best = slot;
    }
    if (best === undefined) throw new Error('there are no publication workers');
    return best;
  }

  private start(i: number): Slot {
    const worker = new Worker(WORKER_ENTRY, {
      workerData: { location: this.location } satisfies WorkerData,
    });
    const slot: Slot = { worker, waiting: new Map() };
    this.slots[i] = slot;
    worker.unref();
    worker.on('message', (reply: WorkerReply) => {
      const job = slot.waiting.get(reply.id);
      slot.waiting.delete(reply.id);
      if ('error' in reply) job?.reject(new Error(reply.error));
      else job?.resolve(reply.publication);
      if (slot.waiting.size === 0) worker.unref();
    });
    const fail = (error: Error) => {
      if (this.slots[i] === slot) this.slots[i] = undefined;
      for (const job of slot.waiting.values()) job.reject(error);
      slot.waiting.clear();
    };
    worker.on('error', (error) => {
      this.logger.error('a publication worker failed', describeError(error));
      fail(error);
    });
    worker.on('exit', (code) =>
      fail(new Error(`a publication worker stopped (exit code ${code})`)),
    );
    return slot;
  }
}
