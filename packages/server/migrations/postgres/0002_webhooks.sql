-- Webhooks. Each job may name one receiver ({"url", "events"} as json). Each event
-- a change announces becomes a row of webhook_deliveries, written in the same transaction
-- as the change, so a crash between the change and the request loses nothing.
ALTER TABLE jobs ADD COLUMN webhook json;

CREATE TABLE webhook_deliveries (
  -- The webhook-id header: the same on every attempt, so receivers can drop duplicates.
  id              text    PRIMARY KEY,
  job_seq         bigint  NOT NULL REFERENCES jobs (seq) ON DELETE CASCADE,
  event           text    NOT NULL,
  url             text    NOT NULL,
  -- The job row as the change left it (JSON), sent as the body's data.
  job             text    NOT NULL,
  created_at      bigint  NOT NULL,
  status          text    NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'delivered', 'failed', 'stopped')),
  attempts        integer NOT NULL DEFAULT 0,
  -- When a pending delivery is next due; a dispatcher that claims it pushes this past its lease.
  next_attempt_at bigint,
  last_status     integer,
  last_error      text,
  -- The attempts, newest last (JSON array of {at, status_code, error, duration_ms}).
  history         text    NOT NULL DEFAULT '[]',
  lease_token     text
);

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_job ON webhook_deliveries (job_seq, created_at);
CREATE UNIQUE INDEX webhook_deliveries_lease ON webhook_deliveries (lease_token) WHERE lease_token IS NOT NULL;
