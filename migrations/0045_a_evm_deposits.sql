-- EVM trader deposits (issue 15): per-trader deposit addresses derived from an extended public key,
-- the watcher's cursor and the deposits it saw.
--
-- evm_deposit_keys: one row per extended public key (xpub) with the next BIP32 child index; locked
-- FOR UPDATE while an address is allocated, so each index goes to one trader, without gaps.
-- evm_deposit_addresses: a trader's address under a key, allocated once (primary key) and never reused
-- (unique index, unique address).
CREATE TABLE evm_deposit_keys (
  xpub        text PRIMARY KEY,
  next_index  integer NOT NULL CHECK (next_index >= 0 AND next_index < 2147483648)
);

CREATE TABLE evm_deposit_addresses (
  xpub         text NOT NULL REFERENCES evm_deposit_keys(xpub),
  trader_id    text NOT NULL,
  child_index  integer NOT NULL CHECK (child_index >= 0),
  -- Lower-case hex: the watcher matches log topics against it.
  address      text NOT NULL,
  created_at   timestamptz NOT NULL,
  PRIMARY KEY (xpub, trader_id)
);
CREATE UNIQUE INDEX evm_deposit_addresses_index ON evm_deposit_addresses (xpub, child_index);
CREATE UNIQUE INDEX evm_deposit_addresses_address ON evm_deposit_addresses (address);

-- The watcher's cursor per chain: the next block to scan. Rewound to the fork point by a reorg.
CREATE TABLE evm_deposit_cursors (
  chain_id    integer PRIMARY KEY,
  next_block  bigint NOT NULL CHECK (next_block >= 0),
  updated_at  timestamptz NOT NULL
);

-- The hash of every scanned block still inside the finality window: a reorg is a stored hash the node
-- no longer has at that height. Rows below the window are pruned.
CREATE TABLE evm_deposit_blocks (
  chain_id      integer NOT NULL,
  block_number  bigint NOT NULL,
  block_hash    text NOT NULL,
  PRIMARY KEY (chain_id, block_number)
);

-- One row per transfer to a deposit address, unique by (tx hash, log index): a second watcher or a
-- rescan finds the row and books nothing. log_index is -1 for a native (ETH) transfer.
-- credited: its credit is booked; parked: seen, not credited (reason says why: an asset the deposit does
-- not hold, or dust below the ledger's scale); reorged: its block left the chain before finality and
-- its credit (if any) was reversed; reversal_due: the same, but the trader's free deposit could not
-- cover the reversal yet (the watcher retries).
CREATE TABLE evm_deposits (
  id              text PRIMARY KEY,
  chain_id        integer NOT NULL,
  tx_hash         text NOT NULL,
  log_index       integer NOT NULL CHECK (log_index >= -1),
  block_number    bigint NOT NULL,
  block_hash      text NOT NULL,
  address         text NOT NULL,
  trader_id       text NOT NULL,
  asset           text NOT NULL,
  -- In the token's (or the coin's) own base units and decimals, exactly as on chain.
  amount_base     numeric(78, 0) NOT NULL CHECK (amount_base > 0),
  decimals        integer NOT NULL CHECK (decimals >= 0 AND decimals <= 36),
  -- In the ledger's minor units; null when parked.
  amount_minor    bigint CHECK (amount_minor > 0),
  status          text NOT NULL CHECK (status IN ('credited', 'parked', 'reorged', 'reversal_due')),
  park_reason     text,
  -- How many times it was credited: each credit and its reversal are their own ledger transfers.
  credits         integer NOT NULL DEFAULT 0,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL
);
CREATE UNIQUE INDEX evm_deposits_tx_log ON evm_deposits (chain_id, tx_hash, log_index);
CREATE INDEX evm_deposits_trader ON evm_deposits (trader_id, created_at);
CREATE INDEX evm_deposits_block ON evm_deposits (chain_id, block_number) WHERE status IN ('credited', 'parked', 'reversal_due');
