-- What the bot publishes, frozen when a pulse closes, and the disciplines people
-- are counted under, with their history (DESIGN.md, Scores; README, Anonymity).
--
-- Every output (commands, App Home, digest, chart, export) reads only these
-- frozen figures, never the answers, so a later forget-me, role change,
-- retention run or edit never changes a number already published, and nothing
-- of a pulse still open can be shown. The app freezes every closed pulse that
-- has no publication yet when it starts, so a database written by the first
-- version gets its closed weeks frozen as they would have been published.

-- A closed pulse, as published: who could and who did answer.
CREATE TABLE published_pulses (
  pulse_id     INTEGER PRIMARY KEY REFERENCES pulses (id) ON DELETE CASCADE,
  survey_id    INTEGER NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
  -- The ISO week of the pulse's due time in the survey's time zone ('2026-W47')
  -- and that week's Monday as a local date ('2026-11-16').
  period       TEXT NOT NULL,
  week_start   TEXT NOT NULL,
  -- The anonymity threshold the pulse was published with.
  threshold    INTEGER NOT NULL CHECK (threshold >= 3),
  -- Distinct people who answered, and who the pulse went to.
  respondents  INTEGER NOT NULL CHECK (respondents >= 0),
  invited      INTEGER NOT NULL CHECK (invited >= 0),
  published_at TEXT NOT NULL
) STRICT;
CREATE INDEX published_pulses_by_survey ON published_pulses (survey_id, period);

-- One published cell: a question of a closed pulse, for everyone ('all') or one
-- discipline. A shown cell holds its answers of 1–5 (reversed questions already
-- flipped) and its distinct people; a hidden one holds only why it is hidden,
-- so no later sum can bring back what was held back.
CREATE TABLE published_cells (
  pulse_id    INTEGER NOT NULL REFERENCES published_pulses (pulse_id) ON DELETE CASCADE,
  question_id TEXT NOT NULL,
  -- The question's dimension when the pulse closed.
  dimension   TEXT NOT NULL CHECK (dimension IN ('okrs', 'roadmap', 'tech_debt', 'priorities',
                'customer_value', 'public_unity', 'interrupts', 'shared_why', 'ownership')),
  discipline  TEXT NOT NULL
                CHECK (discipline IN ('all', 'product', 'engineering', 'design', 'program', 'other')),
  -- NULL when shown; 'too_few' (under the threshold) or 'complement' (hidden so
  -- that a small group cannot be worked out from the others) when hidden.
  hidden      TEXT CHECK (hidden IS NULL OR hidden IN ('too_few', 'complement')),
  respondents INTEGER,
  n1          INTEGER,
  n2          INTEGER,
  n3          INTEGER,
  n4          INTEGER,
  n5          INTEGER,
  PRIMARY KEY (pulse_id, question_id, discipline),
  CHECK (
    (hidden IS NULL AND respondents IS NOT NULL AND n1 IS NOT NULL AND n2 IS NOT NULL
      AND n3 IS NOT NULL AND n4 IS NOT NULL AND n5 IS NOT NULL)
    OR (hidden IS NOT NULL AND respondents IS NULL AND n1 IS NULL AND n2 IS NULL
      AND n3 IS NULL AND n4 IS NULL AND n5 IS NULL)
  )
) STRICT, WITHOUT ROWID;

-- The disciplines a person is counted under. A person's first discipline holds
-- for every pulse (applies_from ''); a later change, which only an admin makes,
-- holds for pulses opened from its time on, so the answers already given keep
-- the discipline they were given under.
CREATE TABLE discipline_changes (
  team_id      TEXT NOT NULL REFERENCES workspaces (team_id) ON DELETE CASCADE,
  user_id      TEXT NOT NULL,
  discipline   TEXT NOT NULL CHECK (discipline IN ('product', 'engineering', 'design', 'program', 'other')),
  applies_from TEXT NOT NULL,
  -- The admin who made the change; NULL when the person set it themselves.
  changed_by   TEXT,
  changed_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  PRIMARY KEY (team_id, user_id, applies_from)
) STRICT, WITHOUT ROWID;
CREATE INDEX discipline_changes_by_changer ON discipline_changes (changed_by)
  WHERE changed_by IS NOT NULL;

INSERT INTO discipline_changes (team_id, user_id, discipline, applies_from, changed_at)
  SELECT team_id, user_id, discipline, '', updated_at FROM respondents WHERE discipline IS NOT NULL;

-- The history above replaces the one-discipline-per-person table.
DROP TABLE respondents;
