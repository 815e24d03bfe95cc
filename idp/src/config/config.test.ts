import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, configWarnings, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('bounds every dependency wait by default, and reads each timeout setting (issue 20)', () => {
    expect(loadConfig({}).timeouts).toEqual({ pgConnectMs: 2000, pgStatementMs: 5000, redisMs: 1000, outboundMs: 2500, smtpMs: 5000 });
    const custom = loadConfig({ IDP_PG_CONNECT_TIMEOUT_MS: '500', IDP_PG_STATEMENT_TIMEOUT_MS: '30000', IDP_REDIS_TIMEOUT_MS: '250', IDP_OUTBOUND_TIMEOUT_MS: '1000', IDP_SMTP_TIMEOUT_MS: '20000' });
    expect(custom.timeouts).toEqual({ pgConnectMs: 500, pgStatementMs: 30000, redisMs: 250, outboundMs: 1000, smtpMs: 20000 });
    expect(() => loadConfig({ IDP_PG_STATEMENT_TIMEOUT_MS: '0' })).toThrow(/IDP_PG_STATEMENT_TIMEOUT_MS/);
    expect(() => loadConfig({ IDP_REDIS_TIMEOUT_MS: 'soon' })).toThrow(/IDP_REDIS_TIMEOUT_MS/);
  });

  it('reads the shutdown grace and delay (issue 19), naming a bad setting', () => {
    expect(loadConfig({}).shutdown).toEqual({ graceMs: 10_000, delayMs: 0 });
    expect(loadConfig({ IDP_SHUTDOWN_GRACE_MS: '30000', IDP_SHUTDOWN_DELAY_MS: '5000' }).shutdown).toEqual({ graceMs: 30_000, delayMs: 5000 });
    expect(loadConfig({ IDP_SHUTDOWN_GRACE_MS: '0' }).shutdown.graceMs).toBe(0);
    expect(() => loadConfig({ IDP_SHUTDOWN_GRACE_MS: '-1' })).toThrow(/IDP_SHUTDOWN_GRACE_MS/);
    expect(() => loadConfig({ IDP_SHUTDOWN_GRACE_MS: 'ten seconds' })).toThrow(/IDP_SHUTDOWN_GRACE_MS/);
    expect(() => loadConfig({ IDP_SHUTDOWN_DELAY_MS: '1.5' })).toThrow(/IDP_SHUTDOWN_DELAY_MS/);
    expect(() => loadConfig({ IDP_SHUTDOWN_DELAY_MS: '3600000' })).toThrow(/IDP_SHUTDOWN_DELAY_MS/);
  });

  it('reads the metrics listener and the log format, naming a bad setting', () => {
    expect(loadConfig({}).metrics).toBeUndefined();
    expect(loadConfig({ IDP_METRICS_PORT: '9464' }).metrics).toEqual({ port: 9464, host: '127.0.0.1' });
    expect(loadConfig({ IDP_METRICS_PORT: '9464', IDP_METRICS_HOST: '0.0.0.0' }).metrics).toEqual({ port: 9464, host: '0.0.0.0' });
    expect(() => loadConfig({ IDP_METRICS_PORT: 'nine' })).toThrow(/IDP_METRICS_PORT/);
    expect(() => loadConfig({ IDP_METRICS_PORT: '3000' })).toThrow(/IDP_METRICS_PORT: must differ from PORT/);
    expect(() => loadConfig({ IDP_METRICS_PORT: '9464', IDP_METRICS_HOST: '' })).toThrow(/IDP_METRICS_HOST/);
    expect(loadConfig({}).logFormat).toBe('pretty');
    expect(loadConfig({ NODE_ENV: 'production', IDP_ISSUER: 'https://id.example.com' }).logFormat).toBe('json');
    expect(loadConfig({ IDP_LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(() => loadConfig({ IDP_LOG_FORMAT: 'xml' })).toThrow(/IDP_LOG_FORMAT/);
  });

  it('reads IDP_LOCALES: en,fr by default, only locales with a catalog, naming the setting', () => {
    expect(loadConfig({}).locales).toEqual(['en', 'fr']);
    expect(loadConfig({ IDP_LOCALES: 'fr, en' }).locales).toEqual(['fr', 'en']);
    expect(loadConfig({ IDP_LOCALES: 'en,en' }).locales).toEqual(['en']);
    expect(() => loadConfig({ IDP_LOCALES: 'en,de' })).toThrow(/IDP_LOCALES: de: no catalog; list one or more of en, fr/);
    expect(() => loadConfig({ IDP_LOCALES: ' , ' })).toThrow(/IDP_LOCALES: list one or more of en, fr/);
  });

  it('has working development defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.production).toBe(false);
    expect(config.workers).toBe(1);
    expect(config.databaseFile).toMatch(/data\/idp\.sqlite$/);
    expect(config.argon2).toEqual({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
    expect(configWarnings(config, 'http://localhost:3000').join('\n')).toMatch(/plain http.*\n.*IDP_SMTP_URL.*\n.*IDP_SECRET_KEY is not set.*secret\.key/s);
    expect(config.secretKey).toBeUndefined();
    expect(config.secretKeyFile).toMatch(/data\/secret\.key$/);
  });

  it('reads IDP_SECRET_KEY as 32 bytes of base64 or base64url, and requires it with PostgreSQL', () => {
    const key = crypto.randomBytes(32);
    expect(loadConfig({ IDP_SECRET_KEY: key.toString('base64') }).secretKey).toEqual(key);
    expect(loadConfig({ IDP_SECRET_KEY: ` ${key.toString('base64url')}\n` }).secretKey).toEqual(key);
    expect(configWarnings(loadConfig({ IDP_SECRET_KEY: key.toString('base64') }), 'https://id').join('\n')).not.toMatch(/IDP_SECRET_KEY/);
    expect(() => loadConfig({ IDP_SECRET_KEY: crypto.randomBytes(16).toString('base64') })).toThrow(/IDP_SECRET_KEY: must be 32 random bytes/);
    expect(() => loadConfig({ IDP_SECRET_KEY: 'x'.repeat(44) })).toThrow(/IDP_SECRET_KEY/);
    expect(() => loadConfig({ IDP_SECRET_KEY: '' })).toThrow(/IDP_SECRET_KEY/);
    expect(() => loadConfig({ IDP_DATABASE_URL: 'postgres://db/latchkey' })).toThrow(/IDP_SECRET_KEY: required when IDP_DATABASE_URL is set/);
    expect(loadConfig({ IDP_DATABASE_URL: 'postgres://db/latchkey', IDP_SECRET_KEY: key.toString('base64') }).secretKey).toEqual(key);
  });

  it('reads IDP_SECRET_KEY=NEW,OLD while rotating: the first seals, the others only open', () => {
    const [fresh, old] = [crypto.randomBytes(32), crypto.randomBytes(32)];
    const config = loadConfig({ IDP_SECRET_KEY: `${fresh.toString('base64')}, ${old.toString('base64url')}` });
    expect(config.secretKey).toEqual(fresh);
    expect(config.previousSecretKeys).toEqual([old]);
    expect(loadConfig({ IDP_SECRET_KEY: fresh.toString('base64') }).previousSecretKeys).toEqual([]);
    expect(() => loadConfig({ IDP_SECRET_KEY: `${fresh.toString('base64')},short` })).toThrow(/IDP_SECRET_KEY: must be 32 random bytes.*comma list NEW,OLD/);
  });

  it('names the bad setting', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT/);
    expect(() => loadConfig({ IDP_ISSUER: 'not a url' })).toThrow(/IDP_ISSUER/);
    expect(() => loadConfig({ IDP_SMTP_URL: 'http://mail' })).toThrow(/IDP_SMTP_URL/);
    expect(() => loadConfig({ IDP_ARGON2_MEMORY_KIB: '1024' })).toThrow(/IDP_ARGON2_MEMORY_KIB/);
    expect(() => loadConfig({ IDP_EXTENSION_REDIRECT_URIS: 'http://x' })).toThrow(/IDP_EXTENSION_REDIRECT_URIS/);
    expect(() => loadConfig({ IDP_ISSUER: 'https://id.example.com/?x=1' })).toThrow(ConfigError);
  });

  it('insists on a real issuer in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/IDP_ISSUER: required/);
    expect(() => loadConfig({ NODE_ENV: 'production', IDP_ISSUER: 'http://id.example.com' })).toThrow(/https/);
    const config = loadConfig({ NODE_ENV: 'production', IDP_ISSUER: 'https://id.example.com/' });
    expect(config.issuer).toBe('https://id.example.com');
    expect(config.workers).toBeGreaterThanOrEqual(1);
  });
});
