/**
 * Configuration of the reference database app. Every key is read from the environment by
 * `loadConfigFromEnv` (the CLI) or passed directly to `startDatabaseApp` (tests); both go through
 * `parseConfig`, so a bad value fails at boot with the name of the variable and what is wrong.
 */
import { z } from 'zod';

export interface DatabaseAppConfig {
  /** Display name of this database, shown on every page (`DB_NAME`). */
  name: string;
  /** TCP port to listen on; 0 picks a free one (`PORT`). */
  port: number;
  /** Interface to bind; defaults to all interfaces (`DB_HOST`). */
  host?: string;
  /** The IdP's issuer URL; discovery is read from `<issuer>/.well-known/openid-configuration` (`DB_ISSUER`). */
  issuer: string;
  /** This database's client id at the IdP (`DB_CLIENT_ID`). */
  clientId: string;
  /** This database's client secret at the IdP, sent with client_secret_basic (`DB_CLIENT_SECRET`). */
  clientSecret: string;
  /**
   * The URL people and the IdP reach this app at (`DB_PUBLIC_URL`). Defaults to
   * `http://localhost:<port>` once the port is known. The redirect, back-channel logout and
   * post-logout URIs registered at the IdP are derived from it.
   */
  publicUrl?: string;
  /** Directory holding this database's own SQLite file (`DB_DATA_DIR`); created if missing. */
  dataDir: string;
  /**
   * How long a positive API key introspection answer is reused, in seconds (never beyond the key's
   * `exp`). Negative answers are kept for at most `negativeCacheSeconds`.
   */
  introspectionCacheSeconds?: number;
  negativeCacheSeconds?: number;
}

const httpUrl = z
  .string()
  .url('must be an absolute URL such as https://id.example.com')
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), 'must use http or https')
  .transform((value) => value.replace(/\/+$/, ''));

const configSchema = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
  port: z.coerce.number('must be a number').int('must be a whole number').min(0, 'must be 0-65535').max(65535, 'must be 0-65535'),
  host: z.string().min(1).optional(),
  issuer: httpUrl,
  clientId: z.string().min(1, 'must not be empty'),
  clientSecret: z.string().min(1, 'must not be empty'),
  publicUrl: httpUrl
    .refine((value) => !URL.canParse(value) || new URL(value).pathname === '/', 'must be an origin without a path, such as https://acme.example.com')
    .optional(),
  dataDir: z.string().min(1, 'must not be empty'),
  introspectionCacheSeconds: z.number().int().min(0).max(300).default(30),
  negativeCacheSeconds: z.number().int().min(0).max(60).default(5),
});

export type ResolvedConfig = z.output<typeof configSchema>;

const envNames: Record<string, string> = {
  name: 'DB_NAME',
  port: 'PORT',
  host: 'DB_HOST',
  issuer: 'DB_ISSUER',
  clientId: 'DB_CLIENT_ID',
  clientSecret: 'DB_CLIENT_SECRET',
  publicUrl: 'DB_PUBLIC_URL',
  dataDir: 'DB_DATA_DIR',
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export function parseConfig(input: DatabaseAppConfig): ResolvedConfig {
  const result = configSchema.safeParse(input);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const key = String(issue.path[0] ?? '');
        const label = envNames[key] ? `${envNames[key]} (${key})` : key;
        const missing = (input as unknown as Record<string, unknown>)[key] === undefined;
        return `${label}: ${missing ? 'is required' : issue.message}`;
      }),
    );
  }
  return result.data;
}

/** Reads the configuration from environment variables, as the CLI does. */
export function loadConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ResolvedConfig {
  const blankToUndefined = (value: string | undefined) => (value === undefined || value.trim() === '' ? undefined : value);
  return parseConfig({
    name: blankToUndefined(env.DB_NAME) as string,
    port: blankToUndefined(env.PORT) as unknown as number,
    host: blankToUndefined(env.DB_HOST),
    issuer: blankToUndefined(env.DB_ISSUER) as string,
    clientId: blankToUndefined(env.DB_CLIENT_ID) as string,
    clientSecret: blankToUndefined(env.DB_CLIENT_SECRET) as string,
    publicUrl: blankToUndefined(env.DB_PUBLIC_URL),
    dataDir: blankToUndefined(env.DB_DATA_DIR) as string,
  });
}
