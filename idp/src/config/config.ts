/**
 * Typed configuration, read from the environment and validated once at boot. Every setting is
 * documented here and in the README; a bad value fails at boot with the name of the setting.
 */
import path from 'node:path';
import { z } from 'zod';
import { isLocale, LOCALES, type Locale } from '../i18n/translator.ts';
import { defaultWorkers } from './workers.ts';

const port = z.coerce.number().int().min(0).max(65535);
const bool = z.enum(['0', '1', 'true', 'false', 'yes', 'no']).transform((v) => ['1', 'true', 'yes'].includes(v));

const envSchema = z.object({
  /** TCP port to listen on. 0 picks a free port. */
  PORT: port.default(3000),
  /** Interface to bind. */
  HOST: z.string().min(1).default('0.0.0.0'),
  /** `production` or `development`. Production refuses an http issuer other than localhost and defaults IDP_WORKERS to the core count. */
  NODE_ENV: z.enum(['production', 'development', 'test']).default('development'),
  /** Public base URL of the IdP, the OpenID Connect `iss`. Defaults to http://localhost:$PORT (development only). */
  IDP_ISSUER: z.url({ protocol: /^https?$/ }).optional(),
  /** Directory of the embedded store (SQLite file, mail outbox). Created on first start. */
  IDP_DATA_DIR: z.string().min(1).default('./data'),
  /**
   * PostgreSQL store (`postgres://user:pass@host:5432/db`): every durable record (accounts, credentials,
   * databases, memberships, API keys, audit log, oidc-provider models, keys and secrets) lives there and
   * several IdP instances can share it. Unset: the embedded SQLite file in IDP_DATA_DIR.
   */
  IDP_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  /**
   * 32 random bytes in base64 or base64url (`openssl rand -base64 32`) that encrypt TOTP secrets at rest
   * (AES-256-GCM, see storage/secret-box.ts). It never lives in the store. Required with IDP_DATABASE_URL
   * (every instance needs the same key). Unset with SQLite: generated once into $IDP_DATA_DIR/secret.key.
   * A comma list `NEW,OLD` rotates it: the first key seals, every listed key opens; `idp secret-key
   * rotate` then re-seals everything under NEW, after which OLD can be dropped (the key file may hold
   * the same list, one key a line).
   */
  IDP_SECRET_KEY: z.string().optional(),
  /**
   * Redis (`redis://host:6379/0` or `rediss://…`) for short-lived state shared by instances: sessions,
   * interactions, authorization codes and other oidc-provider artifacts, and rate-limit counters.
   * Unset: they live in the store.
   */
  IDP_REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  /** Prefix of every Redis key, so several deployments (or tests) can share one Redis. */
  IDP_REDIS_PREFIX: z.string().min(1).max(100).default('latchkey:'),
  /** SMTP URL (smtp:// or smtps://user:pass@host:port). Without it, mail is written as .eml files under $IDP_DATA_DIR/outbox. */
  IDP_SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  /** Sender of every mail. */
  IDP_MAIL_FROM: z.string().min(3).default('Latchkey <no-reply@localhost>'),
  /** Number of worker processes. Default: the core count in production, 1 otherwise. */
  IDP_WORKERS: z.coerce.number().int().min(1).max(64).optional(),
  /** Trust X-Forwarded-* headers (set when behind a reverse proxy). */
  IDP_TRUST_PROXY: bool.default(false),
  /** argon2id memory cost in KiB (OWASP minimum 19456). */
  IDP_ARGON2_MEMORY_KIB: z.coerce.number().int().min(19456).max(4_194_304).default(19456),
  /** argon2id iterations (OWASP minimum 2 at 19 MiB). */
  IDP_ARGON2_ITERATIONS: z.coerce.number().int().min(2).max(20).default(2),
  /**
   * Comma-separated redirect URIs of the browser extension's public client. Default: the development
   * build's Chrome (stable ID from the manifest key) and Firefox redirect URIs.
   */
  IDP_EXTENSION_REDIRECT_URIS: z.string().default(
    'https://fidbdcnbmjdaepbknnhbpdanaoaiacmc.chromiumapp.org/,https://27174eb0bf3233301bebb4ca6741278b3007149b.extensions.allizom.org/',
  ),
  // Timeouts (issue 20): every wait on a dependency is bounded, so a dead or partitioned one costs a
  // request a few seconds at most and then a 503 with Retry-After, never a hang. The defaults keep the
  // worst case (connect + statement) under ten seconds; raise them only for a slow network.
  /** Connecting to PostgreSQL and waiting for a free pooled connection, in ms. */
  IDP_PG_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(2000),
  /**
   * One PostgreSQL statement of the server, in ms, waiting for the write lock included (`statement_timeout`;
   * the client gives up one second later on a frozen network). Operator commands (`idp import`, …) are not bounded.
   */
  IDP_PG_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5000),
  /** Connecting to Redis and each Redis command, in ms (ioredis `connectTimeout` and `commandTimeout`). */
  IDP_REDIS_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  /** Outgoing HTTP requests (back-channel logout, request objects, sector identifiers), in ms. */
  IDP_OUTBOUND_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(2500),
  /** SMTP connect, greeting and socket inactivity, in ms (nodemailer `connectionTimeout`, `greetingTimeout`, `socketTimeout`). */
  IDP_SMTP_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5000),
  /** `info` logs a line per request, mail and boot; `warn` only warnings; `silent` nothing. */
  IDP_LOG_LEVEL: z.enum(['silent', 'warn', 'info', 'debug']).default('info'),
  /**
   * Log lines on stderr: `json` (one JSON object a line: level, time, msg, reqId, route, status, durationMs, ...)
   * or `pretty` (one human line). Default: `json` when NODE_ENV=production, `pretty` otherwise.
   */
  IDP_LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  /**
   * Port of the Prometheus metrics listener (`GET /metrics`), apart from PORT so it is never public by
   * accident. Unset: no metrics listener. With IDP_WORKERS > 1 the primary serves the sum of the workers.
   */
  IDP_METRICS_PORT: port.optional(),
  /** Interface of the metrics listener. Loopback by default: expose it to a scraper on purpose. */
  IDP_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  // Graceful shutdown (issue 19, http/graceful-server.ts): on SIGTERM `/readyz` answers 503, requests are
  // still served for IDP_SHUTDOWN_DELAY_MS, then the listener closes and the requests in flight get
  // IDP_SHUTDOWN_GRACE_MS to finish; whatever is still open then is cut. Either way the process exits 0.
  /** Bound on the requests in flight after the listener closes, in ms; connections still open after it are cut. */
  IDP_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  /**
   * How long, in ms, the instance keeps serving while `/readyz` already answers 503, before it closes its
   * listener: set it to the load balancer's health-check interval times its failure threshold, so the
   * balancer stops sending traffic before connections are refused. 0: close at once.
   */
  IDP_SHUTDOWN_DELAY_MS: z.coerce.number().int().min(0).max(600_000).default(0),
  /**
   * The languages pages and mails are offered in, comma-separated, the first being the default for a
   * request that asks for none of them. Each must be a locale with a catalog (idp/src/i18n: `en`, `fr`).
   */
  IDP_LOCALES: z.string().default(LOCALES.join(',')).transform((value, c) => {
    const listed = [...new Set(value.split(',').map((v) => v.trim()).filter(Boolean))];
    const unknown = listed.filter((l) => !isLocale(l));
    if (listed.length === 0 || unknown.length > 0) {
      c.addIssue({ code: 'custom', message: `${unknown.length ? `${unknown.join(', ')}: no catalog; ` : ''}list one or more of ${LOCALES.join(', ')}, comma-separated` });
      return z.NEVER;
    }
    return listed as Locale[];
  }),
});

