-- Payment methods are a catalogue the operator extends (/admin/v1/trading/methods), no longer a fixed
-- list: each names the requisite fields a requisite of that method must carry (`number` or
-- `sbpPhone`, with a label and an optional pattern). Seeded with the methods real clients send.
CREATE TABLE trading_methods (
  code             text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{0,31}$'),
  name             text NOT NULL,
  -- [{ "field": "number" | "sbpPhone", "label": "...", "pattern": "<regex>" | null }], at least one
  requisite_fields jsonb NOT NULL CHECK (jsonb_typeof(requisite_fields) = 'array' AND jsonb_array_length(requisite_fields) > 0),
  enabled          boolean NOT NULL DEFAULT true,
  created_at       timestamptz NOT NULL DEFAULT now()
);

INSERT INTO trading_methods (code, name, requisite_fields) VALUES
  ('sbp', 'SBP (Faster Payments System)', '[{"field": "sbpPhone", "label": "SBP phone", "pattern": "^\\+[0-9]{10,15}$"}]'),
  ('card', 'Bank card', '[{"field": "number", "label": "Card number", "pattern": "^[0-9]{16,19}$"}]'),
  ('account', 'Bank account', '[{"field": "number", "label": "Account number", "pattern": "^[0-9A-Z]{10,34}$"}]'),
  ('qr', 'QR code payment', '[{"field": "number", "label": "QR payment link or payload", "pattern": null}]'),
  ('cross_sbp', 'Cross-border SBP', '[{"field": "sbpPhone", "label": "SBP phone", "pattern": "^\\+[0-9]{10,15}$"}]'),
  ('transgran', 'Cross-border card transfer', '[{"field": "number", "label": "Card number", "pattern": "^[0-9]{16,19}$"}]'),
  ('iban', 'IBAN transfer', '[{"field": "number", "label": "IBAN", "pattern": "^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$"}]');

-- A method a database already uses stays valid: it joins the catalogue with a field it can hold.
INSERT INTO trading_methods (code, name, requisite_fields)
  SELECT DISTINCT m, m, '[{"field": "number", "label": "Requisite", "pattern": null}]'::jsonb
  FROM (SELECT method AS m FROM trading_requisites UNION SELECT unnest(methods) FROM trading_banks) used
  WHERE m ~ '^[a-z][a-z0-9_]{0,31}$'
ON CONFLICT (code) DO NOTHING;

ALTER TABLE trading_requisites ADD CONSTRAINT trading_requisites_method_fk FOREIGN KEY (method) REFERENCES trading_methods(code);
