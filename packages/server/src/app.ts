import { join } from 'node:path';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import { type ArtifactStorage, DiskArtifactStorage } from './artifacts/storage.js';
import { AuthFailureLimit } from './auth/failure-limit.js';
import { ApiKeys } from './auth/keys.js';
import { loadKeysFile } from './auth/keys-file.js';
import { registerAuth } from './auth/plugin.js';
import type { Config } from './config.js';
import { ApiError } from './errors.js';
import type { ChangeFeed } from './feed/change-feed.js';
import { FileService } from './files/service.js';
import { FileStorage } from './files/storage.js';
import { artifactRoutes } from './http/artifacts.js';
import { batchRoutes } from './http/batch.js';
import { registerJsonParser } from './http/body.js';
import { compatRoutes } from './http/compat.js';
import { dashboardRoutes } from './http/dashboard.js';
import { registerDocs } from './http/docs.js';
import { clientErrorHandler, registerErrorHandling, sendError, toApiError } from './http/errors.js';
import { fileRoutes } from './http/files.js';
import { healthRoutes } from './http/health.js';
import { jobRoutes } from './http/jobs.js';
import { queueRoutes } from './http/queues.js';
import { registerRateLimits } from './http/rate-limit.js';
import { errorSchema, jobSchema, REQUEST_VALIDATION } from './http/schemas.js';
import { seedRoutes, seedWebhookFormats } from './http/seeds/routes.js';
import type { SseStream } from './http/sse.js';
import { streamRoutes } from './http/streams.js';
import { typeRoutes } from './http/types.js';
import { webhookRoutes } from './http/webhooks.js';
import { workerRoutes } from './http/workers.js';
import { JobService } from './jobs/service.js';
import { Metrics } from './metrics/metrics.js';
import { DOCUMENT_MAX_BYTES } from './processors/document-translate.js';
import { defaultRegistry } from './processors/index.js';
import { registerProcessorModules } from './processors/modules.js';
import type { ProcessorRegistry } from './processors/registry.js';
import { Queues } from './queues/queues.js';
import { RemoteTypes } from './remote/remote-types.js';
import { WorkerService } from './remote/workers.js';
import { translationBackend } from './settings/translation.js';
import { openBackend } from './store/backend.js';
import type { JobStore } from './store/store.js';
import { WebhookDispatcher } from './webhooks/dispatcher.js';
import { parseSecret, type SecretSet, WebhookSecrets } from './webhooks/signing.js';
import { Maintenance } from './worker/maintenance.js';
import { WorkerPool } from './worker/pool.js';

/** Parts a caller (a test, an embedding program) may supply instead of the ones the config makes. */
export interface AppParts {
  store?: JobStore;
  /** The feed of `store`'s changes; a store given without one gets the in-process feed. */
  feed?: ChangeFeed;
  registry?: ProcessorRegistry;
  artifacts?: ArtifactStorage;
}

export interface Longrun {
  config: Config;
  service: JobService;
  store: JobStore;
  feed: ChangeFeed;
  metrics: Metrics;
  /** The in-process workers; null in the `api` role. */
  pool: WorkerPool | null;
  maintenance: Maintenance;
  webhooks: WebhookDispatcher;
}

declare module 'fastify' {
  interface FastifyInstance {
    longrun: Longrun;
  }
}

/**
 * A longrun server as a Fastify instance: routes, store, change feed, and (in
 * the `worker` and `all` roles) the worker pool, which starts when the app is
 * ready and drains when it closes. Nothing global: two apps in one process
 * are independent.
 */
