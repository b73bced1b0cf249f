-- EVM payouts (issue 15): the nonce manager and every signed transaction, in PostgreSQL.
--
-- evm_senders: one row per hot wallet address and chain, locked FOR UPDATE while a nonce is taken, so
-- one sender at a time per address across every process sharing the database.
-- evm_payouts: one row per payout key, with the nonce it holds for good. Its signed transaction is
-- written (evm_payout_txs) in the same transaction that takes the nonce, BEFORE anything is broadcast:
-- a process killed between signing and broadcasting leaves a row whose raw transaction the next poll
-- re-broadcasts (the same bytes, the same hash), so a payout never gets a second nonce.
-- evm_payout_txs: every signed version of a payout (the first, and fee-bumped replacements with the
-- same nonce); whichever one is mined is the payout's transaction.
CREATE TABLE evm_senders (
  chain_id    integer NOT NULL,
  address     text NOT NULL,
  next_nonce  bigint NOT NULL CHECK (next_nonce >= 0),
  PRIMARY KEY (chain_id, address)
);

CREATE TABLE evm_payouts (
  payout_key          text PRIMARY KEY,
  chain_id            integer NOT NULL,
  sender              text NOT NULL,
  nonce               bigint NOT NULL CHECK (nonce >= 0),
  network             text NOT NULL,
  asset               text NOT NULL,
  to_address          text NOT NULL,
  amount_minor        numeric(78, 0) NOT NULL CHECK (amount_minor > 0),
  -- pending: signed (and maybe broadcast, maybe mined below the confirmation depth);
  -- confirmed: mined at the configured depth; failed: mined and reverted (the nonce is spent, nothing moved).
  status              text NOT NULL CHECK (status IN ('pending', 'confirmed', 'failed')),
  -- The newest signed version (what a re-broadcast sends).
  current_tx_hash     text NOT NULL,
  -- The version seen mined, its block (cleared when that block is reorged out).
  mined_tx_hash       text,
  mined_block_number  bigint,
  mined_block_hash    text,
  -- Gas paid once mined: gas used x effective gas price (wei).
  fee_wei             numeric(78, 0),
  replacements        integer NOT NULL DEFAULT 0,
  reorgs              integer NOT NULL DEFAULT 0,
  created_at          timestamptz NOT NULL,
  updated_at          timestamptz NOT NULL,
  UNIQUE (chain_id, sender, nonce)
);

CREATE INDEX evm_payouts_pending ON evm_payouts (chain_id, sender, nonce) WHERE status = 'pending';

CREATE TABLE evm_payout_txs (
  tx_hash                   text PRIMARY KEY,
  payout_key                text NOT NULL REFERENCES evm_payouts(payout_key),
  raw_tx                    text NOT NULL,
  max_fee_per_gas           numeric(78, 0) NOT NULL,
  max_priority_fee_per_gas  numeric(78, 0) NOT NULL,
  created_at                timestamptz NOT NULL,
  -- Set when a node first accepted it (null: signed, never accepted yet).
  broadcast_at              timestamptz
);

CREATE INDEX evm_payout_txs_payout ON evm_payout_txs (payout_key, created_at);
