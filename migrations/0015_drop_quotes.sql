-- Stored quotes were never read outside tests: an intent keeps its own figures and a card offer is
-- its own quote. The table (and RAMPART_QUOTE_TTL_SECONDS) goes.
DROP TABLE quotes;
