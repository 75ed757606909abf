-- One deployment for many workspaces (README, "Host it for many workspaces").
--
-- A tenant is what the app keeps data by (the team_id columns): a workspace,
-- or an Enterprise Grid org whose org-wide installation serves every
-- workspace of it (its enterprise id then stands in team_id).

-- Installations by OAuth, one a workspace or one an org-wide install. The
-- tokens are in `sealed` only: the whole installation Bolt hands over, as
-- JSON, encrypted with AES-256-GCM under TOKEN_ENCRYPTION_KEY and bound to
-- its row's ids (storage/installations.ts). The plain columns are what a
-- look-up and an operator need, and are no secret.
CREATE TABLE installations (
  id INTEGER PRIMARY KEY,
  -- The tenant it serves: the workspace, or the org for an org-wide install.
  tenant_id TEXT NOT NULL UNIQUE,
  team_id TEXT,
  enterprise_id TEXT,
  is_enterprise_install INTEGER NOT NULL DEFAULT 0 CHECK (is_enterprise_install IN (0, 1)),
  bot_user_id TEXT,
  installed_by TEXT,
  -- When the bot token expires (token rotation), as Slack said; NULL without rotation.
  token_expires_at TEXT,
  sealed TEXT NOT NULL,
  installed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  CHECK ((is_enterprise_install = 1 AND enterprise_id = tenant_id)
      OR (is_enterprise_install = 0 AND team_id = tenant_id))
) STRICT;
CREATE INDEX installations_enterprise ON installations (enterprise_id) WHERE is_enterprise_install = 1;

-- The org a workspace belongs to, who installed the app there (an admin of
-- it in the app), and when a refused token refresh was last told to admins.
ALTER TABLE workspaces ADD COLUMN enterprise_id TEXT;
ALTER TABLE workspaces ADD COLUMN installed_by TEXT;
ALTER TABLE workspaces ADD COLUMN refresh_failed_at TEXT;

-- A leadership channel leads one survey of a tenant. Two tenants may each
-- have a survey in a channel they share (Slack Connect): neither ever sees
-- the other's. The tenant is kept beside each channel (the table rebuilt, as
-- SQLite adds no NOT NULL column to a filled table).
CREATE TABLE survey_channels_new (
  survey_id  INTEGER NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
  team_id    TEXT NOT NULL,
  role       TEXT NOT NULL CHECK (role IN ('leadership', 'digest')),
  channel_id TEXT NOT NULL,
  PRIMARY KEY (survey_id, role, channel_id)
) STRICT, WITHOUT ROWID;
INSERT INTO survey_channels_new (survey_id, team_id, role, channel_id)
  SELECT c.survey_id, s.team_id, c.role, c.channel_id
  FROM survey_channels c JOIN surveys s ON s.id = c.survey_id;
DROP TABLE survey_channels;
ALTER TABLE survey_channels_new RENAME TO survey_channels;
CREATE UNIQUE INDEX survey_channels_one_leadership
  ON survey_channels (team_id, channel_id) WHERE role = 'leadership';
