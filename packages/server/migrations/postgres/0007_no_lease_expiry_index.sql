-- As in the SQLite store (its migration 7): the sweep of expired leases reads the running jobs
-- through jobs_running_by_queue, and nothing reads this index. It cost every claim an index
-- entry; and since a heartbeat changes only lease_expires_at, without it a heartbeat changes no
-- indexed column, and PostgreSQL can write it as a heap-only tuple, with no entry in any index
-- (each running job's heartbeat otherwise added one to every index of jobs whose condition it met).
DROP INDEX jobs_lease_expiry;
