-- 004: how a collection's full round read Graph ('listing': a baseline deltaLink, then plain listings
-- in parallel; 'delta chain': the delta function's page chain, with why when the listing was refused).
-- NULL for delta rounds and for collections that are not delta-tracked.
ALTER TABLE run_collections ADD COLUMN full_read TEXT;
