import { parentPort, workerData } from 'node:worker_threads';
import { describeError } from '../errors.js';
import {
  type Publication,
  type PublicationRequest,
  workOutPublication,
} from '../reports/publication.js';
import { openStore, type StoreLocation } from '../storage/store.js';

/**
 * A worker thread of PublicationWorkers (publication-workers.ts): works out
 * closed pulses' publications on a read-only Store of its own (a read-only
 * connection to the SQLite file, or a small pool of connections to Postgres),
 * and hands each back. It writes nothing.
 */

export interface WorkerJob {
  id: number;
  request: PublicationRequest;
}

export type WorkerReply =
  | { id: number; publication: Publication | undefined }
  | { id: number; error: string };

/** What a worker is started with: where the app's database is. */
export interface WorkerData {
  location: StoreLocation;
}

const port = parentPort;
if (port === null) throw new Error('publication-worker runs only as a worker thread');
const opened = openStore((workerData as WorkerData).location, { readOnly: true, poolSize: 2 });
// A database that will not open fails each job with the reason (their runs are retried).
opened.catch(() => undefined);
port.on('message', async ({ id, request }: WorkerJob) => {
  let reply: WorkerReply;
  try {
    const { db } = await opened;
    reply = { id, publication: await workOutPublication(db, request) };
  } catch (error) {
    reply = { id, error: describeError(error) };
  }
  port.postMessage(reply);
});
