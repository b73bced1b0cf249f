-- An operator's "cancel and return" of a withdrawal whose payout never confirms (issue 15).
--
-- withdrawals.cancel_requested_at/by: the operator asked to cancel a sent withdrawal. It stays `sent`
-- until the chain decides: the original payout mined (confirmed as usual) or the cancel's replacement
-- mined to the confirmation depth (failed, the funds returned). Nothing is returned before that.
-- evm_payout_txs.cancels: a version that spends the payout's nonce on a 0-value transfer to the hot
-- wallet itself (same nonce, higher fee) instead of paying.
-- evm_payouts.status 'cancelled': such a version was mined to the depth; the payout can never be mined.
ALTER TABLE withdrawals ADD COLUMN cancel_requested_at timestamptz, ADD COLUMN cancel_requested_by text;

ALTER TABLE evm_payout_txs ADD COLUMN cancels boolean NOT NULL DEFAULT false;

ALTER TABLE evm_payouts DROP CONSTRAINT evm_payouts_status_check;
ALTER TABLE evm_payouts ADD CONSTRAINT evm_payouts_status_check CHECK (status IN ('pending', 'confirmed', 'failed', 'cancelled'));
