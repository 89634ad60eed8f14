-- The running jobs are read through jobs_running_by_queue, all of them (they are as few as the
-- workers' slots). An index of their lease expiries cost every claim, finish and heartbeat a
-- write of its own, and the sweep of expired leases did not use it.
DROP INDEX jobs_lease_expiry;
