-- Bank statement imports (docs/bank-statements.md). Every credit of a statement is recorded in
-- bank_transfers through the one inbound path; this keeps what each import did (its report) and the
-- CSV column mapping saved for each bank account.
CREATE TABLE bank_statement_imports (
  id            text PRIMARY KEY,
  account       text NOT NULL,                 -- the bank account: IBAN or the bank's account id
  requisite_id  uuid REFERENCES trading_requisites(id), -- set when the account is a trader's requisite
  format        text NOT NULL,                 -- camt.053 | camt.054 | mt940 | csv
  file_name     text,
  file_sha256   text NOT NULL,
  source        text NOT NULL,                 -- cli | api
  entries_read  integer NOT NULL CHECK (entries_read >= 0),
  matched       integer NOT NULL CHECK (matched >= 0),
  duplicates    integer NOT NULL CHECK (duplicates >= 0),
  unmatched     integer NOT NULL CHECK (unmatched >= 0),
  ignored       integer NOT NULL CHECK (ignored >= 0),
  rejected      integer NOT NULL CHECK (rejected >= 0),
  lines         jsonb NOT NULL,                -- one object per entry and rejected line: what became of it
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bank_statement_imports_created_idx ON bank_statement_imports (created_at DESC, id DESC);

CREATE TABLE bank_csv_mappings (
  account     text PRIMARY KEY,                -- as given with the import (--account), upper case, no spaces
  mapping     jsonb NOT NULL,                  -- core/bank-statements/csv-mapping.ts CsvMapping
  updated_at  timestamptz NOT NULL
);
