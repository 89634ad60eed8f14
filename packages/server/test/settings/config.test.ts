import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseDuration } from '../../src/config.js';

const load = (argv: string[] = [], env: Record<string, string> = {}) =>
  loadConfig({ argv, env, cwd: '/srv' });

describe('settings', () => {
  it('has the documented defaults', () => {
    const c = load();
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 8000,
      dataDir: '/srv/.longrun',
      databaseUrl: null,
      role: 'all',
      simulateErrorRate: 0.2,
      apiKeys: null,
      retentionMs: 86_400_000,
      allowPrivateUrls: false,
      leaseMs: 30_000,
      sqliteSynchronous: 'full',
      databaseSchema: 'longrun',
      databasePoolSize: 10,
      feedProbeIntervalMs: 5000,
      artifactsDir: '/srv/.longrun/artifacts',
      nodeName: hostname(),
    });
    expect(c.concurrency).toBeGreaterThanOrEqual(1);
  });

  it('reads LONGRUN_* variables, and flags win over them', () => {
    const env = {
      LONGRUN_PORT: '9000',
      LONGRUN_ROLE: 'worker',
      DATABASE_URL: 'postgres://h/db',
      LONGRUN_RETENTION: '7d',
    };
    expect(load([], env)).toMatchObject({
      port: 9000,
      role: 'worker',
      databaseUrl: 'postgres://h/db',
      retentionMs: 7 * 86_400_000,
    });
    expect(load(['--port', '9100', '--role', 'api'], env)).toMatchObject({ port: 9100, role: 'api' });
    expect(load(['--allow-private-urls'])).toMatchObject({ allowPrivateUrls: true });
    expect(load(['--artifacts-dir', 'shared/art'], { LONGRUN_DATA_DIR: '/data' })).toMatchObject({
      dataDir: '/data',
      artifactsDir: '/srv/shared/art',
    });
    expect(load([], { LONGRUN_DATA_DIR: '/data' }).artifactsDir).toBe('/data/artifacts');
    expect(load([], { LONGRUN_ALLOW_PRIVATE_URLS: 'true' })).toMatchObject({ allowPrivateUrls: true });
  });

  it.each([
    [['--port', '70000'], /--port: 70000 is out of range/],
    [['--port', 'http'], /--port: "http" is not a whole number/],
    [['--role', 'boss'], /--role: "boss" is not a role/],
    [['--simulate-error-rate', '1.5'], /not a rate/],
    [['--concurrency', '0'], /--concurrency: 0 is out of range/],
    [['--retention', 'forever'], /--retention: "forever" is not a duration/],
    [['--lease', '10ms'], /shorter than 1s/],
    [['--database-url', 'mysql://x'], /postgres:\/\//],
    [['--host', '0.0.0.0'], /Refusing to listen on 0.0.0.0 without API keys/],
    [['--nope'], /Unknown option '--nope'/],
    [['--log-level', 'loud'], /not a log level/],
    [['--database-schema', 'Bad-Name'], /--database-schema: "Bad-Name" is not a usable schema name/],
    [['--database-pool-size', '0'], /--database-pool-size: 0 is out of range/],
    [['--feed-probe-interval', '10ms'], /--feed-probe-interval: use at least 100ms/],
    [['--node-name', 'a b'], /--node-name: "a b" must be/],
    [
      ['--sqlite-synchronous', 'fast'],
      /--sqlite-synchronous: "fast" is not a synchronous mode; use full or normal/,
    ],
    [['--webhook-retry-schedule', '5s,soon'], /--webhook-retry-schedule: "soon" is not a duration/],
  ])('refuses %j with a clear message', (argv, message) => {
    expect(() => load(argv)).toThrow(ConfigError);
    expect(() => load(argv)).toThrow(message);
  });

  it('names the variable when a variable is wrong', () => {
    expect(() => load([], { LONGRUN_PORT: '-1' })).toThrow(/LONGRUN_PORT/);
  });

  it('binds a public address with keys, or with --insecure', () => {
    expect(load(['--host', '0.0.0.0', '--api-keys', 'secretkey1:team']).host).toBe('0.0.0.0');
    expect(load(['--host', '0.0.0.0', '--insecure']).insecure).toBe(true);
    expect(load(['--host', '::1']).host).toBe('::1');
  });

  it('works out the rate limits from whether there are API keys, unless they are given', () => {
    expect(load()).toMatchObject({ rateLimitCreate: 0, rateLimitRead: 0 });
    expect(load(['--api-keys', 'secretkey1:team'])).toMatchObject({
      rateLimitCreate: 600,
      rateLimitRead: 6000,
    });
    expect(load(['--api-keys-file', 'keys.json', '--rate-limit-read', '0'])).toMatchObject({
      rateLimitCreate: 600,
      rateLimitRead: 0,
    });
  });

  it('takes --processors repeated or comma-separated, paths relative to the working folder', () => {
    expect(load().processors).toEqual([]);
    expect(load(['--processors', 'a.mjs', '--processors', 'mods,/opt/b.js']).processors).toEqual([
      '/srv/a.mjs',
      '/srv/mods',
      '/opt/b.js',
    ]);
    expect(load([], { LONGRUN_PROCESSORS: 'mods, c.mjs' }).processors).toEqual(['/srv/mods', '/srv/c.mjs']);
    // The flag wins over the variable, as every flag does.
    expect(load(['--processors', 'a.mjs'], { LONGRUN_PROCESSORS: 'mods' }).processors).toEqual([
      '/srv/a.mjs',
    ]);
  });

  it('reads when a previous webhook secret stops signing only with that secret', () => {
    expect(load(['--webhook-secret-previous-until', 'never']).webhookSecretPreviousUntil).toBeNull();
  });

  it('parses durations', () => {
    expect(parseDuration('500ms', 'x')).toBe(500);
    expect(parseDuration('30', 'x')).toBe(30_000);
    expect(parseDuration('1.5m', 'x')).toBe(90_000);
    expect(parseDuration('0', 'x')).toBe(0);
  });
});
