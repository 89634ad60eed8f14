-- Remote workers (docs/workers.md) and the job types they declare. Times are Unix
-- milliseconds (bigint), as in the SQLite store; JSON columns are json, which keeps the
-- worker's text.
--
-- A declared type outlives the worker that declared it, so jobs of it can be submitted and
-- wait while no worker is live; a later declaration (by any worker) replaces it.
CREATE TABLE remote_types (
  type         text   PRIMARY KEY,
  description  text   NOT NULL,
  -- The input's JSON Schema, as the worker sent it.
  input_schema json   NOT NULL,
  queue        text   NOT NULL,
  declared_at  bigint NOT NULL
);

-- A worker is known from its registration until it leaves or is not seen for long enough.
CREATE TABLE workers (
  id            text   PRIMARY KEY,
  name          text   NOT NULL,
  -- The API key that registered it (only that key may use it); NULL on an open server.
  key_id        text,
  -- The names of the types it declared, a JSON array.
  types         json   NOT NULL,
  registered_at bigint NOT NULL,
  last_seen_at  bigint NOT NULL
);

-- The purge of workers not seen lately, and the list, most recently seen first.
CREATE INDEX workers_last_seen ON workers (last_seen_at);
