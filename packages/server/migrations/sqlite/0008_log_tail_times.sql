-- The times of the log tail's lines, beside the tail (logs_tail_ts, a JSON array of Unix ms):
-- the log table (job_logs) then keeps only the lines that have left the tail, and a job of few
-- lines writes none there. A job written before keeps NULL here and all its lines in job_logs,
-- as before; every insert writes '[]'.
--
-- The new column must come before the large ones (output, input), as migration 5 put them: a
-- column after a long input is read by walking its pages. SQLite adds a column at the end, so
-- output and input are moved behind it: added again, copied, the old ones dropped. input keeps
-- its NOT NULL, which a column added to rows that exist needs a default for; every insert of
-- the store gives it.
ALTER TABLE jobs ADD COLUMN logs_tail_ts TEXT;
ALTER TABLE jobs ADD COLUMN output_moved TEXT;
ALTER TABLE jobs ADD COLUMN input_moved TEXT NOT NULL DEFAULT '{}';
UPDATE jobs SET output_moved = output, input_moved = input;
ALTER TABLE jobs DROP COLUMN output;
ALTER TABLE jobs DROP COLUMN input;
ALTER TABLE jobs RENAME COLUMN output_moved TO output;
ALTER TABLE jobs RENAME COLUMN input_moved TO input;
