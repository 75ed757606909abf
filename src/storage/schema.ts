/**
 * The tables as the migrations leave them, for Kysely's type checking: written
 * by kysely-codegen from a SQLite database migrated to the newest migration
 * (ids made non-null), and kept in step with migrations/ and
 * migrations/postgres/ by hand since. Both engines store the same types: times
 * are ISO 8601 text, flags 0/1 integers.
 */

import type { ColumnType } from 'kysely';

export type Generated<T> =
  T extends ColumnType<infer S, infer I, infer U>
    ? ColumnType<S, I | undefined, U>
    : ColumnType<T, T | undefined, T>;

export interface AgreementFollowUps {
  agreement_id: number;
  gap_from: number | null;
  gap_hidden: string | null;
  gap_move: string;
  gap_to: number | null;
  pulse_id: number;
  score_from: number | null;
  score_move: string;
  score_to: number | null;
  weeks_after: number;
}

export interface AgreementMessages {
  agreement_id: number;
  channel_id: string;
  purpose: string;
  ts: string;
  user_id: string;
}

export interface Agreements {
  body: string;
  closed_at: string | null;
  closed_by: string | null;
  closed_said_in: string | null;
  dimension: string;
  engineering_owner: string | null;
  id: Generated<number>;
  note: string | null;
  product_owner: string | null;
  recorded_at: string;
  recorded_by: string | null;
  review_at: string;
  review_on: string;
  status: Generated<string>;
  survey_id: number;
}

export interface Answers {
  answered_at: string;
  discipline: string;
  pulse_id: number;
  question_id: string;
  updated_at: string;
  user_id: string;
  value: number;
}

export interface Comments {
  body: string;
  created_at: string;
  pulse_id: number;
  updated_at: string;
  user_id: string;
}

export interface DeliveryFailures {
  action: string;
  channel_id: string | null;
  error: string;
  id: Generated<number>;
  notified_at: string | null;
  occurred_at: Generated<string>;
  survey_id: number | null;
  team_id: string;
}

export interface Digests {
  channel_id: string;
  period: string;
  posted_at: Generated<string>;
  survey_id: number;
  ts: string | null;
}

export interface DisciplineChanges {
  applies_from: string;
  changed_at: Generated<string>;
  changed_by: string | null;
  discipline: string;
  team_id: string;
  user_id: string;
}

export interface Installations {
  bot_user_id: string | null;
  enterprise_id: string | null;
  id: Generated<number>;
  installed_at: Generated<string>;
  installed_by: string | null;
  is_enterprise_install: Generated<number>;
  sealed: string;
  team_id: string | null;
  tenant_id: string;
  token_expires_at: string | null;
  updated_at: Generated<string>;
}

export interface PublishedCalls {
  call: string;
  line: string;
  pulse_id: number;
  scope: string;
}

export interface PublishedCells {
  dimension: string;
  grp: string;
  hidden: string | null;
  n1: number | null;
  n2: number | null;
  n3: number | null;
  n4: number | null;
  n5: number | null;
  pulse_id: number;
  question_id: string;
  respondents: number | null;
}

export interface PublishedComments {
  body: string;
  position: number;
  pulse_id: number;
}

export interface PublishedPulses {
  comments_frozen: Generated<number>;
  invited: number;
  period: string;
  published_at: string;
  pulse_id: Generated<number>;
  respondents: number;
  survey_id: number;
  threshold: number;
  unit: Generated<string>;
  week_start: string;
}

export interface PulseMessages {
  channel_id: string;
  kind: string;
  posted_at: Generated<string>;
  pulse_id: number;
  ts: string | null;
  user_id: string | null;
}

export interface PulseQuestions {
  position: number;
  pulse_id: number;
  question_id: string;
}

export interface PulseRecipients {
  pulse_id: number;
  user_id: string;
}

export interface Pulses {
  closed_at: string | null;
  closes_at: string;
  count_shown_at: string | null;
  design_side: Generated<string>;
  due_at: string;
  id: Generated<number>;
  opened_at: string;
  other_side: Generated<string>;
  program_side: Generated<string>;
  reminded_at: string | null;
  survey_id: number;
}

export interface Questions {
  created_at: Generated<string>;
  created_by: string | null;
  dimension: string;
  id: string;
  retired_at: string | null;
  reversed: Generated<number>;
  survey_id: number | null;
  text: string;
}

export interface ScheduleRuns {
  attempts: Generated<number>;
  claimed_at: Generated<string>;
  claimed_by: string | null;
  finished_at: string | null;
  id: Generated<number>;
  kind: string;
  last_error: string | null;
  next_attempt_at: string | null;
  scheduled_for: string;
  status: Generated<string>;
  subject_id: Generated<number>;
  survey_id: number;
}

export interface SurveyChannels {
  channel_id: string;
  role: string;
  survey_id: number;
  team_id: string;
}

export interface Surveys {
  anonymity_threshold: number | null;
  created_at: Generated<string>;
  created_by: string | null;
  delivery: Generated<string>;
  design_side: Generated<string>;
  digest_cron: Generated<string>;
  digest_schedule_from: string | null;
  id: Generated<number>;
  open_hours: Generated<number>;
  other_side: Generated<string>;
  paused_until: string | null;
  program_side: Generated<string>;
  pulse_cron: Generated<string>;
  pulse_schedule_from: string | null;
  questions_per_pulse: Generated<number>;
  reminder_hours: Generated<number | null>;
  team_id: string;
  timezone: Generated<string>;
  updated_at: Generated<string>;
}

export interface Workspaces {
  bot_user_id: string | null;
  enterprise_id: string | null;
  installed_at: Generated<string>;
  installed_by: string | null;
  name: string | null;
  refresh_failed_at: string | null;
  team_id: string;
  uninstalled_at: string | null;
}

export interface Schema {
  agreement_follow_ups: AgreementFollowUps;
  agreement_messages: AgreementMessages;
  agreements: Agreements;
  answers: Answers;
  comments: Comments;
  delivery_failures: DeliveryFailures;
  digests: Digests;
  discipline_changes: DisciplineChanges;
  installations: Installations;
  published_calls: PublishedCalls;
  published_cells: PublishedCells;
  published_comments: PublishedComments;
  published_pulses: PublishedPulses;
  pulse_messages: PulseMessages;
  pulse_questions: PulseQuestions;
  pulse_recipients: PulseRecipients;
  pulses: Pulses;
  questions: Questions;
  schedule_runs: ScheduleRuns;
  survey_channels: SurveyChannels;
  surveys: Surveys;
  workspaces: Workspaces;
}
