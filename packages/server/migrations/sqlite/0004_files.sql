-- Uploaded files: one row per file; the bytes are on disk under <data>/files/<tenant>/<id>.
-- Times are Unix milliseconds. seq orders a tenant's files (newest first) and is the list cursor.
CREATE TABLE files (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant       TEXT    NOT NULL,
  id           TEXT    NOT NULL,
  filename     TEXT    NOT NULL,
  content_type TEXT    NOT NULL,
  bytes        INTEGER NOT NULL,
  sha256       TEXT    NOT NULL,
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,
  UNIQUE (tenant, id)
);

CREATE INDEX files_tenant_seq ON files (tenant, seq);
CREATE INDEX files_expiry ON files (expires_at);
