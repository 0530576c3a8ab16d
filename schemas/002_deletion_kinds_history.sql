-- 002: how an object went away, the effective-access view, and the append-only change history.

-- How an object went away (NULL while it exists):
--   soft       Graph reported @removed reason "changed": in deletedItems, restorable. Its links are kept.
--   permanent  Graph reported @removed reason "deleted": gone for good. Its links were removed on both sides.
--   unseen     A complete full round did not return it (soft or permanent, Graph did not say): treated as soft.
-- Rows deleted before this migration keep deleted_kind NULL (the kind was not recorded then).
ALTER TABLE entities ADD COLUMN deleted_kind TEXT;

-- A full round that ended marks its unseen links deleted only once every collection of the run has
-- settled which objects are gone (a link whose other end is soft-deleted or unseen is kept, and that
-- end may belong to a collection still running). The run start of such a round waits here until the
-- end of the run (or the start of the next one, after a crash).
ALTER TABLE sync_state ADD COLUMN links_unsettled_since INTEGER;

-- Why a collection's round in a run was full ('first round', '--full', 'resync: ...', 'scheduled: ...').
ALTER TABLE run_collections ADD COLUMN full_reason TEXT;

-- Access as Entra judges it: live links whose two ends are not deleted objects. An end without an
-- entity row (a device, or an object of a collection not pulled) counts as live.
CREATE VIEW effective_relations AS
SELECT r.*
FROM entity_relations AS r
WHERE r.deleted_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM entities AS s
                  WHERE s.entity_type = r.source_type AND s.id = r.source_id AND s.deleted_at IS NOT NULL)
  AND NOT EXISTS (SELECT 1 FROM entities AS t
                  WHERE t.entity_type = r.target_type AND t.id = r.target_id AND t.deleted_at IS NOT NULL);

-- Every change the store made to entities and entity_relations, appended in the same transaction as
-- the change itself and never rewritten: "what changed since run N", "who held X on date D".
--   objects: created | changed | soft_deleted | restored | deleted (permanent) | unseen
--   links:   added | removed | revived
CREATE TABLE changes (
  id           INTEGER PRIMARY KEY,
  run_id       INTEGER NOT NULL,
  at           TEXT NOT NULL,      -- ISO-8601 UTC time the pull made the change
  kind         TEXT NOT NULL,
  entity_type  TEXT,               -- object changes: the entities key
  entity_id    TEXT,
  relation     TEXT,               -- link changes: the entity_relations key
  source_type  TEXT,
  source_id    TEXT,
  target_type  TEXT,
  target_id    TEXT,
  scope        TEXT,
  properties   TEXT                -- changed / restored: JSON {"name": [old, new], ...} (null for a missing value)
);
-- Rows are appended in run order, so this index only ever grows at its end. No index on the object or
-- link key: random inserts into one would cost the first pull of a large tenant about a tenth of its time.
CREATE INDEX changes_by_run ON changes (run_id);
