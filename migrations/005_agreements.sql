-- Agreements: what a leadership sync agreed on one dimension, owned by one
-- product leader and one engineering leader, reviewed on a date. They are
-- organisational records, not anonymous: the text, the owners and who recorded
-- it are shown. forget-me sets a person's columns to NULL ("a former leader").
CREATE TABLE agreements (
  id                INTEGER PRIMARY KEY,
  survey_id         INTEGER NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
  dimension         TEXT NOT NULL,
  body              TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 300),
  product_owner     TEXT,
  engineering_owner TEXT,
  recorded_by       TEXT,
  recorded_at       TEXT NOT NULL,
  -- The day of the review (YYYY-MM-DD, in the survey's time zone) and the moment it is due.
  review_on         TEXT NOT NULL,
  review_at         TEXT NOT NULL,
  status            TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'dropped')),
  closed_at         TEXT,
  closed_by         TEXT,
  note              TEXT CHECK (note IS NULL OR length(note) <= 300),
  -- The digest week that said it was closed, so it is said once.
  closed_said_in    TEXT
) STRICT;
CREATE INDEX agreements_by_survey ON agreements (survey_id, status);
CREATE INDEX agreements_due ON agreements (review_at) WHERE status = 'open';

-- Each DM sent about an agreement (to an owner, when recorded or at a review),
-- noted so that a retried run sends only the ones still missing.
CREATE TABLE agreement_messages (
  agreement_id INTEGER NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
  user_id      TEXT NOT NULL,
  -- 'recorded', or 'review:' and the review day.
  purpose      TEXT NOT NULL,
  channel_id   TEXT NOT NULL,
  ts           TEXT NOT NULL,
  PRIMARY KEY (agreement_id, user_id, purpose)
) STRICT;

-- Runs gain two kinds, each about one agreement (subject_id): the owners' DMs
-- when it is recorded, and its review. SQLite cannot change a CHECK or a UNIQUE
-- in place, so the table is rebuilt with its rows.
CREATE TABLE schedule_runs_new (
  id              INTEGER PRIMARY KEY,
  kind            TEXT NOT NULL CHECK (kind IN ('pulse', 'digest', 'remind', 'close', 'retention', 'agreement', 'review')),
  survey_id       INTEGER NOT NULL,
  subject_id      INTEGER NOT NULL DEFAULT 0,
  scheduled_for   TEXT NOT NULL,
  status          TEXT NOT NULL DEFAULT 'running'
                    CHECK (status IN ('running', 'done', 'failed', 'retrying', 'skipped')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  claimed_by      TEXT,
  claimed_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  next_attempt_at TEXT,
  finished_at     TEXT,
  last_error      TEXT,
  UNIQUE (kind, survey_id, subject_id, scheduled_for)
) STRICT;
INSERT INTO schedule_runs_new (id, kind, survey_id, scheduled_for, status, attempts, claimed_by,
  claimed_at, next_attempt_at, finished_at, last_error)
  SELECT id, kind, survey_id, scheduled_for, status, attempts, claimed_by, claimed_at,
    next_attempt_at, finished_at, last_error FROM schedule_runs;
DROP TABLE schedule_runs;
ALTER TABLE schedule_runs_new RENAME TO schedule_runs;
CREATE INDEX schedule_runs_retry ON schedule_runs (next_attempt_at) WHERE status = 'retrying';

-- What each closed week said of each open agreement: its follow-up, worked out
-- when the week's pulse closed and frozen with it, like the week's calls. Every
-- output reads these, so the same week says the same thing everywhere, and a
-- later forget-me or retention run never changes what an agreement's follow-up
-- said (its tests read individual answers, which those remove).
CREATE TABLE agreement_follow_ups (
  agreement_id INTEGER NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
  pulse_id     INTEGER NOT NULL REFERENCES published_pulses (pulse_id) ON DELETE CASCADE,
  weeks_after  INTEGER NOT NULL,
  score_from   REAL,
  score_to     REAL,
  score_move   TEXT NOT NULL CHECK (score_move IN ('rose', 'fell', 'no_clear_change', 'too_early')),
  gap_from     REAL,
  gap_to       REAL,
  gap_move     TEXT NOT NULL CHECK (gap_move IN ('narrowed', 'widened', 'no_clear_change', 'too_early')),
  PRIMARY KEY (agreement_id, pulse_id)
) STRICT;
