-- Remote workers (docs/workers.md) and the job types they declare. Times are Unix
-- milliseconds; JSON columns hold text.
--
-- A declared type outlives the worker that declared it, so jobs of it can be submitted and
-- wait while no worker is live; a later declaration (by any worker) replaces it.
CREATE TABLE remote_types (
  type         TEXT    PRIMARY KEY,
  description  TEXT    NOT NULL,
  -- The input's JSON Schema, as the worker sent it.
  input_schema TEXT    NOT NULL,
  queue        TEXT    NOT NULL,
  declared_at  INTEGER NOT NULL
);

-- A worker is known from its registration until it leaves or is not seen for long enough.
CREATE TABLE workers (
  id            TEXT    PRIMARY KEY,
  name          TEXT    NOT NULL,
  -- The API key that registered it (only that key may use it); NULL on an open server.
  key_id        TEXT,
  -- The names of the types it declared, a JSON array.
  types         TEXT    NOT NULL,
  registered_at INTEGER NOT NULL,
  last_seen_at  INTEGER NOT NULL
);

-- The purge of workers not seen lately, and the list, most recently seen first.
CREATE INDEX workers_last_seen ON workers (last_seen_at);
