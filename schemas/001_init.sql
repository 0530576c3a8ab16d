-- 001: the review tables (CONTRACT.md section 4), the run ledger, delta state and tenant binding.

-- Every directory object seen, kept after removal with the time it was seen removed.
CREATE TABLE entities (
  entity_type     TEXT NOT NULL,   -- user | group | directoryRole | roleDefinition | administrativeUnit
                                   -- | servicePrincipal | application | appRole | subscribedSku
  id              TEXT NOT NULL,   -- Graph object id; appRole: '<resource servicePrincipal id>/<appRole id>'
  display_name    TEXT,
  data            TEXT NOT NULL,   -- JSON: the object's properties as last seen
  first_seen_run  INTEGER,
  last_seen_run   INTEGER,
  deleted_at      TEXT,            -- NULL while the object exists; ISO-8601 UTC time it was seen removed
  PRIMARY KEY (entity_type, id)
);

-- Every link (membership, ownership, manager, role...), kept after removal likewise.
CREATE TABLE entity_relations (
  relation        TEXT NOT NULL,   -- memberOf | ownerOf | hasRole | hasAppRole | appRoleOf | reportsTo | licensedWith | delegatedGrant
  source_type     TEXT NOT NULL,
  source_id       TEXT NOT NULL,
  target_type     TEXT NOT NULL,
  target_id       TEXT NOT NULL,
  scope           TEXT NOT NULL DEFAULT '',
  data            TEXT,
  first_seen_run  INTEGER,
  last_seen_run   INTEGER,
  deleted_at      TEXT,
  PRIMARY KEY (relation, source_type, source_id, target_type, target_id, scope)
) WITHOUT ROWID;

-- "Who is in this group / who holds this role": links are looked up from their target too. It leads
-- with relation, like the primary key, so the planner always prefers it when the target is known.
CREATE INDEX entity_relations_by_target ON entity_relations (relation, target_type, target_id, source_id);

-- The run ledger: one row per pull (or demo) run.
CREATE TABLE runs (
  id            INTEGER PRIMARY KEY,
  command       TEXT NOT NULL,                    -- pull | demo
  started_at    TEXT NOT NULL,
  ended_at      TEXT,
  outcome       TEXT NOT NULL DEFAULT 'running',  -- running | success | partial | failed | interrupted
  requests      INTEGER NOT NULL DEFAULT 0,
  throttled     INTEGER NOT NULL DEFAULT 0,       -- 429 (and 503 with Retry-After) responses
  retries       INTEGER NOT NULL DEFAULT 0,
  error         TEXT,
  tool_version  TEXT
);

-- Per-collection figures of each run. Counters are updated in the same transaction as each page,
-- so an interrupted run still shows what it committed.
CREATE TABLE run_collections (
  run_id          INTEGER NOT NULL REFERENCES runs (id),
  collection      TEXT NOT NULL,
  mode            TEXT NOT NULL,                   -- full | delta
  outcome         TEXT NOT NULL DEFAULT 'running', -- running | success | failed | interrupted
  started_at      TEXT NOT NULL,
  ended_at        TEXT,
  pages           INTEGER NOT NULL DEFAULT 0,
  upserts         INTEGER NOT NULL DEFAULT 0,      -- objects written (new or changed)
  deletions       INTEGER NOT NULL DEFAULT 0,      -- objects marked deleted
  links_upserted  INTEGER NOT NULL DEFAULT 0,
  links_deleted   INTEGER NOT NULL DEFAULT 0,
  requests        INTEGER NOT NULL DEFAULT 0,
  throttled       INTEGER NOT NULL DEFAULT 0,
  retries         INTEGER NOT NULL DEFAULT 0,
  resyncs         INTEGER NOT NULL DEFAULT 0,      -- full resyncs forced by an expired delta token or 410
  error           TEXT,
  PRIMARY KEY (run_id, collection)
);

-- Delta state per collection. A deltaLink encodes the query that started its chain, so when this
-- version asks for other properties (query differs) the chain is dropped and a full round runs. delta_link is the last complete round's @odata.deltaLink. While a round
-- is in progress, round_* say how to resume it; round_start_run is the run that started it, so a full
-- round can tombstone everything not seen since then.
CREATE TABLE sync_state (
  collection        TEXT PRIMARY KEY,
  query             TEXT,            -- the first request of the round the links belong to ($select...)
  delta_link        TEXT,
  delta_link_at     TEXT,
  last_full_at      TEXT,
  round_mode        TEXT,            -- full | delta, NULL when no round is in progress
  round_next_link   TEXT,
  round_start_run   INTEGER,
  round_started_at  TEXT,
  updated_at        TEXT
);

-- Facts about the database itself: tenant_id (a database belongs to one tenant), created_at.
CREATE TABLE meta (
  key    TEXT PRIMARY KEY,
  value  TEXT NOT NULL
);
