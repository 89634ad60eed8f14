-- Jobs, one row each. Times are Unix milliseconds; JSON columns hold text.
CREATE TABLE jobs (
  seq              INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant           TEXT    NOT NULL,
  id               TEXT    NOT NULL,
  type             TEXT    NOT NULL,
  status           TEXT    NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'canceled')),
  progress         INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  stage            TEXT,
  message          TEXT,
  input            TEXT    NOT NULL,
  output           TEXT,
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
  logs_tail        TEXT    NOT NULL DEFAULT '[]',
  log_count        INTEGER NOT NULL DEFAULT 0,
  metadata         TEXT    NOT NULL DEFAULT '{}',
  run_at           INTEGER NOT NULL,
  lease_owner      TEXT,
  lease_token      TEXT,
  lease_expires_at INTEGER,
  idempotency_key  TEXT,
  request_hash     TEXT,
  UNIQUE (tenant, id)
);

CREATE INDEX jobs_queue ON jobs (run_at, seq) WHERE status = 'queued';
CREATE INDEX jobs_lease_expiry ON jobs (lease_expires_at) WHERE status = 'running';
CREATE UNIQUE INDEX jobs_lease_token ON jobs (lease_token) WHERE lease_token IS NOT NULL;
CREATE INDEX jobs_tenant_seq ON jobs (tenant, seq);
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL;
CREATE UNIQUE INDEX jobs_idempotency ON jobs (tenant, idempotency_key) WHERE idempotency_key IS NOT NULL;

-- Every log line of a job; the newest 50 are also in jobs.logs_tail.
CREATE TABLE job_logs (
  job_seq INTEGER NOT NULL REFERENCES jobs (seq) ON DELETE CASCADE,
  n       INTEGER NOT NULL,
  ts      INTEGER NOT NULL,
  line    TEXT    NOT NULL,
  PRIMARY KEY (job_seq, n)
) WITHOUT ROWID;
