-- The times of the log tail's lines, beside the tail (logs_tail_ts, a JSON array of Unix ms):
-- the log table (job_logs) then keeps only the lines that have left the tail, and a job of few
-- lines writes none there. A job written before keeps NULL here and all its lines in job_logs,
-- as before. The table is rebuilt so that the new column comes before the large ones (output,
-- input), as migration 5 put them (a column after a long input is read by walking its pages).
CREATE TABLE jobs_new (
  seq              INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant           TEXT    NOT NULL,
  id               TEXT    NOT NULL,
  type             TEXT    NOT NULL,
  queue            TEXT    NOT NULL DEFAULT 'default',
  priority         INTEGER NOT NULL DEFAULT 0,
  status           TEXT    NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'canceled')),
  progress         INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  stage            TEXT,
  message          TEXT,
  error_code       TEXT,
  error_message    TEXT,
  attempt          INTEGER NOT NULL DEFAULT 0,
  max_attempts     INTEGER NOT NULL,
  eta              INTEGER,
  created_at       INTEGER NOT NULL,
  started_at       INTEGER,
  updated_at       INTEGER NOT NULL,
  finished_at      INTEGER,
  version          INTEGER NOT NULL DEFAULT 1,
  log_count        INTEGER NOT NULL DEFAULT 0,
  run_at           INTEGER NOT NULL,
  lease_owner      TEXT,
  lease_token      TEXT,
  lease_expires_at INTEGER,
  idempotency_key  TEXT,
  request_hash     TEXT,
  webhook          TEXT,
  metadata         TEXT    NOT NULL DEFAULT '{}',
  logs_tail        TEXT    NOT NULL DEFAULT '[]',
  logs_tail_ts     TEXT,
  output           TEXT,
  input            TEXT    NOT NULL,
  UNIQUE (tenant, id)
);

INSERT INTO sqlite_sequence (name, seq) SELECT 'jobs_new', seq FROM sqlite_sequence WHERE name = 'jobs';

INSERT INTO jobs_new (
  seq, tenant, id, type, queue, priority, status, progress, stage, message, error_code,
  error_message, attempt, max_attempts, eta, created_at, started_at, updated_at, finished_at,
  version, log_count, run_at, lease_owner, lease_token, lease_expires_at, idempotency_key,
  request_hash, webhook, metadata, logs_tail, logs_tail_ts, output, input
)
SELECT
  seq, tenant, id, type, queue, priority, status, progress, stage, message, error_code,
  error_message, attempt, max_attempts, eta, created_at, started_at, updated_at, finished_at,
  version, log_count, run_at, lease_owner, lease_token, lease_expires_at, idempotency_key,
  request_hash, webhook, metadata, logs_tail, NULL, output, input
FROM jobs;

DROP TABLE jobs;
ALTER TABLE jobs_new RENAME TO jobs;

CREATE UNIQUE INDEX jobs_lease_token ON jobs (lease_token) WHERE lease_token IS NOT NULL;
CREATE INDEX jobs_tenant_seq ON jobs (tenant, seq);
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL;
CREATE UNIQUE INDEX jobs_idempotency ON jobs (tenant, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX jobs_queued_by_tenant ON jobs (queue, tenant, priority DESC, run_at, seq) WHERE status = 'queued';
CREATE INDEX jobs_queued_due ON jobs (queue, run_at) WHERE status = 'queued';
CREATE INDEX jobs_queued_priority ON jobs (queue, priority) WHERE status = 'queued';
CREATE INDEX jobs_running_by_queue ON jobs (queue, tenant) WHERE status = 'running';
