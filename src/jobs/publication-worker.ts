import { parentPort, workerData } from 'node:worker_threads';
import { describeError } from '../errors.js';
import { type PublicationRequest, workOutPublication } from '../reports/publication.js';
import { openReader } from '../storage/database.js';

/**
 * A worker thread of PublicationWorkers (publication-workers.ts): works out
 * closed pulses' publications, one at a time, on a read-only connection to the
 * app's database, and hands each back. It writes nothing.
 */

export interface WorkerJob {
  id: number;
  request: PublicationRequest;
}

export type WorkerReply =
  | { id: number; publication: ReturnType<typeof workOutPublication> }
  | { id: number; error: string };

const port = parentPort;
if (port === null) throw new Error('publication-worker runs only as a worker thread');
const db = openReader((workerData as { databasePath: string }).databasePath);
port.on('message', ({ id, request }: WorkerJob) => {
  let reply: WorkerReply;
  try {
    reply = { id, publication: workOutPublication(db, request) };
  } catch (error) {
    reply = { id, error: describeError(error) };
  }
  port.postMessage(reply);
});
