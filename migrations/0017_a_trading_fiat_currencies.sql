-- A merchant may accept several fiat currencies for trading pay-ins (each with its own banks, traders
-- and requisites); fiat_currency stays the default a create without fiatCurrency gets, and is always
-- one of them. Existing merchants accept exactly the currency they had.
ALTER TABLE trading_merchant_settings ADD COLUMN fiat_currencies text[];
UPDATE trading_merchant_settings SET fiat_currencies = ARRAY[fiat_currency];
ALTER TABLE trading_merchant_settings ALTER COLUMN fiat_currencies SET NOT NULL;
ALTER TABLE trading_merchant_settings ADD CONSTRAINT trading_merchant_settings_default_accepted
  CHECK (fiat_currency = ANY (fiat_currencies));
