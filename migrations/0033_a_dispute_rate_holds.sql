-- Trading dispute rates take requisites and traders out of allocation (issue 17, docs/risk.md).
-- Each requisite counts the pay-ins it was given (in the statement that already writes its turn,
-- last_assigned_at) and the pay-ins of it that went to a first dispute; a trader's rate is the sum over
-- its requisites, read only when a dispute opens. Over the platform's threshold, risk_held_at takes the
-- requisite (or all of the trader's) out of the pick until an operator releases it.
ALTER TABLE trading_requisites ADD COLUMN payins_assigned integer NOT NULL DEFAULT 0;
ALTER TABLE trading_requisites ADD COLUMN disputes_opened integer NOT NULL DEFAULT 0;
ALTER TABLE trading_requisites ADD COLUMN risk_held_at timestamptz;
ALTER TABLE traders ADD COLUMN risk_held_at timestamptz;

-- The pick walks this index in its own order and only over requisites it may give (enabled, not
-- held), so a held requisite costs the walk nothing. Requisites are few (thousands), so the build is
-- short. trading_requisites_lru_idx (0024_a) stays for the previous release's processes during a
-- rollout; it is dropped in a later contract migration.
CREATE INDEX trading_requisites_pick_unheld_idx ON trading_requisites (fiat_currency, last_assigned_at ASC NULLS FIRST, id)
  WHERE enabled AND risk_held_at IS NULL;
-- The operator's list of held requisites. (A trader's requisites are summed through
-- trading_requisites_trader_idx, 0004.)
CREATE INDEX trading_requisites_held_idx ON trading_requisites (risk_held_at) WHERE risk_held_at IS NOT NULL;
