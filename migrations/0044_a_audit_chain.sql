-- Issue 18 (operator console): every state-changing operator action writes one audit entry in the
-- transaction of the change (src/db/audit/audit-scope.ts), and the entries form a hash chain so an edit
-- made behind the append-only trigger's back (a superuser disabling it) shows up in `rampart audit
-- verify`. Each new entry takes the next `seq` and stores the hash of its content and of the previous
-- entry's hash. The single head row is locked FOR UPDATE by every append: the database decides the
-- order, so concurrent actions still produce one unbroken chain. Entries written before this migration
-- (customer erasure) keep seq NULL: verification counts them as written before the chain began.
ALTER TABLE audit_log ADD COLUMN seq bigint;
ALTER TABLE audit_log ADD COLUMN actor_name text;   -- the key's name or the person's e-mail, as it was then
ALTER TABLE audit_log ADD COLUMN prev_hash text;
ALTER TABLE audit_log ADD COLUMN hash text;
CREATE UNIQUE INDEX audit_log_seq_idx ON audit_log (seq);
CREATE INDEX audit_log_actor_idx ON audit_log (actor, id);
CREATE INDEX audit_log_action_idx ON audit_log (action, id);

CREATE TABLE audit_chain_head (
  id    int PRIMARY KEY CHECK (id = 1),
  seq   bigint NOT NULL,   -- the last entry's seq (0: none yet)
  hash  text NOT NULL      -- the last entry's hash (the genesis value: 64 zeros)
);
INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