export interface Config {
  port: number;
  host: string;
  production: boolean;
  /** Explicit issuer, or undefined to derive it from the bound port. */
  issuer: string | undefined;
  dataDir: string;
  databaseFile: string;
  /** postgres://… when the store is PostgreSQL; undefined for SQLite (databaseFile). */
  databaseUrl: string | undefined;
  /** IDP_SECRET_KEY, decoded; undefined on SQLite without it (the key file `secretKeyFile` is used). */
  secretKey: Buffer | undefined;
  /** The keys after the first of `IDP_SECRET_KEY=NEW,OLD`: they open values, never seal. */
  previousSecretKeys: Buffer[];
  secretKeyFile: string;
  redisUrl: string | undefined;
  redisPrefix: string;
  outboxDir: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  workers: number;
  trustProxy: boolean;
  argon2: { memoryCost: number; timeCost: number; parallelism: 1 };
  logLevel: 'silent' | 'warn' | 'info' | 'debug';
  logFormat: 'json' | 'pretty';
  /** The Prometheus listener (IDP_METRICS_PORT, IDP_METRICS_HOST), or undefined when off. */
  metrics: { port: number; host: string } | undefined;
  extensionRedirectUris: string[];
  /** IDP_LOCALES: the offered locales, the first the default. */
  locales: readonly Locale[];
  /** Milliseconds; see the IDP_*_TIMEOUT_MS settings above. */
  timeouts: { pgConnectMs: number; pgStatementMs: number; redisMs: number; outboundMs: number; smtpMs: number };
  /** Milliseconds; see IDP_SHUTDOWN_GRACE_MS and IDP_SHUTDOWN_DELAY_MS above. */
  shutdown: { graceMs: number; delayMs: number };
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const issuer = e.IDP_ISSUER?.replace(/\/+$/, '');
  if (issuer) {
    const url = new URL(issuer);
    if (url.search || url.hash) throw new ConfigError('Invalid configuration:\n  IDP_ISSUER: must not have a query or fragment');
    if (production && url.protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) {
      throw new ConfigError('Invalid configuration:\n  IDP_ISSUER: production requires an https issuer');
    }
  } else if (production) {
    throw new ConfigError('Invalid configuration:\n  IDP_ISSUER: required when NODE_ENV=production');
  }
  let secretKey: Buffer | undefined;
  let previousSecretKeys: Buffer[] = [];
  if (e.IDP_SECRET_KEY !== undefined) {
    const keys = parseSecretKeys(e.IDP_SECRET_KEY);
    if (!keys) throw new ConfigError('Invalid configuration:\n  IDP_SECRET_KEY: must be 32 random bytes in base64 or base64url (e.g. `openssl rand -base64 32`), or a comma list NEW,OLD of such keys while rotating');
    [secretKey, ...previousSecretKeys] = keys;
  } else if (e.IDP_DATABASE_URL) {
    throw new ConfigError('Invalid configuration:\n  IDP_SECRET_KEY: required when IDP_DATABASE_URL is set (every instance must share the key that encrypts TOTP secrets); set IDP_SECRET_KEY to 32 random bytes in base64, e.g. `openssl rand -base64 32`');
  }
  if (e.IDP_METRICS_PORT !== undefined && e.IDP_METRICS_PORT !== 0 && e.IDP_METRICS_PORT === e.PORT) {
    throw new ConfigError('Invalid configuration:\n  IDP_METRICS_PORT: must differ from PORT (metrics are never served on the public port)');
  }
  const dataDir = path.resolve(e.IDP_DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    production,
    issuer,
    dataDir,
    databaseFile: path.join(dataDir, 'idp.sqlite'),
    databaseUrl: e.IDP_DATABASE_URL,
    secretKey,
    previousSecretKeys,
    secretKeyFile: path.join(dataDir, 'secret.key'),
    redisUrl: e.IDP_REDIS_URL,
    redisPrefix: e.IDP_REDIS_PREFIX,
    outboxDir: path.join(dataDir, 'outbox'),
    smtpUrl: e.IDP_SMTP_URL,
    mailFrom: e.IDP_MAIL_FROM,
    workers: e.IDP_WORKERS ?? defaultWorkers(production),
    trustProxy: e.IDP_TRUST_PROXY,
    argon2: { memoryCost: e.IDP_ARGON2_MEMORY_KIB, timeCost: e.IDP_ARGON2_ITERATIONS, parallelism: 1 },
    logLevel: e.IDP_LOG_LEVEL,
    logFormat: e.IDP_LOG_FORMAT ?? (production ? 'json' : 'pretty'),
    metrics: e.IDP_METRICS_PORT === undefined ? undefined : { port: e.IDP_METRICS_PORT, host: e.IDP_METRICS_HOST },
    extensionRedirectUris: parseUriList(e.IDP_EXTENSION_REDIRECT_URIS),
    locales: e.IDP_LOCALES,
    timeouts: {
      pgConnectMs: e.IDP_PG_CONNECT_TIMEOUT_MS,
      pgStatementMs: e.IDP_PG_STATEMENT_TIMEOUT_MS,
      redisMs: e.IDP_REDIS_TIMEOUT_MS,
      outboundMs: e.IDP_OUTBOUND_TIMEOUT_MS,
      smtpMs: e.IDP_SMTP_TIMEOUT_MS,
    },
    shutdown: { graceMs: e.IDP_SHUTDOWN_GRACE_MS, delayMs: e.IDP_SHUTDOWN_DELAY_MS },
  };
}

