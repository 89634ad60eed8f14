// Generated from the server's /openapi.json by `npm run generate:client-types`: do not edit.
// The client takes its view of the job and other wire shapes from here (src/types.ts).
export interface paths {
    "/v1/jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List jobs, newest first
         * @description A page ends early, before the item that would take it past 1 MiB (next_cursor continues). In list items an input or output whose JSON is over 8 KiB is replaced by `{"$omitted": <bytes>}`: GET /v1/jobs/{id} has the whole job.
         */
        get: operations["listJobs"];
        put?: never;
        /** Create a job */
        post: operations["createJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a job; with ?wait=N, hold until it changes */
        get: operations["getJob"];
        put?: never;
        post?: never;
        /** Delete a finished job and its artifacts */
        delete: operations["deleteJob"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel a job (idempotent) */
        post: operations["cancelJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{id}/logs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A job's log lines, oldest first */
        get: operations["listJobLogs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/batch": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create many jobs at once
         * @description Each item is what POST /v1/jobs takes, plus an optional idempotency_key, and is judged on its own: one refused item (invalid, a taken id, an idempotency conflict) keeps none of the others out. The jobs it accepts are written in one transaction. Always 200 once the list itself is read; each item's status says what became of it.
         */
        post: operations["createJobs"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{id}/artifacts/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Download a job's artifact (Range, ETag) */
        get: operations["downloadArtifact"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/files": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List uploaded files, newest first */
        get: operations["listFiles"];
        put?: never;
        /**
         * Upload a file (streamed) to use as a job input
         * @description The body is the file, with its Content-Type (or application/octet-stream to have it detected) and its name in ?filename= or Content-Disposition; or a multipart/form-data form with the file in a field named file. At most --max-file-size bytes.
         */
        post: operations["uploadFile"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/files/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An uploaded file's metadata */
        get: operations["getFile"];
        put?: never;
        post?: never;
        /** Delete an uploaded file */
        delete: operations["deleteFile"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/files/{id}/content": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An uploaded file's bytes (Range, ETag) */
        get: operations["downloadFile"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{id}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Server-Sent Events of one job's changes
         * @description `event: job`, `id: <version>`, `data: <job>` on each change (a slow reader gets the newest only); a comment ping every 15 s; ends after the terminal event. Send Last-Event-ID to resume.
         */
        get: operations["streamJobEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Server-Sent Events of many jobs' changes, until every one has ended
         * @description `event: job` with each job's current snapshot, then each change (a slow reader gets the newest of each job); `event: missing` (`{"id"}`) for an id with no job of the caller's; `event: end` (`{"jobs", "missing"}`) once every job is terminal or missing, and the stream ends; `status` sends only the snapshots in those states (the terminal ones: only each job's end). A comment ping every 15 s. After a drop, ask again for the jobs not yet seen to end.
         */
        post: operations["streamManyJobEvents"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Server-Sent Events of every change to the caller's jobs
         * @description For dashboards: `event: job` with the job as data, filtered by ?type= and ?status=.
         */
        get: operations["streamEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{id}/webhook-deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A job's webhook deliveries: attempts, status codes, next try */
        get: operations["listWebhookDeliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{id}/webhook-deliveries/{delivery_id}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send a webhook delivery again now */
        post: operations["retryWebhookDelivery"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/types": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The job types, their input schemas, and whether they can run here */
        get: operations["listJobTypes"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/workers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The remote workers: what they serve, what they run, when they were last seen (operators) */
        get: operations["listWorkers"];
        put?: never;
        /** Register a remote worker and declare the job types it serves */
        post: operations["registerWorker"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/workers/{worker}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** A worker that stops says so */
        delete: operations["removeWorker"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/workers/{worker}/claim": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Claim jobs: at once when some are queued, else as soon as one is (long-poll) */
        post: operations["claimJobs"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/workers/{worker}/jobs/{ref}/heartbeat": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Extend a job's lease, with progress, stage, message, eta and log lines; says whether it was canceled */
        post: operations["heartbeatJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/workers/{worker}/jobs/{ref}/complete": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Complete a job with its output */
        post: operations["completeJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/workers/{worker}/jobs/{ref}/fail": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Fail a job with an error code and message; retried when asked and attempts remain */
        post: operations["failJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/workers/{worker}/jobs/{ref}/release": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Give a job back to its queue without counting the attempt */
        post: operations["releaseJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/workers/{worker}/jobs/{ref}/artifacts/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Upload a file into a running job's artifacts (streamed, up to --max-file-size) */
        put: operations["putArtifact"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/queues": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The queues, their limits and their counts */
        get: operations["listQueues"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/queues/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One queue */
        get: operations["getQueue"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/queues/{name}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Pause a queue: running jobs finish, nothing new starts (operators) */
        post: operations["pauseQueue"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/queues/{name}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Resume a paused queue (operators) */
        post: operations["resumeQueue"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/submit/{job_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Submit a simulated job (status API compatibility)
         * @description delay_seconds (default 20) as a query parameter or form field. Answers 201 text/plain "Successfully submitted the job: <job_id>".
         */
        post: operations["submitSimulatedJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/status/{job_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A job's result (status API compatibility) */
        get: operations["getSimulatedJobResult"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/status/{job_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A job's status, in the shape of the API its type belongs to */
        get: operations["getApiV1Status"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/download/{job_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A completed job's file (a text-to-video job's MP4, a document translation's document) */
        get: operations["downloadApiV1Result"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/generate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start a text-to-video job
         * @description The body is the input of a text.to_video job: `text`, and optionally `voice`, `background`, `width`, `height` (see GET /v1/types).
         */
        post: operations["generateVideo"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The caller's text-to-video jobs, newest first
         * @description At most the newest 100 jobs, and fewer when their statuses would pass 1 MiB; GET /v1/jobs?type=text.to_video pages through all of them.
         */
        get: operations["listTextToVideoJobs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/translate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start a document translation job
         * @description A multipart/form-data upload: `file` (plain text, Markdown, SubRip, WebVTT, HTML or DOCX, at most --body-limit bytes), `target_language` (e.g. de), `source_language` (e.g. en, or auto; default auto). Poll GET /api/v1/status/{job_id}; download the result from GET /api/v1/download/{job_id}.
         */
        post: operations["translateDocument"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/image/convert/video": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start an image-to-video job
         * @description image_url, length, frame_rate and zoom_speed are the input of an image.to_video job (width and height too, see GET /v1/types); id is echoed in every envelope; webhook_url receives the status envelope when the job ends.
         */
        post: operations["convertImageToVideo"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/toolkit/job/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A job's status in the toolkit envelope
         * @description job_status is queued (waiting for a worker), running, done (with where to download the result) or error (failed or canceled, with why).
         */
        post: operations["getToolkitJobStatus"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/storage/download/{filename}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A finished job's file, by the filename its status gave */
        get: operations["downloadToolkitFile"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness: the process answers */
        get: operations["getLiveness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness: the store answers; which job types can run here */
        get: operations["getReadiness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus metrics */
        get: operations["getMetrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description A job and everything known about it now. */
        Job: {
            /** @description A UUIDv7 made by the server, or the caller's own: ^(?!\.+$)[A-Za-z0-9._:-]{1,128}$ */
            id: string;
            /** @description The job type, one of GET /v1/types. */
            type: string;
            /**
             * @description completed, failed and canceled never change again.
             * @enum {string}
             */
            status: "queued" | "running" | "completed" | "failed" | "canceled";
            /** @description Percent done; never goes down within an attempt. */
            progress: number;
            /** @description The processor's current step, e.g. transcribing. */
            stage: string | null;
            /** @description The latest human-readable message. */
            message: string | null;
            /** @description As submitted, checked against the type's input schema. */
            input: {
                [key: string]: unknown;
            };
            /** @description The result; files are listed in output.artifacts. */
            output: {
                [key: string]: unknown;
            } | null;
            /** @description Why the job failed. */
            error: {
                /** @description Stable; see the job error codes in docs/errors.md. */
                code: string;
                /** @description For people. */
                message: string;
            } | null;
            /** @description The current or last attempt, from 1; 0 before the first. */
            attempt: number;
            /** @description Attempts before the job fails for good. */
            max_attempts: number;
            /** @description The named queue the job runs in; see GET /v1/queues. */
            queue: string;
            /** @description Higher runs first within its queue; 0 by default. */
            priority: number;
            /** @description While queued, in a read of one job: the jobs that will run before this one, with fair turns between tenants (counted up to 10000); null in lists, events and the reply to a create. */
            queue_position: number | null;
            /**
             * Format: date-time
             * @description While queued: when the job may start (a scheduled job, or the next attempt of a retried one).
             */
            run_at: string | null;
            /**
             * Format: date-time
             * @description Estimated finish time.
             */
            eta: string | null;
            /**
             * Format: date-time
             * @description When the job was submitted.
             */
            created_at: string;
            /**
             * Format: date-time
             * @description When the current or last attempt started.
             */
            started_at: string | null;
            /**
             * Format: date-time
             * @description When the job last changed.
             */
            updated_at: string;
            /**
             * Format: date-time
             * @description When the job reached completed, failed or canceled.
             */
            finished_at: string | null;
            /** @description Goes up by one on every change: the ETag and the SSE event id. */
            version: number;
            /** @description The newest 50 log lines; all of them at GET /v1/jobs/{id}/logs. */
            logs: string[];
            /** @description The caller's labels, returned as given. */
            metadata: {
                [key: string]: unknown;
            };
        };
        Error: {
            error: {
                /** @description Stable; see docs/errors.md. */
                code: string;
                message: string;
                details?: unknown;
            };
        };
        File: {
            /** @description file_ and 24 hex digits; put it in a job input that takes a URL. */
            id: string;
            /** @enum {string} */
            object: "file";
            filename: string;
            /** @description As declared, checked against the first bytes; detected when sent as application/octet-stream. */
            content_type: string;
            bytes: number;
            /** @description SHA-256 of the bytes, hex. */
            sha256: string;
            /** Format: date-time */
            created_at: string;
            /**
             * Format: date-time
             * @description When it is deleted (--file-retention).
             */
            expires_at: string;
            /** @description The bytes: /v1/files/{id}/content (also accepted in job inputs). */
            url: string;
        };
        WebhookDelivery: {
            /** @description The webhook-id header, the same on every attempt. */
            id: string;
            /** @enum {string} */
            event: "job.started" | "job.progress" | "job.completed" | "job.failed" | "job.canceled";
            url: string;
            /**
             * @description failed: every retry was spent; stopped: the receiver answered 410 Gone.
             * @enum {string}
             */
            status: "pending" | "delivered" | "failed" | "stopped";
            attempt_count: number;
            /** Format: date-time */
            created_at: string;
            /**
             * Format: date-time
             * @description While pending.
             */
            next_attempt_at: string | null;
            last_status_code: number | null;
            last_error: string | null;
            /** @description The most recent attempts, oldest first. */
            attempts: {
                /** Format: date-time */
                at: string;
                /** @description null: no response (refused, timed out). */
                status_code: number | null;
                error: string | null;
                duration_ms: number;
            }[];
        };
        /** @description A named queue: its limits, its state and its jobs now. */
        Queue: {
            name: string;
            /**
             * @description cpu: CPU-bound work, as many at once as cores; waiting: work that waits on something else.
             * @enum {string}
             */
            kind: "cpu" | "waiting";
            /** @description The job types whose default queue this is. */
            types: string[];
            /** @description Jobs of this queue each worker process runs at once. */
            concurrency: number;
            /** @description Jobs of this queue running at once across every process; null is no limit. */
            global_limit: number | null;
            /** @description One tenant's jobs of this queue running at once; null is no limit. */
            tenant_limit: number | null;
            /** @description Served by remote workers (docs/workers.md): its concurrency is 0, and runs what its workers' claims ask for. */
            remote: boolean;
            /** @description Paused: running jobs finish, nothing new starts. */
            paused: boolean;
            /** @description Queued and due now. */
            queued: number;
            /** @description Queued with a run_at in the future. */
            scheduled: number;
            running: number;
            /** @description How long the oldest due job has waited; null when none is waiting. */
            oldest_queued_age_seconds: number | null;
            /** @description Jobs that completed, failed or were canceled in the last 60 s. */
            finished_last_minute: number;
            /**
             * @description tenant: the counts are the caller's own jobs (a tenant key); all: every tenant's (an operator).
             * @enum {string}
             */
            scope: "all" | "tenant";
        };
        TextToVideoStatus: {
            /** @enum {string} */
            status: "queued" | "processing" | "completed" | "failed";
            /** @description Stages start at 0 (queued), 20 (audio), 40 (captions), 60 (search queries), 80 (background), 90 (rendering) and reach 100 when the video is ready. */
            progress: number;
            message: string;
            /** @description When the job was submitted, in seconds since the epoch. */
            created_at: number;
            /** @description The job's newest log lines. */
            logs: string[];
            /** @description Once completed: where to download the video. */
            output_file?: string;
            /** @description Once failed: why. */
            error?: string;
        };
        DocumentTranslationStatus: {
            /**
             * @description started: waiting for a worker; processing; completed; failed (or canceled).
             * @enum {string}
             */
            status: "started" | "processing" | "completed" | "failed";
            /** @description 0 until the text is read, 20 when it is, rising to 80 through translation, 100 when the output is written. */
            progress: number;
            /** @description The uploaded document's file name (or its URL). */
            file_path: string;
            /** @description The language code given, or "auto". */
            source_language: string;
            target_language: string;
            /**
             * Format: date-time
             * @description When the job was submitted (ISO 8601, UTC).
             */
            created_at: string;
            /** @description Once completed: where to download the translated file. */
            output_file: string | null;
            /** @description Once failed: why. */
            error: string | null;
            /** @enum {string} */
            processing_type: "advanced";
            /** @description Always true: the output keeps the format. */
            format_preservation: boolean;
        };
        ToolkitEnvelope: {
            /** @description The HTTP status: 202 on submit, 200 on status. */
            code: number;
            /** @description The `id` given on submit, else null. */
            id: string | null;
            job_id: string;
            response: {
                /**
                 * @description queued: waiting for a worker; running; done; error (failed or canceled).
                 * @enum {string}
                 */
                job_status: "queued" | "running" | "done" | "error";
                job_id: string;
                queue_id: number;
                /** @description The process running the job, while it runs. */
                process_id: number | null;
                /** @description Once done: where to download the result. */
                response: {
                    download_url: string | null;
                    filename: string | null;
                    message: string;
                } | null;
                /** @description Once the job_status is error: why. */
                error?: string;
            } | null;
            message: string;
            /** @description Seconds the job has run. */
            run_time: number;
            /** @description Seconds the job waited before it started. */
            queue_time: number;
            /** @description Seconds since the job was submitted, to its end. */
            total_time: number;
            /** @description The server process that wrote this. */
            pid: number;
            /** @description A number naming the queue the job waits in. */
            queue_id: number;
            /** @description Jobs waiting in the queue now. */
            queue_length: number;
            /** @description The server version. */
            build_number: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    listJobs: {
        parameters: {
            query?: {
                status?: string | string[];
                type?: string | string[];
                limit?: number;
                /** @description next_cursor of the previous page. */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Job"][];
                        next_cursor: string | null;
                    };
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    createJob: {
        parameters: {
            query?: never;
            header?: {
                "idempotency-key"?: string;
                /** @description wait=N (N <= 60) holds the reply until the job ends or N s pass. */
                prefer?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * @description The job type.
                     * @enum {string}
                     */
                    type: "simulate";
                    input?: {
                        /**
                         * @description How long the job runs, in seconds.
                         * @default 20
                         */
                        duration_seconds?: number;
                        /** @description Chance of failing with simulated_error; the server's --simulate-error-rate when omitted. */
                        error_rate?: number;
                        /** @description Fixes the outcome; a random one is chosen and stored when omitted. */
                        seed?: number;
                    };
                    /** @description Your own id (^(?!\.+$)[A-Za-z0-9._:-]{1,128}$); a UUIDv7 when omitted. */
                    id?: string;
                    /** @description Attempts before giving up. */
                    max_attempts?: number;
                    /** @description Another queue of the same kind (cpu or waiting) as the type's own; see GET /v1/queues. */
                    queue?: string;
                    /** @description From -100 to 100, higher first within the queue; 0 when omitted. */
                    priority?: number;
                    /** @description ISO 8601 with a zone: the job stays queued until then (at most 365 days ahead). */
                    run_at?: string;
                    /** @description The job stays queued this many seconds (0 to 31536000); instead of run_at. */
                    run_in_seconds?: number;
                    /** @description Your labels, returned as given (at most 16 KB). */
                    metadata?: {
                        [key: string]: unknown;
                    };
                    /** @description Where to POST signed events of this job (Standard Webhooks); see docs/webhooks.md. */
                    webhook?: {
                        url: string;
                        /** @description Default: job.completed, job.failed, job.canceled. */
                        events?: ("job.started" | "job.progress" | "job.completed" | "job.failed" | "job.canceled")[];
                    };
                } | {
                    /**
                     * @description The job type.
                     * @enum {string}
                     */
                    type: "video.translate";
                    input: {
                        /**
                         * Format: uri
                         * @description The video to translate.
                         */
                        video_url: string;
                        /** @description BCP 47 tag of the language to dub into, e.g. "es". */
                        target_language: string;
                        /** @description BCP 47 tag of the spoken language; detected when omitted. */
                        source_language?: string;
                        /**
                         * @description How long the simulated translation takes, in seconds.
                         * @default 30
                         */
                        duration_seconds?: number;
                        /** @description Chance of a simulated_error. */
                        error_rate?: number;
                        /** @description Fixes the outcome. */
                        seed?: number;
                    };
                    /** @description Your own id (^(?!\.+$)[A-Za-z0-9._:-]{1,128}$); a UUIDv7 when omitted. */
                    id?: string;
                    /** @description Attempts before giving up. */
                    max_attempts?: number;
                    /** @description Another queue of the same kind (cpu or waiting) as the type's own; see GET /v1/queues. */
                    queue?: string;
                    /** @description From -100 to 100, higher first within the queue; 0 when omitted. */
                    priority?: number;
                    /** @description ISO 8601 with a zone: the job stays queued until then (at most 365 days ahead). */
                    run_at?: string;
                    /** @description The job stays queued this many seconds (0 to 31536000); instead of run_at. */
                    run_in_seconds?: number;
                    /** @description Your labels, returned as given (at most 16 KB). */
                    metadata?: {
                        [key: string]: unknown;
                    };
                    /** @description Where to POST signed events of this job (Standard Webhooks); see docs/webhooks.md. */
                    webhook?: {
                        url: string;
                        /** @description Default: job.completed, job.failed, job.canceled. */
                        events?: ("job.started" | "job.progress" | "job.completed" | "job.failed" | "job.canceled")[];
                    };
                } | {
                    /**
                     * @description The job type.
                     * @enum {string}
                     */
                    type: "image.to_video";
                    input: {
                        /** @description The image: an http, https or data: URL, or an uploaded file (its file_… id or /v1/files/{id}/content) (PNG, JPEG, WebP, GIF, BMP, TIFF…). */
                        image_url: string;
                        /**
                         * @description Length in seconds.
                         * @default 10
                         */
                        length?: number;
                        /**
                         * @description Frames per second.
                         * @default 30
                         */
                        frame_rate?: number;
                        /**
                         * @description How fast the picture grows, in percent per second (0 keeps it still); slowed if needed so that the zoom never passes 4x by the end.
                         * @default 3
                         */
                        zoom_speed?: number;
                        /**
                         * @description Output width in pixels, even, at most 3840.
                         * @default 1280
                         */
                        width?: number;
                        /**
                         * @description Output height in pixels, even, at most 2160.
                         * @default 720
                         */
                        height?: number;
                    };
                    /** @description Your own id (^(?!\.+$)[A-Za-z0-9._:-]{1,128}$); a UUIDv7 when omitted. */
                    id?: string;
                    /** @description Attempts before giving up. */
                    max_attempts?: number;
                    /** @description Another queue of the same kind (cpu or waiting) as the type's own; see GET /v1/queues. */
                    queue?: string;
                    /** @description From -100 to 100, higher first within the queue; 0 when omitted. */
                    priority?: number;
                    /** @description ISO 8601 with a zone: the job stays queued until then (at most 365 days ahead). */
                    run_at?: string;
                    /** @description The job stays queued this many seconds (0 to 31536000); instead of run_at. */
                    run_in_seconds?: number;
                    /** @description Your labels, returned as given (at most 16 KB). */
                    metadata?: {
                        [key: string]: unknown;
                    };
                    /** @description Where to POST signed events of this job (Standard Webhooks); see docs/webhooks.md. */
                    webhook?: {
                        url: string;
                        /** @description Default: job.completed, job.failed, job.canceled. */
                        events?: ("job.started" | "job.progress" | "job.completed" | "job.failed" | "job.canceled")[];
                    };
                } | {
                    /**
                     * @description The job type.
                     * @enum {string}
                     */
                    type: "text.to_video";
                    input: {
                        /**
                         * Format: spoken-text
                         * @description What is said and shown: no NUL or other control characters but tab, line feed and carriage return.
                         */
                        text: string;
                        /**
                         * @description An eSpeak NG voice: a language code such as en-us, en-gb, fr, de, es, optionally +variant (en+f3).
                         * @default en-us
                         */
                        voice?: string;
                        /**
                         * @description Output width in pixels, even, at most 3840.
                         * @default 1280
                         */
                        width?: number;
                        /**
                         * @description Output height in pixels, even, at most 2160.
                         * @default 720
                         */
                        height?: number;
                        /**
                         * @description A colour (#RGB, #RRGGBB or a CSS name such as black, navy, darkslategray), an image URL, or an uploaded image (its file_… id or /v1/files/{id}/content).
                         * @default #000000
                         */
                        background?: string;
                    };
                    /** @description Your own id (^(?!\.+$)[A-Za-z0-9._:-]{1,128}$); a UUIDv7 when omitted. */
                    id?: string;
                    /** @description Attempts before giving up. */
                    max_attempts?: number;
                    /** @description Another queue of the same kind (cpu or waiting) as the type's own; see GET /v1/queues. */
                    queue?: string;
                    /** @description From -100 to 100, higher first within the queue; 0 when omitted. */
                    priority?: number;
                    /** @description ISO 8601 with a zone: the job stays queued until then (at most 365 days ahead). */
                    run_at?: string;
                    /** @description The job stays queued this many seconds (0 to 31536000); instead of run_at. */
                    run_in_seconds?: number;
                    /** @description Your labels, returned as given (at most 16 KB). */
                    metadata?: {
                        [key: string]: unknown;
                    };
                    /** @description Where to POST signed events of this job (Standard Webhooks); see docs/webhooks.md. */
                    webhook?: {
                        url: string;
                        /** @description Default: job.completed, job.failed, job.canceled. */
                        events?: ("job.started" | "job.progress" | "job.completed" | "job.failed" | "job.canceled")[];
                    };
                } | {
                    /**
                     * @description The job type.
                     * @enum {string}
                     */
                    type: "document.translate";
                    input: {
                        /** @description The document: an http, https or data: URL, or an uploaded file (its file_… id or /v1/files/{id}/content). */
                        document_url: string;
                        /** @description The document's file name: it helps tell the format and names the output (report.docx -> report.es.docx). */
                        filename?: string;
                        /**
                         * @description ISO 639-1 code of the language the document is in (e.g. "en"), or "auto" to detect it.
                         * @default auto
                         */
                        source_language?: string;
                        /** @description ISO 639-1 code of the language to translate into, e.g. "de" or "pt-BR". */
                        target_language: string;
                    };
                    /** @description Your own id (^(?!\.+$)[A-Za-z0-9._:-]{1,128}$); a UUIDv7 when omitted. */
                    id?: string;
                    /** @description Attempts before giving up. */
                    max_attempts?: number;
                    /** @description Another queue of the same kind (cpu or waiting) as the type's own; see GET /v1/queues. */
                    queue?: string;
                    /** @description From -100 to 100, higher first within the queue; 0 when omitted. */
                    priority?: number;
                    /** @description ISO 8601 with a zone: the job stays queued until then (at most 365 days ahead). */
                    run_at?: string;
                    /** @description The job stays queued this many seconds (0 to 31536000); instead of run_at. */
                    run_in_seconds?: number;
                    /** @description Your labels, returned as given (at most 16 KB). */
                    metadata?: {
                        [key: string]: unknown;
                    };
                    /** @description Where to POST signed events of this job (Standard Webhooks); see docs/webhooks.md. */
                    webhook?: {
                        url: string;
                        /** @description Default: job.completed, job.failed, job.canceled. */
                        events?: ("job.started" | "job.progress" | "job.completed" | "job.failed" | "job.canceled")[];
                    };
                };
            };
        };
        responses: {
            /** @description A job and everything known about it now. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            /** @description A job and everything known about it now. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getJob: {
        parameters: {
            query?: {
                /** @description Seconds (0-60) to hold until the job changes or ends. */
                wait?: string;
                /** @description Hold until version > since (default: the version when the request came). */
                since?: number;
                /** @description terminal: hold until the job ends (or wait passes), not until its next change. */
                until?: "terminal";
            };
            header?: never;
            path: {
                /** @description Job id: ^(?!\.+$)[A-Za-z0-9._:-]{1,128}$ */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A job and everything known about it now. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            /** @description Default Response */
            304: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Job id: ^(?!\.+$)[A-Za-z0-9._:-]{1,128}$ */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        deleted: boolean;
                    };
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    cancelJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Job id: ^(?!\.+$)[A-Za-z0-9._:-]{1,128}$ */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A job and everything known about it now. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listJobLogs: {
        parameters: {
            query?: {
                /** @description next_cursor of the previous page. */
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path: {
                /** @description Job id: ^(?!\.+$)[A-Za-z0-9._:-]{1,128}$ */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            seq: number;
                            timestamp: string;
                            line: string;
                        }[];
                        next_cursor: string | null;
                    };
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    createJobs: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Bodies of POST /v1/jobs, each with an optional idempotency_key; at most --max-batch-jobs (1000). */
                    jobs: ({
                        /**
                         * @description The job type.
                         * @enum {string}
                         */
                        type: "simulate";
                        input?: {
                            /**
                             * @description How long the job runs, in seconds.
                             * @default 20
                             */
                            duration_seconds?: number;
                            /** @description Chance of failing with simulated_error; the server's --simulate-error-rate when omitted. */
                            error_rate?: number;
                            /** @description Fixes the outcome; a random one is chosen and stored when omitted. */
                            seed?: number;
                        };
                        /** @description Your own id (^(?!\.+$)[A-Za-z0-9._:-]{1,128}$); a UUIDv7 when omitted. */
                        id?: string;
                        /** @description Attempts before giving up. */
                        max_attempts?: number;
                        /** @description Another queue of the same kind (cpu or waiting) as the type's own; see GET /v1/queues. */
                        queue?: string;
                        /** @description From -100 to 100, higher first within the queue; 0 when omitted. */
                        priority?: number;
                        /** @description ISO 8601 with a zone: the job stays queued until then (at most 365 days ahead). */
                        run_at?: string;
                        /** @description The job stays queued this many seconds (0 to 31536000); instead of run_at. */
                        run_in_seconds?: number;
                        /** @description Your labels, returned as given (at most 16 KB). */
                        metadata?: {
                            [key: string]: unknown;
                        };
                        /** @description Where to POST signed events of this job (Standard Webhooks); see docs/webhooks.md. */
                        webhook?: {
                            url: string;
                            /** @description Default: job.completed, job.failed, job.canceled. */
                            events?: ("job.started" | "job.progress" | "job.completed" | "job.failed" | "job.canceled")[];
                        };
                        /** @description This item's Idempotency-Key: the same key and item give back the first job (status 200), another item is refused (409). */
                        idempotency_key?: string;
                    } | {
                        /**
                         * @description The job type.
                         * @enum {string}
                         */
                        type: "video.translate";
                        input: {
                            /**
                             * Format: uri
                             * @description The video to translate.
                             */
                            video_url: string;
                            /** @description BCP 47 tag of the language to dub into, e.g. "es". */
                            target_language: string;
                            /** @description BCP 47 tag of the spoken language; detected when omitted. */
                            source_language?: string;
                            /**
                             * @description How long the simulated translation takes, in seconds.
                             * @default 30
                             */
                            duration_seconds?: number;
                            /** @description Chance of a simulated_error. */
                            error_rate?: number;
                            /** @description Fixes the outcome. */
                            seed?: number;
                        };
                        /** @description Your own id (^(?!\.+$)[A-Za-z0-9._:-]{1,128}$); a UUIDv7 when omitted. */
                        id?: string;
                        /** @description Attempts before giving up. */
                        max_attempts?: number;
                        /** @description Another queue of the same kind (cpu or waiting) as the type's own; see GET /v1/queues. */
                        queue?: string;
                        /** @description From -100 to 100, higher first within the queue; 0 when omitted. */
                        priority?: number;
                        /** @description ISO 8601 with a zone: the job stays queued until then (at most 365 days ahead). */
                        run_at?: string;
                        /** @description The job stays queued this many seconds (0 to 31536000); instead of run_at. */
                        run_in_seconds?: number;
                        /** @description Your labels, returned as given (at most 16 KB). */
                        metadata?: {
                            [key: string]: unknown;
                        };
                        /** @description Where to POST signed events of this job (Standard Webhooks); see docs/webhooks.md. */
                        webhook?: {
                            url: string;
                            /** @description Default: job.completed, job.failed, job.canceled. */
                            events?: ("job.started" | "job.progress" | "job.completed" | "job.failed" | "job.canceled")[];
                        };
                        /** @description This item's Idempotency-Key: the same key and item give back the first job (status 200), another item is refused (409). */
                        idempotency_key?: string;
                    } | {
                        /**
                         * @description The job type.
                         * @enum {string}
                         */
                        type: "image.to_video";
                        input: {
                            /** @description The image: an http, https or data: URL, or an uploaded file (its file_… id or /v1/files/{id}/content) (PNG, JPEG, WebP, GIF, BMP, TIFF…). */
                            image_url: string;
                            /**
                             * @description Length in seconds.
                             * @default 10
                             */
                            length?: number;
                            /**
                             * @description Frames per second.
                             * @default 30
                             */
                            frame_rate?: number;
                            /**
                             * @description How fast the picture grows, in percent per second (0 keeps it still); slowed if needed so that the zoom never passes 4x by the end.
                             * @default 3
                             */
                            zoom_speed?: number;
                            /**
                             * @description Output width in pixels, even, at most 3840.
                             * @default 1280
                             */
                            width?: number;
                            /**
                             * @description Output height in pixels, even, at most 2160.
                             * @default 720
                             */
                            height?: number;
                        };
                        /** @description Your own id (^(?!\.+$)[A-Za-z0-9._:-]{1,128}$); a UUIDv7 when omitted. */
                        id?: string;
                        /** @description Attempts before giving up. */
                        max_attempts?: number;
                        /** @description Another queue of the same kind (cpu or waiting) as the type's own; see GET /v1/queues. */
                        queue?: string;
                        /** @description From -100 to 100, higher first within the queue; 0 when omitted. */
                        priority?: number;
                        /** @description ISO 8601 with a zone: the job stays queued until then (at most 365 days ahead). */
                        run_at?: string;
                        /** @description The job stays queued this many seconds (0 to 31536000); instead of run_at. */
                        run_in_seconds?: number;
                        /** @description Your labels, returned as given (at most 16 KB). */
                        metadata?: {
                            [key: string]: unknown;
                        };
                        /** @description Where to POST signed events of this job (Standard Webhooks); see docs/webhooks.md. */
                        webhook?: {
                            url: string;
                            /** @description Default: job.completed, job.failed, job.canceled. */
                            events?: ("job.started" | "job.progress" | "job.completed" | "job.failed" | "job.canceled")[];
                        };
                        /** @description This item's Idempotency-Key: the same key and item give back the first job (status 200), another item is refused (409). */
                        idempotency_key?: string;
                    } | {
                        /**
                         * @description The job type.
                         * @enum {string}
                         */
                        type: "text.to_video";
                        input: {
                            /**
                             * Format: spoken-text
                             * @description What is said and shown: no NUL or other control characters but tab, line feed and carriage return.
                             */
                            text: string;
                            /**
                             * @description An eSpeak NG voice: a language code such as en-us, en-gb, fr, de, es, optionally +variant (en+f3).
                             * @default en-us
                             */
                            voice?: string;
                            /**
                             * @description Output width in pixels, even, at most 3840.
                             * @default 1280
                             */
                            width?: number;
                            /**
                             * @description Output height in pixels, even, at most 2160.
                             * @default 720
                             */
                            height?: number;
                            /**
                             * @description A colour (#RGB, #RRGGBB or a CSS name such as black, navy, darkslategray), an image URL, or an uploaded image (its file_… id or /v1/files/{id}/content).
                             * @default #000000
                             */
                            background?: string;
                        };
                        /** @description Your own id (^(?!\.+$)[A-Za-z0-9._:-]{1,128}$); a UUIDv7 when omitted. */
                        id?: string;
                        /** @description Attempts before giving up. */
                        max_attempts?: number;
                        /** @description Another queue of the same kind (cpu or waiting) as the type's own; see GET /v1/queues. */
                        queue?: string;
                        /** @description From -100 to 100, higher first within the queue; 0 when omitted. */
                        priority?: number;
                        /** @description ISO 8601 with a zone: the job stays queued until then (at most 365 days ahead). */
                        run_at?: string;
                        /** @description The job stays queued this many seconds (0 to 31536000); instead of run_at. */
                        run_in_seconds?: number;
                        /** @description Your labels, returned as given (at most 16 KB). */
                        metadata?: {
                            [key: string]: unknown;
                        };
                        /** @description Where to POST signed events of this job (Standard Webhooks); see docs/webhooks.md. */
                        webhook?: {
                            url: string;
                            /** @description Default: job.completed, job.failed, job.canceled. */
                            events?: ("job.started" | "job.progress" | "job.completed" | "job.failed" | "job.canceled")[];
                        };
                        /** @description This item's Idempotency-Key: the same key and item give back the first job (status 200), another item is refused (409). */
                        idempotency_key?: string;
                    } | {
                        /**
                         * @description The job type.
                         * @enum {string}
                         */
                        type: "document.translate";
                        input: {
                            /** @description The document: an http, https or data: URL, or an uploaded file (its file_… id or /v1/files/{id}/content). */
                            document_url: string;
                            /** @description The document's file name: it helps tell the format and names the output (report.docx -> report.es.docx). */
                            filename?: string;
                            /**
                             * @description ISO 639-1 code of the language the document is in (e.g. "en"), or "auto" to detect it.
                             * @default auto
                             */
                            source_language?: string;
                            /** @description ISO 639-1 code of the language to translate into, e.g. "de" or "pt-BR". */
                            target_language: string;
                        };
                        /** @description Your own id (^(?!\.+$)[A-Za-z0-9._:-]{1,128}$); a UUIDv7 when omitted. */
                        id?: string;
                        /** @description Attempts before giving up. */
                        max_attempts?: number;
                        /** @description Another queue of the same kind (cpu or waiting) as the type's own; see GET /v1/queues. */
                        queue?: string;
                        /** @description From -100 to 100, higher first within the queue; 0 when omitted. */
                        priority?: number;
                        /** @description ISO 8601 with a zone: the job stays queued until then (at most 365 days ahead). */
                        run_at?: string;
                        /** @description The job stays queued this many seconds (0 to 31536000); instead of run_at. */
                        run_in_seconds?: number;
                        /** @description Your labels, returned as given (at most 16 KB). */
                        metadata?: {
                            [key: string]: unknown;
                        };
                        /** @description Where to POST signed events of this job (Standard Webhooks); see docs/webhooks.md. */
                        webhook?: {
                            url: string;
                            /** @description Default: job.completed, job.failed, job.canceled. */
                            events?: ("job.started" | "job.progress" | "job.completed" | "job.failed" | "job.canceled")[];
                        };
                        /** @description This item's Idempotency-Key: the same key and item give back the first job (status 200), another item is refused (409). */
                        idempotency_key?: string;
                    })[];
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description One result per item, in the order of the request. */
                        data: {
                            /** @description 202: created. 200: an idempotency_key's job from before, returned again. 4xx: this item was refused (error says why); the others were not. */
                            status: number;
                            job?: components["schemas"]["Job"];
                            error?: {
                                /** @description Stable; see docs/errors.md. */
                                code: string;
                                message: string;
                                details?: unknown;
                            };
                        }[];
                    };
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    downloadArtifact: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The job id. */
                id: string;
                /** @description An artifact name from output.artifacts, e.g. video.mp4. */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The whole file. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": string;
                };
            };
            /** @description The requested byte range. */
            206: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": string;
                };
            };
            /** @description Not modified (If-None-Match matched the ETag). */
            304: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            416: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listFiles: {
        parameters: {
            query?: {
                limit?: number;
                /** @description next_cursor of the previous page. */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["File"][];
                        next_cursor: string | null;
                    };
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    uploadFile: {
        parameters: {
            query?: {
                filename?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/octet-stream": string;
                "multipart/form-data": {
                    /** Format: binary */
                    file: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["File"];
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getFile: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description File id: ^file_[A-Za-z0-9]{1,64}$ */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["File"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteFile: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description File id: ^file_[A-Za-z0-9]{1,64}$ */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        /** @enum {string} */
                        object: "file";
                        deleted: boolean;
                    };
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    downloadFile: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description File id: ^file_[A-Za-z0-9]{1,64}$ */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The whole file. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": string;
                };
            };
            /** @description The requested byte range. */
            206: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": string;
                };
            };
            /** @description Not modified (If-None-Match matched the ETag). */
            304: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            416: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    streamJobEvents: {
        parameters: {
            query?: {
                /** @description For clients that cannot set Last-Event-ID. */
                last_event_id?: string;
            };
            header?: never;
            path: {
                /** @description Job id: ^(?!\.+$)[A-Za-z0-9._:-]{1,128}$ */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description text/event-stream */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": string;
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": components["schemas"]["Error"];
                };
            };
        };
    };
    streamManyJobEvents: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description The jobs to follow; at most --max-batch-jobs (1000). An id given twice is followed once. */
                    ids: string[];
                    /** @description Send only the snapshots in these states, such as the terminal ones; the stream still ends once every job has. */
                    status?: string[];
                };
            };
        };
        responses: {
            /** @description text/event-stream */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": string;
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": components["schemas"]["Error"];
                };
            };
        };
    };
    streamEvents: {
        parameters: {
            query?: {
                type?: string | string[];
                status?: string | string[];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description text/event-stream */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": string;
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": components["schemas"]["Error"];
                };
            };
        };
    };
    listWebhookDeliveries: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Job id: ^(?!\.+$)[A-Za-z0-9._:-]{1,128}$ */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["WebhookDelivery"][];
                    };
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    retryWebhookDelivery: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Job id: ^(?!\.+$)[A-Za-z0-9._:-]{1,128}$ */
                id: string;
                delivery_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookDelivery"];
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listJobTypes: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data?: {
                            type: string;
                            /** @description The queue its jobs run in unless the caller names another. */
                            queue: string;
                            /**
                             * @description cpu: bounded by cores; waiting: waits on something else, hundreds at once.
                             * @enum {string}
                             */
                            work: "cpu" | "waiting";
                            description: string;
                            input_schema: {
                                [key: string]: unknown;
                            };
                            /** @description Whether its jobs can run now: its tools are installed, or (remote) a live worker serves it. Jobs of an unavailable type still queue. */
                            available: boolean;
                            /** @description Served by remote workers (docs/workers.md). */
                            remote: boolean;
                            unavailable_reason?: string;
                        }[];
                    };
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listWorkers: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data?: {
                            id: string;
                            name: string;
                            types: string[];
                            /** @description Seen within three heartbeat intervals. */
                            live: boolean;
                            /** Format: date-time */
                            registered_at: string;
                            /** Format: date-time */
                            last_seen_at: string;
                            running: {
                                tenant?: string;
                                id?: string;
                                type?: string;
                                /** Format: date-time */
                                started_at?: string;
                            }[];
                        }[];
                    };
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    registerWorker: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name?: string;
                    types: {
                        type: string;
                        description?: string;
                        input_schema: {
                            [key: string]: unknown;
                        };
                        queue?: string;
                    }[];
                };
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    removeWorker: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                worker: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    claimJobs: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                worker: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @default 1 */
                    max_jobs?: number;
                    /** @default 30 */
                    wait_seconds?: number;
                    types?: string[];
                } | null;
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        jobs?: {
                            ref?: string;
                            lease_token?: string;
                            /** Format: date-time */
                            lease_expires_at?: string;
                            tenant?: string;
                            job?: components["schemas"]["Job"];
                        }[];
                    };
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    heartbeatJob: {
        parameters: {
            query?: never;
            header?: {
                /** @description The job's lease token, from the claim. */
                "lease-token"?: string;
            };
            path: {
                worker: string;
                /** @description The claim's ref of the job: tenant:id. */
                ref: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    progress?: number;
                    stage?: string | null;
                    message?: string | null;
                    eta_seconds?: number | null;
                    logs?: string[];
                } | null;
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        canceled?: boolean;
                        /** Format: date-time */
                        lease_expires_at?: string | null;
                    };
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    completeJob: {
        parameters: {
            query?: never;
            header?: {
                /** @description The job's lease token, from the claim. */
                "lease-token"?: string;
            };
            path: {
                worker: string;
                /** @description The claim's ref of the job: tenant:id. */
                ref: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    output: {
                        [key: string]: unknown;
                    };
                    progress?: number;
                    stage?: string | null;
                    message?: string | null;
                    eta_seconds?: number | null;
                    logs?: string[];
                };
            };
        };
        responses: {
            /** @description A job and everything known about it now. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    failJob: {
        parameters: {
            query?: never;
            header?: {
                /** @description The job's lease token, from the claim. */
                "lease-token"?: string;
            };
            path: {
                worker: string;
                /** @description The claim's ref of the job: tenant:id. */
                ref: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    error: {
                        code: string;
                        message: string;
                    };
                    retry?: boolean;
                    retry_in_seconds?: number;
                    progress?: number;
                    stage?: string | null;
                    message?: string | null;
                    eta_seconds?: number | null;
                    logs?: string[];
                };
            };
        };
        responses: {
            /** @description A job and everything known about it now. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    releaseJob: {
        parameters: {
            query?: never;
            header?: {
                /** @description The job's lease token, from the claim. */
                "lease-token"?: string;
            };
            path: {
                worker: string;
                /** @description The claim's ref of the job: tenant:id. */
                ref: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": Record<string, never> | null;
            };
        };
        responses: {
            /** @description A job and everything known about it now. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    putArtifact: {
        parameters: {
            query?: never;
            header?: {
                /** @description The job's lease token, from the claim. */
                "lease-token"?: string;
            };
            path: {
                worker: string;
                /** @description The claim's ref of the job: tenant:id. */
                ref: string;
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listQueues: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Queue"][];
                    };
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getQueue: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A named queue: its limits, its state and its jobs now. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Queue"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    pauseQueue: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A named queue: its limits, its state and its jobs now. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Queue"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    resumeQueue: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A named queue: its limits, its state and its jobs now. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Queue"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    submitSimulatedJob: {
        parameters: {
            query?: {
                /** @description Decimal seconds, 0 to 86400 (e.g. 10 or 2.5). */
                delay_seconds?: unknown;
            };
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": string;
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        detail: string;
                    };
                };
            };
            /** @description Default Response */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        detail: string;
                    };
                };
            };
            /** @description Default Response */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        detail: string;
                    };
                };
            };
            /** @description Default Response */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        detail: string;
                    };
                };
            };
            /** @description Default Response */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        detail: string;
                    };
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        detail: string;
                    };
                };
            };
        };
    };
    getSimulatedJobResult: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        result: "pending" | "completed" | "error";
                    };
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        detail: string;
                    };
                };
            };
            /** @description Default Response */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        detail: string;
                    };
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        detail: string;
                    };
                };
            };
        };
    };
    getApiV1Status: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The job_id the submit route answered with. */
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TextToVideoStatus"] | components["schemas"]["DocumentTranslationStatus"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description What went wrong, for people. */
                        error: string;
                    } & {
                        [key: string]: string;
                    };
                };
            };
            /** @description Default Response */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        detail: string;
                    };
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description What went wrong, for people. */
                        error: string;
                    } & {
                        [key: string]: string;
                    };
                };
            };
            /** @description Default Response */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description What went wrong, for people. */
                        error: string;
                    } & {
                        [key: string]: string;
                    };
                };
            };
        };
    };
    downloadApiV1Result: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The job_id the submit route answered with. */
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file, as an attachment: generated_video_<job_id>.mp4 for a text-to-video job, the translated document under its name (report.docx -> report.de.docx) for a document translation. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                };
            };
            /** @description The requested byte range. */
            206: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description What went wrong, for people. */
                        error: string;
                    } & {
                        [key: string]: string;
                    };
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description What went wrong, for people. */
                        error: string;
                    } & {
                        [key: string]: string;
                    };
                };
            };
            /** @description Default Response */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        detail: string;
                    };
                };
            };
            /** @description Default Response */
            416: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description What went wrong, for people. */
                        error: string;
                    } & {
                        [key: string]: string;
                    };
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description What went wrong, for people. */
                        error: string;
                    } & {
                        [key: string]: string;
                    };
                };
            };
            /** @description Default Response */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description What went wrong, for people. */
                        error: string;
                    } & {
                        [key: string]: string;
                    };
                };
            };
        };
    };
    generateVideo: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description What is said and shown. */
                    text?: string;
                } & {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description Default Response */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        job_id: string;
                        /** @enum {string} */
                        status: "queued";
                        message: string;
                    };
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description What went wrong, for people. */
                        error: string;
                    } & {
                        [key: string]: string;
                    };
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description What went wrong, for people. */
                        error: string;
                    } & {
                        [key: string]: string;
                    };
                };
            };
            /** @description Default Response */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description What went wrong, for people. */
                        error: string;
                    } & {
                        [key: string]: string;
                    };
                };
            };
            /** @description Default Response */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description What went wrong, for people. */
                        error: string;
                    } & {
                        [key: string]: string;
                    };
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description What went wrong, for people. */
                        error: string;
                    } & {
                        [key: string]: string;
                    };
                };
            };
            /** @description Default Response */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description What went wrong, for people. */
                        error: string;
                    } & {
                        [key: string]: string;
                    };
                };
            };
        };
    };
    listTextToVideoJobs: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description Job id -> status, newest first. */
                        jobs: {
                            [key: string]: components["schemas"]["TextToVideoStatus"];
                        };
                    };
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description What went wrong, for people. */
                        error: string;
                    } & {
                        [key: string]: string;
                    };
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description What went wrong, for people. */
                        error: string;
                    } & {
                        [key: string]: string;
                    };
                };
            };
            /** @description Default Response */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description What went wrong, for people. */
                        error: string;
                    } & {
                        [key: string]: string;
                    };
                };
            };
        };
    };
    translateDocument: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": {
                    /**
                     * Format: binary
                     * @description The document.
                     */
                    file: string;
                    /** @description e.g. en, or auto (the default). */
                    source_language?: string;
                    /** @description e.g. de or pt-BR. */
                    target_language: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        job_id: string;
                        /** @enum {string} */
                        status: "started";
                        message: string;
                    };
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        detail: string;
                    };
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        detail: string;
                    };
                };
            };
            /** @description Default Response */
            406: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        detail: string;
                    };
                };
            };
            /** @description Default Response */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        detail: string;
                    };
                };
            };
            /** @description Default Response */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        detail: string;
                    };
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        detail: string;
                    };
                };
            };
            /** @description Default Response */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        detail: string;
                    };
                };
            };
        };
    };
    convertImageToVideo: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description An http, https or data: URL of the image. */
                    image_url: string;
                    /** @description Seconds of video (default 10). */
                    length?: number;
                    /** @description Frames per second (default 30). */
                    frame_rate?: number;
                    /** @description Zoom in percent per second (default 3). */
                    zoom_speed?: number;
                    /** @description Where to POST the status when the job ends. */
                    webhook_url?: string;
                    /** @description Your own reference, echoed back as id. */
                    id?: string;
                } & {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description Default Response */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ToolkitEnvelope"];
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description What went wrong, for people. */
                        error: string;
                    } & {
                        [key: string]: string;
                    };
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description What went wrong, for people. */
                        error: string;
                    } & {
                        [key: string]: string;
                    };
                };
            };
            /** @description Default Response */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description What went wrong, for people. */
                        error: string;
                    } & {
                        [key: string]: string;
                    };
                };
            };
            /** @description Default Response */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description What went wrong, for people. */
                        error: string;
                    } & {
                        [key: string]: string;
                    };
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description What went wrong, for people. */
                        error: string;
                    } & {
                        [key: string]: string;
                    };
                };
            };
            /** @description Default Response */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description What went wrong, for people. */
                        error: string;
                    } & {
                        [key: string]: string;
                    };
                };
            };
        };
    };
    getToolkitJobStatus: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    job_id: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ToolkitEnvelope"];
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description What went wrong, for people. */
                        error: string;
                    } & {
                        [key: string]: string;
                    };
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description What went wrong, for people. */
                        error: string;
                    } & {
                        [key: string]: string;
                    };
                };
            };
            /** @description Default Response */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        job_id: string;
                    };
                };
            };
            /** @description Default Response */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description What went wrong, for people. */
                        error: string;
                    } & {
                        [key: string]: string;
                    };
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description What went wrong, for people. */
                        error: string;
                    } & {
                        [key: string]: string;
                    };
                };
            };
            /** @description Default Response */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description What went wrong, for people. */
                        error: string;
                    } & {
                        [key: string]: string;
                    };
                };
            };
        };
    };
    downloadToolkitFile: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description e.g. video_<job_id>.mp4 */
                filename: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file, as an attachment under the requested name. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                };
            };
            /** @description The requested byte range. */
            206: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description What went wrong, for people. */
                        error: string;
                    } & {
                        [key: string]: string;
                    };
                };
            };
            /** @description Default Response */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description What went wrong, for people. */
                        error: string;
                    } & {
                        [key: string]: string;
                    };
                };
            };
            /** @description Default Response */
            416: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description What went wrong, for people. */
                        error: string;
                    } & {
                        [key: string]: string;
                    };
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description What went wrong, for people. */
                        error: string;
                    } & {
                        [key: string]: string;
                    };
                };
            };
            /** @description Default Response */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description What went wrong, for people. */
                        error: string;
                    } & {
                        [key: string]: string;
                    };
                };
            };
        };
    };
    getLiveness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        status?: string;
                    };
                };
            };
            /** @description invalid_request, request_timeout, headers_too_large */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getReadiness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description invalid_request, request_timeout, headers_too_large */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    getMetrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The Prometheus text format. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
}
