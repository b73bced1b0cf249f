-- Withdrawals (issue 15): a merchant's allow-listed withdrawal addresses and its withdrawals.
--
-- withdrawal_addresses: one live row per (owner, network, address); removing an address stamps
-- removed_at (the row stays: a withdrawal names the address it went to). usable_from is added_at plus
-- the cooling-off period in force when it was added.
CREATE TABLE withdrawal_addresses (
  id           text PRIMARY KEY,
  merchant_id  uuid NOT NULL REFERENCES merchants(id),
  network      text NOT NULL,
  -- As paid: EIP-55 spelling on Ethereum networks.
  address      text NOT NULL,
  label        text,
  usable_from  timestamptz NOT NULL,
  created_at   timestamptz NOT NULL,
  removed_at   timestamptz
);
CREATE UNIQUE INDEX withdrawal_addresses_live ON withdrawal_addresses (merchant_id, network, address) WHERE removed_at IS NULL;
CREATE INDEX withdrawal_addresses_list ON withdrawal_addresses (merchant_id, id) WHERE removed_at IS NULL;

-- withdrawals: amount and fee in the asset's minor units; both left the merchant's balance at request
-- (ledger transfer withdrawal:<id>:hold) and either reach the chain and the fee revenue
-- (withdrawal:<id>:paid) or come back (withdrawal:<id>:returned). payout_key names the chain payout,
-- recorded before anything is sent (exactly once, like intent payouts).
CREATE TABLE withdrawals (
  id              text PRIMARY KEY,
  merchant_id     uuid NOT NULL REFERENCES merchants(id),
  -- The API key that asked: it signs the withdrawal's webhooks, as a trading pay-in's key signs its own.
  api_key_id      text,
  address_id      text NOT NULL REFERENCES withdrawal_addresses(id),
  network         text NOT NULL,
  asset           text NOT NULL,
  address         text NOT NULL,
  amount_minor    bigint NOT NULL CHECK (amount_minor > 0),
  fee_minor       bigint NOT NULL CHECK (fee_minor >= 0),
  status          text NOT NULL CHECK (status IN ('requested', 'approved', 'sent', 'confirmed', 'failed', 'rejected')),
  needs_approval  boolean NOT NULL,
  payout_key      text NOT NULL UNIQUE,
  tx_hash         text,
  -- Wei (or the network's base unit) the chain reported as the transaction fee, when it did.
  network_fee_minor numeric(78, 0),
  failure_reason  text,
  decided_by      text,
  polls           integer NOT NULL DEFAULT 0,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL
);
CREATE INDEX withdrawals_merchant ON withdrawals (merchant_id, id);
CREATE INDEX withdrawals_status ON withdrawals (status, id);
