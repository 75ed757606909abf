-- When a pulse message's answer count was last rewritten (wall-clock time), so
-- that several instances together update it at most once every few seconds.
ALTER TABLE pulses ADD COLUMN count_shown_at TEXT;
