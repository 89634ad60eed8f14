-- Jobs, one row each, in the schema the store was given (migrate() sets search_path).
-- Times are Unix milliseconds (bigint), as in the SQLite store, so both answer alike.
-- JSON columns are json, not jsonb: json keeps the caller's text, key order included.
-- fillfactor leaves room on each page so progress reports (which touch no indexed
-- column) can be HOT updates.
CREATE TABLE jobs (
  seq              bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant           text    NOT NULL,
  id               text    NOT NULL,
  type             text    NOT NULL,
  status           text    NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'canceled')),
  progress         integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  stage            text,
  message          text,
  input            json    NOT NULL,
  output           json,
  error_code       text,
  error_message    text,
  attempt          integer NOT NULL DEFAULT 0,
  max_attempts     integer NOT NULL,
  eta              bigint,
  created_at       bigint  NOT NULL,
  started_at       bigint,
  updated_at       bigint  NOT NULL,
  finished_at      bigint,
  version          integer NOT NULL DEFAULT 1,
  logs_tail        json    NOT NULL DEFAULT '[]',
  log_count        integer NOT NULL DEFAULT 0,
  metadata         json    NOT NULL DEFAULT '{}',
  run_at           bigint  NOT NULL,
  lease_owner      text,
  lease_token      text,
  lease_expires_at bigint,
  idempotency_key  text,
  request_hash     text,
  UNIQUE (tenant, id)
) WITH (fillfactor = 80);

CREATE INDEX jobs_queue ON jobs (run_at, seq) WHERE status = 'queued';
CREATE INDEX jobs_lease_expiry ON jobs (lease_expires_at) WHERE status = 'running';
CREATE UNIQUE INDEX jobs_lease_token ON jobs (lease_token) WHERE lease_token IS NOT NULL;
CREATE INDEX jobs_tenant_seq ON jobs (tenant, seq);
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL;
CREATE UNIQUE INDEX jobs_idempotency ON jobs (tenant, idempotency_key) WHERE idempotency_key IS NOT NULL;
-- No index on updated_at: only the change feed's rare catch-up scans by it, and
-- an index there would make every progress report a non-HOT update.

-- Every log line of a job; the newest 50 are also in jobs.logs_tail.
CREATE TABLE job_logs (
  job_seq bigint  NOT NULL REFERENCES jobs (seq) ON DELETE CASCADE,
  n       integer NOT NULL,
  ts      bigint  NOT NULL,
  line    text    NOT NULL,
  PRIMARY KEY (job_seq, n)
);
