-- Named queues. Each job runs in one queue (its type's default, or one named at submit),
-- with a priority (higher first). Claims take turns between tenants within a queue, so the
-- indexes lead with the queue and the tenant. Jobs queued before this migration go to the
-- default queue of their type.
ALTER TABLE jobs ADD COLUMN queue text NOT NULL DEFAULT 'default';
ALTER TABLE jobs ADD COLUMN priority integer NOT NULL DEFAULT 0;
UPDATE jobs SET queue = CASE type WHEN 'simulate' THEN 'simulate' WHEN 'video.translate' THEN 'translate' WHEN 'image.to_video' THEN 'media' WHEN 'text.to_video' THEN 'media' ELSE 'default' END;

DROP INDEX jobs_queue;
-- Each tenant's next job (the claim's turns), and the distinct tenants waiting in a queue.
CREATE INDEX jobs_queued_by_tenant ON jobs (queue, tenant, priority DESC, run_at, seq) WHERE status = 'queued';
-- When a queue's next job is due, and how many are due or scheduled.
CREATE INDEX jobs_queued_due ON jobs (queue, run_at) WHERE status = 'queued';
-- Jobs of a higher priority (queue positions).
CREATE INDEX jobs_queued_priority ON jobs (queue, priority) WHERE status = 'queued';
-- Running jobs per queue and tenant: global and per-tenant limits, and the turns.
CREATE INDEX jobs_running_by_queue ON jobs (queue, tenant) WHERE status = 'running';

-- A queue's shared state: paused or not. A queue with no row is running.
CREATE TABLE queues (
  name       text    PRIMARY KEY,
  paused     integer NOT NULL DEFAULT 0,
  updated_at bigint  NOT NULL
);
