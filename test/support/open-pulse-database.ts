import { createServer } from 'node:net';
import { sql } from 'kysely';
import { CATALOGUE, type Question } from '../../src/domain/catalogue.js';
import { migrationsDir } from '../../src/paths.js';
import { migrate } from '../../src/storage/migrate.js';
import { createPulse, type Pulse, setRecipients } from '../../src/storage/pulses.js';
import { pulseQuestions, syncCatalogue } from '../../src/storage/questions.js';
import { openStore, type Store, type StoreLocation } from '../../src/storage/store.js';
import { findOrCreateSurvey, type Survey } from '../../src/storage/surveys.js';
import { pulseModal } from '../../src/views/pulse-modal.js';
import { run } from './db.js';
import type { OpenedView } from './slack-requests.js';
import { TEAM_ID } from './slack-stand-in.js';

/**
 * A database ready for an app process to start on (a SQLite file's path, or
 * any location): migrated, with the catalogue, the workspace, and a survey for
 * `channelId` whose pulse of five questions is open for a day and was sent to
 * `people`. `more` may add to it before the database is closed.
 */
export async function openPulseDatabase(
  database: string | StoreLocation,
  channelId: string,
  people: readonly string[],
  more: (db: Store) => void | Promise<void> = () => {},
): Promise<{ survey: Survey; pulse: Pulse; questions: Question[]; form: OpenedView }> {
  const store = await openStore(
    typeof database === 'string' ? { engine: 'sqlite', path: database } : database,
  );
  try {
    await migrate(store, migrationsDir);
    const { db } = store;
    await syncCatalogue(db, CATALOGUE);
    await run(db, sql`INSERT INTO workspaces (team_id) VALUES (${TEAM_ID}) ON CONFLICT DO NOTHING`);
    const survey = await findOrCreateSurvey(db, {
      teamId: TEAM_ID,
      channelId,
      timezone: 'UTC',
      createdBy: 'U0ADMIN',
    });
    const now = new Date();
    const { pulse } = await createPulse(db, {
      surveyId: survey.id,
      dueAt: now,
      openedAt: now,
      closesAt: new Date(now.getTime() + 86_400_000),
      questionIds: [
        'okrs.same_direction',
        'roadmap.one_plan',
        'tech_debt.real_capacity',
        'priorities.ranked',
        'ownership.clear',
      ],
    });
    await setRecipients(db, pulse.id, [...people]);
    const questions = await pulseQuestions(db, pulse.id);
    await more(db);
    const form = {
      id: 'V0PREPARED',
      ...pulseModal({
        pulseId: pulse.id,
        questions,
        closesAt: pulse.closesAt,
        timezone: 'UTC',
        askDiscipline: true,
      }),
    } as OpenedView;
    return { survey, pulse, questions, form };
  } finally {
    await store.close();
  }
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Waits until something answers at `url` with a status under 500; throws after ten seconds. */
export async function waitUntilServing(url: string, describe: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const up = await fetch(url).then(
      (r) => r.status < 500,
      () => false,
    );
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing answered at ${url}:\n${describe()}`);
}
