-- The calls a closed week's outputs make (DESIGN.md, Trends; src/domain/trends.ts),
-- worked out when its pulse closes, from the answers of groups large enough to
-- publish, and frozen with the pulse's publication like its cells: a later
-- forget-me or role change never changes a call already made.
CREATE TABLE published_calls (
  pulse_id INTEGER NOT NULL REFERENCES published_pulses (pulse_id) ON DELETE CASCADE,
  -- 'trend' (scope: 'index' or a dimension), 'gap' (scope: a dimension), or
  -- 'featured_gap_trend' (scope: the dimension whose gap the digest features).
  line     TEXT NOT NULL CHECK (line IN ('trend', 'gap', 'featured_gap_trend')),
  scope    TEXT NOT NULL CHECK (scope IN ('index', 'okrs', 'roadmap', 'tech_debt', 'priorities',
             'customer_value', 'public_unity', 'interrupts', 'shared_why', 'ownership')),
  call     TEXT NOT NULL CHECK (call IN ('rise', 'fall', 'no_change', 'not_enough_data', 'apart',
             'aligned', 'no_clear_gap', 'widening', 'narrowing', 'no_clear_change')),
  PRIMARY KEY (pulse_id, line, scope)
) STRICT, WITHOUT ROWID;
