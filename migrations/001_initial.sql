-- The whole domain of Alignment Pulse (see DESIGN.md). Times are UTC ISO-8601
-- text ('2026-11-23T08:00:00.000Z'), which sorts and compares as time does.

-- A Slack workspace the app is installed in.
CREATE TABLE workspaces (
  team_id        TEXT PRIMARY KEY,
  name           TEXT,
  bot_user_id    TEXT,
  installed_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  -- Set on app_uninstalled or tokens_revoked: the workspace's schedules stop.
  uninstalled_at TEXT
) STRICT;

-- A leader who answers pulses, with the discipline they said they are in.
CREATE TABLE respondents (
  team_id    TEXT NOT NULL REFERENCES workspaces (team_id) ON DELETE CASCADE,
  user_id    TEXT NOT NULL,
  discipline TEXT CHECK (discipline IN ('product', 'engineering', 'design', 'program', 'other')),
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  PRIMARY KEY (team_id, user_id)
) STRICT, WITHOUT ROWID;

-- One survey: who is asked, when, how, and where its digest goes.
CREATE TABLE surveys (
  id                   INTEGER PRIMARY KEY,
  team_id              TEXT NOT NULL REFERENCES workspaces (team_id) ON DELETE CASCADE,
  -- Five-field cron expression, read in the survey's time zone.
  pulse_cron           TEXT NOT NULL DEFAULT '0 9 * * 1',
  timezone             TEXT NOT NULL DEFAULT 'UTC',
  questions_per_pulse  INTEGER NOT NULL DEFAULT 5 CHECK (questions_per_pulse BETWEEN 1 AND 10),
  open_hours           INTEGER NOT NULL DEFAULT 72 CHECK (open_hours BETWEEN 1 AND 336),
  delivery             TEXT NOT NULL DEFAULT 'channel' CHECK (delivery IN ('channel', 'dm')),
  -- Hours before closing that non-respondents get one reminder; NULL: no reminders.
  reminder_hours       INTEGER DEFAULT 24 CHECK (reminder_hours IS NULL OR reminder_hours >= 1),
  digest_cron          TEXT NOT NULL DEFAULT '0 16 * * 5',
  -- NULL: the app's ANONYMITY_THRESHOLD. Never below 3.
  anonymity_threshold  INTEGER CHECK (anonymity_threshold IS NULL OR anonymity_threshold >= 3),
  -- No pulse opens before this time (holidays, a reorg); NULL: running.
  paused_until         TEXT,
  created_by           TEXT,
  created_at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
CREATE INDEX surveys_by_team ON surveys (team_id);

-- The channels of a survey: leadership channels get the pulse, digest channels the digest.
CREATE TABLE survey_channels (
  survey_id  INTEGER NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
  role       TEXT NOT NULL CHECK (role IN ('leadership', 'digest')),
  channel_id TEXT NOT NULL,
  PRIMARY KEY (survey_id, role, channel_id)
) STRICT, WITHOUT ROWID;
-- A channel is the leadership channel of one survey at most.
CREATE UNIQUE INDEX survey_channels_one_leadership
  ON survey_channels (channel_id) WHERE role = 'leadership';

-- The question catalogue: the built-in statements (survey_id NULL) and admins'
-- custom ones. Ids are stable: editing wording keeps the id and its history.
CREATE TABLE questions (
  id         TEXT PRIMARY KEY,
  dimension  TEXT NOT NULL CHECK (dimension IN ('okrs', 'roadmap', 'tech_debt', 'priorities',
               'customer_value', 'public_unity', 'interrupts', 'shared_why', 'ownership')),
  text       TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 300),
  -- 1 when agreeing is unhealthy: scores flip the answer.
  reversed   INTEGER NOT NULL DEFAULT 0 CHECK (reversed IN (0, 1)),
  survey_id  INTEGER REFERENCES surveys (id) ON DELETE CASCADE,
  created_by TEXT,
  -- Out of rotation; answers already given keep counting.
  retired_at TEXT,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
CREATE INDEX questions_by_survey ON questions (survey_id, dimension);

-- One pulse of a survey, opened for its scheduled time.
CREATE TABLE pulses (
  id          INTEGER PRIMARY KEY,
  survey_id   INTEGER NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
  due_at      TEXT NOT NULL,
  opened_at   TEXT NOT NULL,
  closes_at   TEXT NOT NULL,
  reminded_at TEXT,
  closed_at   TEXT,
  -- Opening twice for one due time is the same pulse.
  UNIQUE (survey_id, due_at)
) STRICT;
CREATE INDEX pulses_by_survey_time ON pulses (survey_id, opened_at);
CREATE INDEX pulses_open ON pulses (closes_at) WHERE closed_at IS NULL;

-- The questions a pulse asked, in the order asked.
CREATE TABLE pulse_questions (
  pulse_id    INTEGER NOT NULL REFERENCES pulses (id) ON DELETE CASCADE,
  position    INTEGER NOT NULL,
  question_id TEXT NOT NULL REFERENCES questions (id),
  PRIMARY KEY (pulse_id, position),
  UNIQUE (pulse_id, question_id)
) STRICT, WITHOUT ROWID;

-- The people a pulse went to: the base of the response rate and of reminders.
CREATE TABLE pulse_recipients (
  pulse_id INTEGER NOT NULL REFERENCES pulses (id) ON DELETE CASCADE,
  user_id  TEXT NOT NULL,
  PRIMARY KEY (pulse_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX pulse_recipients_by_user ON pulse_recipients (user_id);

-- Every message the app posted for a pulse (the channel message, each DM, the
-- notice), so counts and closing update them all and nothing is posted twice.
CREATE TABLE pulse_messages (
  pulse_id   INTEGER NOT NULL REFERENCES pulses (id) ON DELETE CASCADE,
  channel_id TEXT NOT NULL,
  kind       TEXT NOT NULL CHECK (kind IN ('channel', 'dm', 'notice', 'reminder')),
  -- The DM's recipient; NULL for channel messages.
  user_id    TEXT,
  ts         TEXT,
  posted_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  PRIMARY KEY (pulse_id, channel_id, kind)
) STRICT, WITHOUT ROWID;
CREATE INDEX pulse_messages_by_user ON pulse_messages (user_id) WHERE user_id IS NOT NULL;

-- One answer per pulse, question and person. The discipline is the one the person
-- had when answering, so a later change of role does not rewrite history.
CREATE TABLE answers (
  pulse_id    INTEGER NOT NULL REFERENCES pulses (id) ON DELETE CASCADE,
  question_id TEXT NOT NULL REFERENCES questions (id),
  user_id     TEXT NOT NULL,
  discipline  TEXT NOT NULL CHECK (discipline IN ('product', 'engineering', 'design', 'program', 'other')),
  value       INTEGER NOT NULL CHECK (value BETWEEN 1 AND 5),
  answered_at TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  PRIMARY KEY (pulse_id, question_id, user_id)
) STRICT, WITHOUT ROWID;
-- forget-me and "what did I answer" look answers up by person.
CREATE INDEX answers_by_user ON answers (user_id, pulse_id);
-- Scores and trends read a pulse's answers through the primary key: the table is
-- WITHOUT ROWID, so the key's b-tree holds the whole row, ordered by pulse.
-- Retention deletes by age.
CREATE INDEX answers_by_time ON answers (answered_at);

-- Anonymous comments: the author is kept only so they can edit or forget it;
-- it is never shown with the comment.
CREATE TABLE comments (
  pulse_id   INTEGER NOT NULL REFERENCES pulses (id) ON DELETE CASCADE,
  user_id    TEXT NOT NULL,
  body       TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (pulse_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX comments_by_user ON comments (user_id);
CREATE INDEX comments_by_time ON comments (created_at);

-- A scheduled run, claimed before it acts: only the process that inserted the
-- row runs the job, so a run happens once across processes and restarts.
-- survey_id is 0 for jobs that belong to no survey (retention).
CREATE TABLE schedule_runs (
  id              INTEGER PRIMARY KEY,
  kind            TEXT NOT NULL CHECK (kind IN ('pulse', 'digest', 'remind', 'close', 'retention')),
  survey_id       INTEGER NOT NULL,
  scheduled_for   TEXT NOT NULL,
  status          TEXT NOT NULL DEFAULT 'running'
                    CHECK (status IN ('running', 'done', 'failed', 'retrying', 'skipped')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  claimed_by      TEXT,
  claimed_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  next_attempt_at TEXT,
  finished_at     TEXT,
  last_error      TEXT,
  UNIQUE (kind, survey_id, scheduled_for)
) STRICT;
CREATE INDEX schedule_runs_retry ON schedule_runs (next_attempt_at) WHERE status = 'retrying';

-- Digests posted, one per survey, period and channel, so posting is idempotent.
CREATE TABLE digests (
  survey_id  INTEGER NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
  -- The ISO week the digest covers, in the survey's time zone: '2026-W47'.
  period     TEXT NOT NULL,
  channel_id TEXT NOT NULL,
  ts         TEXT,
  posted_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  PRIMARY KEY (survey_id, period, channel_id)
) STRICT, WITHOUT ROWID;

-- Slack calls that failed for good (the bot is not in a channel, a channel was
-- archived): shown to admins in the App Home, and sent to them once.
CREATE TABLE delivery_failures (
  id          INTEGER PRIMARY KEY,
  team_id     TEXT NOT NULL REFERENCES workspaces (team_id) ON DELETE CASCADE,
  survey_id   INTEGER REFERENCES surveys (id) ON DELETE CASCADE,
  channel_id  TEXT,
  action      TEXT NOT NULL,
  error       TEXT NOT NULL,
  occurred_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  notified_at TEXT
) STRICT;
CREATE INDEX delivery_failures_recent ON delivery_failures (team_id, occurred_at);
