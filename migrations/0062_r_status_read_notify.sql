-- The trading GET and the card pay-callback are cached in each API process like the intent status
-- (0009): src/app/trading/payin-read-cache.ts, src/app/trading/settings-cache.ts and
-- src/app/card/pay-callback-cache.ts. Whatever those reads show is announced when a change to it
-- commits, whoever made it (a process, a job, an operator's SQL), so every cache drops the entry:
--   trading_payin_row_changed  (pay-in id)    the pay-in row, or its risk decision;
--   trading_requisite_changed  (requisite id) a requisite's fields that a pay-in shows its payer;
--   trading_settings_changed   (merchant id)  a merchant's trading settings (the signature rule);
--   card_payment_changed       (offer id)     a card payment, or its offer's or its own risk decision.
-- Inserts of pay-ins, payments and their decisions announce nothing: the caches hold only rows that
-- were found, and a pay-in's or payment's decision is written in the transaction that inserts it.
-- (trading_payin_changed, 0028, names the trader for the cabinet; this channel names the pay-in.)
CREATE FUNCTION notify_row_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- TG_ARGV: the channel, then the column that names the row.
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify(TG_ARGV[0], to_jsonb(OLD) ->> TG_ARGV[1]);
  ELSE
    PERFORM pg_notify(TG_ARGV[0], to_jsonb(NEW) ->> TG_ARGV[1]);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER trading_payins_row_changed AFTER UPDATE OR DELETE ON trading_payins
  FOR EACH ROW EXECUTE FUNCTION notify_row_changed('trading_payin_row_changed', 'id');

-- Only the columns renderTradingPayin shows: a create's turn (last_assigned_at) announces nothing.
CREATE TRIGGER trading_requisites_shown_changed AFTER UPDATE OF bank_code, method, owner_name, number, sbp_phone, fiat_currency OR DELETE ON trading_requisites
  FOR EACH ROW EXECUTE FUNCTION notify_row_changed('trading_requisite_changed', 'id');

CREATE TRIGGER trading_merchant_settings_changed AFTER INSERT OR UPDATE OR DELETE ON trading_merchant_settings
  FOR EACH ROW EXECUTE FUNCTION notify_row_changed('trading_settings_changed', 'merchant_id');

CREATE TRIGGER card_payments_changed AFTER UPDATE OR DELETE ON card_payments
  FOR EACH ROW EXECUTE FUNCTION notify_row_changed('card_payment_changed', 'offer_id');

-- A trading decision is stored under the pay-in's id; a card decision under the offer's id (at offer
-- create) or the payment's (at pay), and the pay-callback is cached under the offer's id.
CREATE FUNCTION notify_payment_risk_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.flow = 'trading' THEN
    PERFORM pg_notify('trading_payin_row_changed', NEW.payment_id);
  ELSIF NEW.payment_id ~ '^[0-9]+$' THEN
    PERFORM pg_notify('card_payment_changed', NEW.payment_id);
  ELSIF NEW.payment_id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN
    PERFORM pg_notify('card_payment_changed', (SELECT offer_id::text FROM card_payments WHERE id = NEW.payment_id::uuid));
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER risk_decisions_payment_changed AFTER UPDATE ON risk_decisions
  FOR EACH ROW WHEN (NEW.flow IN ('trading', 'card') AND NEW.payment_id IS NOT NULL) EXECUTE FUNCTION notify_payment_risk_changed();
