-- The two sides of the perception gap (DESIGN.md, Scores; README, Anonymity).
--
-- Every discipline counts with one side: Product and Engineering with their
-- own, Design, Program / TPM and Other with the side an admin chooses for the
-- survey (by default Design with Product, Program / TPM and Other with
-- Engineering). A pulse keeps the choice in effect when it opened, so a change
-- applies from the next pulse, like a change of discipline.
ALTER TABLE surveys ADD COLUMN design_side TEXT NOT NULL DEFAULT 'product'
  CHECK (design_side IN ('product', 'engineering'));
ALTER TABLE surveys ADD COLUMN program_side TEXT NOT NULL DEFAULT 'engineering'
  CHECK (program_side IN ('product', 'engineering'));
ALTER TABLE surveys ADD COLUMN other_side TEXT NOT NULL DEFAULT 'engineering'
  CHECK (other_side IN ('product', 'engineering'));
ALTER TABLE pulses ADD COLUMN design_side TEXT NOT NULL DEFAULT 'product'
  CHECK (design_side IN ('product', 'engineering'));
ALTER TABLE pulses ADD COLUMN program_side TEXT NOT NULL DEFAULT 'engineering'
  CHECK (program_side IN ('product', 'engineering'));
ALTER TABLE pulses ADD COLUMN other_side TEXT NOT NULL DEFAULT 'engineering'
  CHECK (other_side IN ('product', 'engineering'));

-- A pulse is published by side from now on: its cells are everyone, the
-- Product side and the Engineering side. Pulses published before keep their
-- cells by discipline as they were frozen; no pulse is ever published both
-- ways, so an old "Engineering" cell and a new "Engineering side" cell of the
-- same answers never stand side by side.
ALTER TABLE published_pulses ADD COLUMN unit TEXT NOT NULL DEFAULT 'side'
  CHECK (unit IN ('discipline', 'side'));
UPDATE published_pulses SET unit = 'discipline';

-- A cell's group gains the two sides. SQLite cannot widen a CHECK in place, so
-- the table is rebuilt with its rows; the column is renamed for what it holds.
CREATE TABLE published_cells_new (
  pulse_id    INTEGER NOT NULL REFERENCES published_pulses (pulse_id) ON DELETE CASCADE,
  question_id TEXT NOT NULL,
  dimension   TEXT NOT NULL CHECK (dimension IN ('okrs', 'roadmap', 'tech_debt', 'priorities',
                'customer_value', 'public_unity', 'interrupts', 'shared_why', 'ownership')),
  -- 'all', a side ('product_side', 'engineering_side'), or, in pulses published
  -- by discipline, one discipline.
  grp         TEXT NOT NULL CHECK (grp IN ('all', 'product_side', 'engineering_side',
                'product', 'engineering', 'design', 'program', 'other')),
  hidden      TEXT CHECK (hidden IS NULL OR hidden IN ('too_few', 'complement')),
  respondents INTEGER,
  n1          INTEGER,
  n2          INTEGER,
  n3          INTEGER,
  n4          INTEGER,
  n5          INTEGER,
  PRIMARY KEY (pulse_id, question_id, grp),
  CHECK (
    (hidden IS NULL AND respondents IS NOT NULL AND n1 IS NOT NULL AND n2 IS NOT NULL
      AND n3 IS NOT NULL AND n4 IS NOT NULL AND n5 IS NOT NULL)
    OR (hidden IS NOT NULL AND respondents IS NULL AND n1 IS NULL AND n2 IS NULL
      AND n3 IS NULL AND n4 IS NULL AND n5 IS NULL)
  )
) STRICT, WITHOUT ROWID;
INSERT INTO published_cells_new (pulse_id, question_id, dimension, grp, hidden, respondents,
  n1, n2, n3, n4, n5)
  SELECT pulse_id, question_id, dimension, discipline, hidden, respondents, n1, n2, n3, n4, n5
  FROM published_cells;
DROP TABLE published_cells;
ALTER TABLE published_cells_new RENAME TO published_cells;

-- A closed week's comments, frozen with it: the text, in an order that says
-- nothing (a hash of the pulse and the text), never with its author or a time.
-- forget-me removes the link to the author (the comments row), not the comment
-- published; so posting a closed week again shows the same comments.
CREATE TABLE published_comments (
  pulse_id INTEGER NOT NULL REFERENCES published_pulses (pulse_id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  body     TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
  PRIMARY KEY (pulse_id, position)
) STRICT, WITHOUT ROWID;
-- Pulses published before this migration get their comments frozen when the
-- app next starts (the order needs a hash SQL does not have).
ALTER TABLE published_pulses ADD COLUMN comments_frozen INTEGER NOT NULL DEFAULT 1
  CHECK (comments_frozen IN (0, 1));
UPDATE published_pulses SET comments_frozen = 0;

-- Why an agreement's gap could not be said, when it could not: the rule that
-- hid it, in words ("the Engineering side had fewer than 3 answering").
ALTER TABLE agreement_follow_ups ADD COLUMN gap_hidden TEXT;
