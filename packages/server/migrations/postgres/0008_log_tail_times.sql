-- The times of the log tail's lines, beside the tail (a JSON array of Unix ms): the log table
-- (job_logs) then keeps only the lines that have left the tail, and a job of few lines writes
-- none there. A job written before keeps NULL here and all its lines in job_logs, as before.
-- Added without a default, so that existing rows are NULL; every insert writes '[]'.
ALTER TABLE jobs ADD COLUMN logs_tail_ts json;
