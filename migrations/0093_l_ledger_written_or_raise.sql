-- A batch of trading creates sends its COMMIT in the same round trip as its holds' statement
-- (app/trading/create-batch.ts, db/pipelined.ts; issue 16). That statement answers "not written" as data
-- when a debited account is short, an account is missing or an id is booked, and a COMMIT right behind
-- it would then commit the batch's pay-ins without their holds. So the statement, when pipelined so,
-- ends in this call, which fails it (and aborts the transaction: PostgreSQL answers the COMMIT behind
-- it with ROLLBACK) whenever it wrote nothing. The SQLSTATE is Rampart's own, for the caller to tell
-- this refusal from any other failure (db/ledger/ledger-store.ts TRANSFERS_NOT_WRITTEN).
CREATE FUNCTION ledger_written_or_raise(written boolean) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  IF written IS NOT TRUE THEN
    RAISE EXCEPTION 'ledger transfers not written: a debited account is short, an account is missing or an id is booked'
      USING ERRCODE = 'RL001';
  END IF;
  RETURN true;
END;
$$;
