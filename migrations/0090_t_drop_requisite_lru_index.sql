-- rampart:no-transaction
-- The contract step 0033_a announced: trading_requisites_lru_idx (0024_a) served the pick of releases
-- before 0033_a, which walk trading_requisites_pick_unheld_idx instead (same columns, held requisites
-- left out). Every create writes its requisite's turn (last_assigned_at), an update that cannot be HOT
-- since both indexes hold that column, so each turn wrote an entry into both (issue 16). Dropped
-- concurrently: creates update the table all the time (docs/operations.md#upgrades-without-downtime).
DROP INDEX CONCURRENTLY IF EXISTS trading_requisites_lru_idx;