export async function buildApp(config: Config, parts: AppParts = {}): Promise<FastifyInstance> {
  const registry =
    parts.registry ??
    defaultRegistry({
      allowPrivateUrls: config.allowPrivateUrls,
      ffmpegPath: config.ffmpegPath,
      ffprobePath: config.ffprobePath,
      espeakPath: config.espeakPath,
      translation: translationBackend(config),
    });
  // First: a module that cannot be used stops the start before a store, a port or a pool is opened.
  await registerProcessorModules(registry, config.processors);
  const keysFile = config.apiKeysFile ? loadKeysFile(config.apiKeysFile) : null;
  const keys = [
    config.apiKeys ? ApiKeys.parse(config.apiKeys) : null,
    config.operatorKeys ? ApiKeys.parse(config.operatorKeys, 'operator') : null,
    config.workerKeys ? ApiKeys.parse(config.workerKeys, 'worker') : null,
    keysFile?.keys ?? null,
  ].reduce<ApiKeys | null>((all, more) => (all && more ? all.concat(more) : (all ?? more)), null);
  const globalSecret: SecretSet | null = config.webhookSecret
    ? {
        current: parseSecret(config.webhookSecret),
        previous:
          config.webhookSecretPrevious !== null && config.webhookSecretPreviousUntil !== null
            ? { key: parseSecret(config.webhookSecretPrevious), until: config.webhookSecretPreviousUntil }
            : undefined,
      }
    : null;
  const secrets = new WebhookSecrets({ global: globalSecret, tenants: keysFile?.secrets ?? new Map() });
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: [
        'req.headers.authorization',
        'req.headers["x-api-key"]',
        'headers.authorization',
        'headers["x-api-key"]',
      ],
    },
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimit,
    // A client that sends its body slowly is cut off rather than holding a connection forever.
    requestTimeout: config.requestTimeoutMs,
    // Given to Node when the server is made: set afterwards (as Fastify does), with the default
    // headersTimeout of 60 s, Node never enforced it. Expiry is checked every quarter of the timeout.
    http: {
      requestTimeout: config.requestTimeoutMs,
      headersTimeout: Math.min(60_000, config.requestTimeoutMs),
      connectionsCheckingInterval: Math.min(30_000, Math.max(250, config.requestTimeoutMs / 4)),
    },
    connectionTimeout: 0,
    keepAliveTimeout: 72_000,
    // Draining is answered by the hook below, in the documented error shape.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    ajv: { customOptions: REQUEST_VALIDATION },
    // Long enough that an over-long job id reaches the handler and gets invalid_job_id.
    routerOptions: { maxParamLength: 1024 },
    // So do the ones Node raises on a connection (a slow or malformed request).
    clientErrorHandler,
    // Errors the router raises before any route runs (a bad URL encoding) get the same JSON shape.
    frameworkErrors: (err, _request, reply) => sendError(reply, toApiError(err)),
  });

  const streams = new Set<SseStream>();
  // Made before the backend, whose feed counts into it as soon as it listens; read only at a scrape.
  const metrics = new Metrics({
    jobCounts: () => store.countByStatus(),
    queueCounts: () => store.queueCounts({}),
    sseStreams: () => streams.size,
    activeJobs: () => pool?.active ?? 0,
  });
  const { store, feed } = await openBackend(
    config,
    {
      logger: app.log,
      onListenerError: (err) => app.log.error({ err }, 'a change listener threw'),
      onIdleError: (err) => app.log.warn({ err }, 'an idle database connection closed; it will be replaced'),
      onFeedActivity: (activity) => metrics.feedActivity(activity),
    },
    parts,
  );
  const queues = Queues.build(registry, {
    cpuConcurrency: config.concurrency,
    waitConcurrency: config.waitConcurrency,
    specs: config.queues,
    tenantConcurrency: config.tenantConcurrency,
  });
  const artifacts = parts.artifacts ?? new DiskArtifactStorage(config.artifactsDir);
  // A worker node serves only probes and metrics; the API is for the api and all roles.
  const servesApi = config.role !== 'worker';
  const files = new FileService({
    store,
    storage: new FileStorage(config.filesDir),
    maxBytes: config.maxFileSize,
    retentionMs: config.fileRetentionMs,
  });
  const service = new JobService({
    files,
    store,
    feed,
    registry,
    queues,
    artifacts,
    simulateErrorRate: config.simulateErrorRate,
    defaultMaxAttempts: config.maxAttempts,
    // SQLite is written by this process alone, so its snapshots can be served from memory.
    readCache: parts.store === undefined && config.databaseUrl === null,
    webhooks: {
      policy: { allowPrivate: config.allowPrivateUrls },
      hasSecret: (tenant) => secrets.has(tenant),
    },
    inputLimits: { maxDataUrlSize: config.maxDataUrlSize, maxInputSize: config.maxInputSize },
  });
  const webhooks = new WebhookDispatcher({
    store,
    secrets,
    schedule: config.webhookRetryScheduleMs,
    timeoutMs: config.webhookTimeoutMs,
    pollIntervalMs: config.webhookPollIntervalMs,
    policy: { allowPrivate: config.allowPrivateUrls },
    logger: app.log,
    onAttempt: (event, outcome) => metrics.webhookAttempts.inc({ event, outcome }),
    formats: seedWebhookFormats({ service }),
  });
  service.onWebhook = () => webhooks.kick();
  // Read into the registry when the app is ready: after the pool below took its queues, none of them remote.
  const remoteTypes = new RemoteTypes({ store, registry, queues, logger: app.log });
  service.onUnknownType = (type) => remoteTypes.lookUp(type);
  const workers = new WorkerService({
    store,
    service,
    registry,
    queues,
    types: remoteTypes,
    leaseMs: config.leaseMs,
    tempRoot: join(config.dataDir, 'tmp', 'remote-artifacts'),
    maxArtifactBytes: config.maxFileSize,
    logger: app.log,
  });
  const pool =
    config.role === 'api'
      ? null
      : new WorkerPool({
          service,
          registry,
          queues: queues.all,
          leaseMs: config.leaseMs,
          jobTimeoutMs: config.jobTimeoutMs,
          tempRoot: join(config.dataDir, 'tmp'),
          node: config.nodeName,
          files,
          logger: app.log,
        });
  const maintenance = new Maintenance({
    service,
    intervalMs: config.maintenanceIntervalMs,
    retentionMs: config.retentionMs,
    files,
    node: config.nodeName,
    logger: app.log,
    ...(pool ? { self: pool.owner } : {}),
  });
  service.onChange = (job) => metrics.observe(job);
  service.onQueueResumed = (queue) => pool?.wake(queue);
  let closing = false;

  app.decorate('longrun', {
    config,
    service,
    store,
    feed,
    metrics,
    pool,
    maintenance,
    webhooks,
  } satisfies Longrun);

  app.addSchema(jobSchema);
  app.addSchema(errorSchema);
  registerErrorHandling(app);
  registerJsonParser(app);
  if (servesApi) await registerDocs(app, { registry });
  if (servesApi && config.corsOrigins.length > 0) {
    const { default: cors } = await import('@fastify/cors');
    await app.register(cors, {
      origin: config.corsOrigins,
      exposedHeaders: ['etag', 'location', 'poll-after-ms', 'retry-after'],
    });
  }
  // Requests that still arrive on open connections while the server drains: 503 shutting_down
  // (probes and metrics keep answering, so readiness can say why).
  // Hooks on every request take a callback rather than being async: an async hook costs a
  // promise and a microtask per request, a measurable share of a status read served from memory.
  app.addHook('onRequest', (request, _reply, done) => {
    if (closing && !/^\/(healthz|readyz|metrics)(\?|$)/.test(request.url)) {
      done(new ApiError('shutting_down'));
      return;
    }
    done();
  });
  registerAuth(
    app,
    keys,
    new AuthFailureLimit({ max: config.authFailureLimit, windowMs: config.authFailureWindowMs }),
  );
  if (servesApi) await registerRateLimits(app, config);
  app.addHook('onResponse', (request, reply, done) => {
    metrics.http.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status_code: reply.statusCode,
      },
      reply.elapsedTime / 1000,
    );
    done();
  });

  const keepaliveMs = config.sseKeepaliveMs;
  if (servesApi) {
    jobRoutes(app, { service });
    batchRoutes(app, { service, maxJobs: config.maxBatchJobs });
    artifactRoutes(app, { service });
    await fileRoutes(app, { files });
    streamRoutes(app, { service, keepaliveMs, streams, maxJobs: config.maxBatchJobs });
    webhookRoutes(app, { service });
    typeRoutes(app, { registry, servedTypes: () => workers.servedTypes() });
    await workerRoutes(app, { workers });
    queueRoutes(app, { service });
    dashboardRoutes(app);
    await app.register(compatRoutes, { service });
    // The largest document document.translate reads, unless --max-file-size is lower.
    await seedRoutes(app, {
      service,
      files,
      uploadLimit: Math.min(config.maxFileSize, DOCUMENT_MAX_BYTES),
    });
  }
  healthRoutes(app, { service, registry, config, metrics, closing: () => closing });

  app.addHook('onReady', async () => {
    await registry.refreshAvailability();
    await remoteTypes.start();
    workers.start();
    await maintenance.start();
    webhooks.start();
    await pool?.start();
  });

  let drained: Promise<void> = Promise.resolve();
  app.addHook('preClose', async () => {
    closing = true;
    // Stop claiming now; running jobs get the grace period while HTTP winds down.
    drained = pool ? pool.stop({ graceMs: config.shutdownGraceMs }) : Promise.resolve();
    service.shutdown();
    workers.stop();
    remoteTypes.stop();
    for (const stream of [...streams]) stream.end();
  });
  app.addHook('onClose', async () => {
    await drained;
    await webhooks.stop();
    await maintenance.stop();
    await feed.close();
    await store.close();
    metrics.close();
  });

  return app;
}
