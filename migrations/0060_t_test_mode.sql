-- Test mode (issue 19): a merchant's test keys belong to its test twin, a merchant row of its own, so
-- every tenant scope (merchant_id) keeps test payments, balances, webhooks and statements apart from
-- live ones with no new filter. At most one twin per live merchant (made lazily, race-free through this
-- index); a twin's stores mirror the live merchant's under fresh ids, one per live store.
ALTER TABLE merchants ADD COLUMN test_of uuid REFERENCES merchants(id);
CREATE UNIQUE INDEX merchants_test_twin_idx ON merchants (test_of) WHERE test_of IS NOT NULL;

ALTER TABLE stores ADD COLUMN test_of text REFERENCES stores(id);
CREATE UNIQUE INDEX stores_test_twin_idx ON stores (test_of) WHERE test_of IS NOT NULL;
