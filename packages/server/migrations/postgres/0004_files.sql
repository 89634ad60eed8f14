-- Uploaded files: one row per file; the bytes are on disk under <data>/files/<tenant>/<id>
-- (the folder every node mounts). Times are Unix milliseconds (bigint), as in the SQLite store.
-- seq orders a tenant's files (newest first) and is the list cursor.
CREATE TABLE files (
  seq          bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant       text    NOT NULL,
  id           text    NOT NULL,
  filename     text    NOT NULL,
  content_type text    NOT NULL,
  bytes        bigint  NOT NULL,
  sha256       text    NOT NULL,
  created_at   bigint  NOT NULL,
  expires_at   bigint  NOT NULL,
  UNIQUE (tenant, id)
);

CREATE INDEX files_tenant_seq ON files (tenant, seq);
CREATE INDEX files_expiry ON files (expires_at);
