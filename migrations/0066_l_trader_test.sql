-- Test mode (issue 19): a test trader's requisites serve only test twins' trading pay-ins, and a live
-- trader's only live merchants'. The allocation filters on it in the query it already runs.
ALTER TABLE traders ADD COLUMN test boolean NOT NULL DEFAULT false;
