-- Trader withdrawals (issue 15): a trader withdraws the free part of its deposit like a merchant its
-- balance. Addresses and withdrawals belong to a merchant or to a trader, exactly one of the two.
ALTER TABLE withdrawal_addresses ALTER COLUMN merchant_id DROP NOT NULL;
ALTER TABLE withdrawal_addresses ADD COLUMN trader_id text;
ALTER TABLE withdrawal_addresses ADD CONSTRAINT withdrawal_addresses_one_owner CHECK ((merchant_id IS NULL) <> (trader_id IS NULL));
-- A merchant's rows have no trader_id (NULLs never collide), so this only holds traders' addresses apart.
CREATE UNIQUE INDEX withdrawal_addresses_trader_live ON withdrawal_addresses (trader_id, network, address) WHERE removed_at IS NULL;
CREATE INDEX withdrawal_addresses_trader_list ON withdrawal_addresses (trader_id, id) WHERE removed_at IS NULL;

ALTER TABLE withdrawals ALTER COLUMN merchant_id DROP NOT NULL;
ALTER TABLE withdrawals ADD COLUMN trader_id text;
ALTER TABLE withdrawals ADD CONSTRAINT withdrawals_one_owner CHECK ((merchant_id IS NULL) <> (trader_id IS NULL));
CREATE INDEX withdrawals_trader ON withdrawals (trader_id, id);
