-- A trading pay-in create that names a method or a bank checks it against the catalogue; each API
-- process keeps the usable ones in memory (src/app/trading/catalogue-cache.ts, issue 16), so a change
-- that could make one unusable is announced when it commits, whoever made it, and drops the entry:
--   trading_method_changed (method code)  a method switched off, renamed or removed;
--   trading_bank_changed   (bank code)    a bank switched off or removed.
-- Inserts announce nothing: only codes found usable are cached, and a new row cannot make one unusable
-- (an upsert that changes an existing row fires the UPDATE trigger).
CREATE TRIGGER trading_methods_changed AFTER UPDATE OR DELETE ON trading_methods
  FOR EACH ROW EXECUTE FUNCTION notify_row_changed('trading_method_changed', 'code');

CREATE TRIGGER trading_banks_changed AFTER UPDATE OR DELETE ON trading_banks
  FOR EACH ROW EXECUTE FUNCTION notify_row_changed('trading_bank_changed', 'code');
