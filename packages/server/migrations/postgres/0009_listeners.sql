-- The LISTEN connections of the processes that share this schema, one row each. A statement
-- that writes jobs sends its NOTIFY only while some other process than its writer listens: a
-- process alone notifies no one (a NOTIFY costs its statement the payload, and PostgreSQL
-- serialises the commits of transactions that notify). A row names the backend of its LISTEN
-- connection (pid and start), so that the rows of processes that are gone can be told from
-- those of live ones and removed.
CREATE TABLE listeners (
  origin  text        PRIMARY KEY,
  pid     integer     NOT NULL,
  started timestamptz NOT NULL
);