/** 32 bytes from base64 or base64url text (surrounding whitespace ignored), or undefined. */
/** A comma- or line-separated list of keys (first seals); undefined when any of them is not a key. */
export function parseSecretKeys(text: string): Buffer[] | undefined {
  const parts = text.split(/[,\n]/).map((part) => part.trim()).filter((part) => part !== '');
  const keys = parts.map(parseSecretKey);
  if (keys.length === 0 || keys.some((key) => !key)) return undefined;
  return keys as Buffer[];
}

export function parseSecretKey(text: string): Buffer | undefined {
  const value = text.trim();
  if (!/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(value)) return undefined;
  const key = Buffer.from(value, 'base64');
  return key.length === 32 ? key : undefined;
}

function parseUriList(value: string | undefined): string[] {
  if (!value) return [];
  const uris = value.split(',').map((v) => v.trim()).filter(Boolean);
  for (const uri of uris) {
    if (!URL.canParse(uri) || !/^https:/.test(uri)) throw new ConfigError(`Invalid configuration:\n  IDP_EXTENSION_REDIRECT_URIS: ${uri} is not an https URL`);
  }
  return uris;
}

/** Development-only defaults that must be loud. */
export function configWarnings(config: Config, issuer: string): string[] {
  const warnings: string[] = [];
  if (issuer.startsWith('http:')) {
    warnings.push(`issuer ${issuer} is plain http: fine for development, never for production (set IDP_ISSUER to an https URL)`);
  }
  if (!config.smtpUrl) {
    warnings.push(`IDP_SMTP_URL is not set: mail is written to ${config.outboxDir} instead of being sent`);
  }
  if (!config.secretKey) {
    warnings.push(`IDP_SECRET_KEY is not set: TOTP secrets, signing and cookie keys are sealed with the key generated in ${config.secretKeyFile}; `
      + 'back it up apart from the database (without it no second factor, signing key or session works) or set IDP_SECRET_KEY');
  }
  return warnings;
}
