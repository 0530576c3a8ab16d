-- 003: sign-in events (the signIns collection) and the watermark of event collections.

-- One row per sign-in event, appended and never rewritten; a window that reaches back over the last
-- one meets events already stored, which the primary key turns away (INSERT OR IGNORE).
-- Interactive user sign-ins only: that is what Graph v1.0 /auditLogs/signIns returns (graph-facts 5.1).
CREATE TABLE sign_ins (
  id                          TEXT PRIMARY KEY,   -- the sign-in's id
  created_at                  TEXT NOT NULL,      -- createdDateTime, ISO-8601 UTC
  user_id                     TEXT,
  user_principal_name         TEXT,
  user_display_name           TEXT,
  app_id                      TEXT,               -- the client application's appId
  app_display_name            TEXT,
  resource_id                 TEXT,               -- the resource signed in to (appId)
  resource_display_name       TEXT,
  ip_address                  TEXT,
  client_app_used             TEXT,
  is_interactive              INTEGER,            -- 1 / 0
  status_error_code           INTEGER,            -- 0 = success
  failure_reason              TEXT,
  conditional_access_status   TEXT,               -- success | failure | notApplied
  risk_level_during_sign_in   TEXT,
  country                     TEXT,               -- location.countryOrRegion
  city                        TEXT,
  data                        TEXT NOT NULL,      -- JSON: the whole event as Graph sent it
  run_id                      INTEGER NOT NULL    -- the run that stored it first
) WITHOUT ROWID;
CREATE INDEX sign_ins_by_user ON sign_ins (user_id, app_id, created_at);
CREATE INDEX sign_ins_by_app ON sign_ins (app_id, created_at);
CREATE INDEX sign_ins_by_time ON sign_ins (created_at);

-- What reviewers ask first: when did this user last sign in to this app, and how often (in the
-- events kept; see `prune --sign-ins-days`).
CREATE VIEW sign_in_summary AS
SELECT user_id,
       app_id,
       MAX(user_principal_name)                                  AS user_principal_name,
       MAX(app_display_name)                                     AS app_display_name,
       COUNT(*)                                                  AS sign_ins,
       SUM(status_error_code = 0)                                AS successful,
       MAX(created_at)                                           AS last_sign_in,
       MAX(CASE WHEN status_error_code = 0 THEN created_at END)  AS last_successful_sign_in
FROM sign_ins
GROUP BY user_id, app_id;

-- Event collections: the end of the last complete window (ISO-8601 UTC). The next window starts
-- there, reaching back by the overlap.
ALTER TABLE sync_state ADD COLUMN watermark TEXT;
