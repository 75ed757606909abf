-- When each of a survey's schedules took effect: set when the survey is created
-- and whenever its pulse or digest schedule (or its time zone) changes. A due
-- time before it was never missed — the schedule did not exist yet — so it is
-- never caught up. NULL (surveys from before this migration): no such limit.
ALTER TABLE surveys ADD COLUMN pulse_schedule_from TEXT;
ALTER TABLE surveys ADD COLUMN digest_schedule_from TEXT;
