-- The requisite pick walks enabled requisites of a currency least recently used first
-- (ORDER BY last_assigned_at ASC NULLS FIRST, id) and stops at its first 24 candidates. The old index
-- sorted NULLS LAST, so the planner read and checked every requisite, then sorted: a create's cost
-- grew with the number of requisites and of their open pay-ins. In the pick's own order the walk
-- stops early and the cost stays flat (bench/trading-allocation.ts, issue 16).
CREATE INDEX trading_requisites_lru_idx ON trading_requisites (fiat_currency, last_assigned_at ASC NULLS FIRST, id) WHERE enabled;
DROP INDEX trading_requisites_pick_idx;
