-- One on-chain transaction settles at most one manual payout (reviewer finding: the same hash recorded on
-- two withdrawals, paid once, booked twice).
--
-- operator_tx_hashes: every transaction hash an operator recorded as the payment of a withdrawal or an
-- intent's payout, keyed by the chain (the hash format: erc20 and ethereum are one chain), so the
-- primary key refuses a hash already used by another payout across both tables. The row is inserted in
-- the transaction that records the hash. used_by: 'withdrawal:<id>' or 'payout:<payout_key>'.
CREATE TABLE operator_tx_hashes (
  chain text NOT NULL,
  tx_hash text NOT NULL,
  used_by text NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (chain, tx_hash)
);

-- Hashes recorded before: the first by time keeps its hash (a hash already on two rows stays as it is).
INSERT INTO operator_tx_hashes (chain, tx_hash, used_by, created_at)
SELECT chain, tx_hash, used_by, at FROM (
  SELECT CASE WHEN network = 'bitcoin' THEN 'bitcoin' WHEN network = 'trc20' THEN 'tron' ELSE 'ethereum' END AS chain,
         tx_hash, 'withdrawal:' || id AS used_by, updated_at AS at
    FROM withdrawals WHERE tx_hash IS NOT NULL
  UNION ALL
  SELECT CASE WHEN network = 'bitcoin' THEN 'bitcoin' WHEN network = 'trc20' THEN 'tron' ELSE 'ethereum' END,
         tx_hash, 'payout:' || payout_key, updated_at
    FROM intent_payouts WHERE tx_hash IS NOT NULL
) used
ORDER BY at
ON CONFLICT DO NOTHING;
