-- Crypto assets, fiat→crypto pairs and stored quotes (issue 3). A second 0002 file because
-- 0002_ledger had already shipped: it depends on nothing after 0002 and applies in name order.

-- Crypto assets per network; an operator can add more (insertAsset).
CREATE TABLE assets (
  symbol         text NOT NULL,
  network        text NOT NULL,
  name           text NOT NULL,
  decimals       integer NOT NULL CHECK (decimals BETWEEN 0 AND 18),
  address_format text NOT NULL,
  enabled        boolean NOT NULL DEFAULT true,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (symbol, network)
);
-- The built-ins (src/core/money/assets.ts BUILTIN_ASSETS) exist in every installation.
INSERT INTO assets (symbol, network, name, decimals, address_format) VALUES
  ('BTC', 'bitcoin', 'Bitcoin', 8, 'bitcoin'),
  ('ETH', 'ethereum', 'Ether', 18, 'ethereum'),
  ('USDT', 'trc20', 'Tether USD (TRON)', 6, 'tron'),
  ('USDT', 'erc20', 'Tether USD (Ethereum)', 6, 'ethereum'),
  ('USDC', 'erc20', 'USD Coin (Ethereum)', 6, 'ethereum');

-- A fiat→crypto pair. limits: {"<method>": {"minMinor": "1000", "maxMinor": "500000"}} in fiat minor
-- units; fees: {"percentBps": 150, "fixedMinor": "0", "tiers": [{"fromMinor", "percentBps", "fixedMinor"}]}.
-- Operator-edited (admin API, seed, RAMPART_PAIRS_FILE), so this table is mutable.
CREATE TABLE pairs (
  id                text PRIMARY KEY,                 -- e.g. "EUR-USDT-trc20"
  fiat              text NOT NULL,
  crypto            text NOT NULL,
  network           text NOT NULL,
  limits            jsonb NOT NULL,
  spread_bps        integer NOT NULL CHECK (spread_bps BETWEEN 0 AND 5000),
  fees              jsonb NOT NULL,
  network_fee_minor bigint NOT NULL CHECK (network_fee_minor >= 0),
  enabled           boolean NOT NULL DEFAULT true,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (fiat, crypto, network),
  FOREIGN KEY (crypto, network) REFERENCES assets (symbol, network)
);

-- A quote as given: the rate it used and where that rate came from, every fee line, and its expiry.
-- Immutable once written; a later price is a new quote.
CREATE TABLE quotes (
  id              text PRIMARY KEY,
  pair_id         text NOT NULL REFERENCES pairs(id),
  method          text NOT NULL,
  merchant_id     uuid REFERENCES merchants(id),
  fiat            text NOT NULL,
  crypto          text NOT NULL,
  network         text NOT NULL,
  fiat_minor      bigint NOT NULL CHECK (fiat_minor > 0),
  crypto_minor    bigint NOT NULL CHECK (crypto_minor > 0),
  mid_rate        numeric NOT NULL,
  effective_rate  numeric NOT NULL,
  rate_source     text NOT NULL,
  rate_fetched_at timestamptz NOT NULL,
  fees            jsonb NOT NULL,                     -- [{"name", "currency", "amountMinor"}]
  created_at      timestamptz NOT NULL,
  expires_at      timestamptz NOT NULL
);
CREATE INDEX quotes_merchant_idx ON quotes (merchant_id, created_at) WHERE merchant_id IS NOT NULL;
