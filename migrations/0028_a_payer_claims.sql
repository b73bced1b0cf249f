-- Issue 20: the payer's "I have paid" becomes a recorded claim the trader and the merchant see; the
-- payer page links back to the shop; a payer may re-open a dispute after support's decision only a
-- limited number of times (per merchant, default once, and only with a receipt not used before).
ALTER TABLE trading_payins ADD COLUMN payer_claimed_at timestamptz;

ALTER TABLE trading_merchant_settings ADD COLUMN return_url text;
ALTER TABLE trading_merchant_settings ADD COLUMN payer_dispute_reopens integer NOT NULL DEFAULT 1
  CHECK (payer_dispute_reopens BETWEEN 0 AND 10);

-- The trader cabinet follows its pay-ins live (src/http/pages/cabinet/cabinet-live.ts): every insert
-- or change of a pay-in row is announced on trading_payin_changed with the trader's id when its
-- transaction commits (a claim, a new pay-in, a dispute), so the cabinet refreshes at once.
CREATE FUNCTION notify_trading_payin_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('trading_payin_changed', NEW.trader_id);
  RETURN NULL;
END
$$;

CREATE TRIGGER trading_payins_changed AFTER INSERT OR UPDATE ON trading_payins
  FOR EACH ROW EXECUTE FUNCTION notify_trading_payin_changed();
