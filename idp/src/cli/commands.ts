/**
 * The table of operator commands. Each opens the store, does one thing and returns JSON-able data.
 *
 * Invariant: this table and what it imports at the top stay light (no store engine, no services, no
 * app). `idp serve` with several workers makes this process the cluster primary, which must not carry
 * the app it never runs (issue 16: ≤ 60 MB); each command imports what it needs when it runs.
 */
import { configureLog } from '../log.ts';
import { withServices, withStore, type Command } from './context.ts';

export type { Command, OptionSpec } from './context.ts';
import { apiKeyCommands } from './api-key-commands.ts';
import { databaseCommands } from './database-commands.ts';
import { mailCommands } from './mail-commands.ts';
import { secretKeyCommands } from './secret-key-commands.ts';
import { sessionCommands } from './session-commands.ts';
import { AppError } from '../errors.ts';
import fs from 'node:fs';

export const commands: Command[] = [
  {
    name: 'serve',
    summary: 'Run the IdP (PORT, IDP_* settings from the environment).',
    run: async (_values, config) => {
      await (await import('./serve.ts')).serve(config);
      return undefined;
    },
  },
  {
    name: 'migrate',
    summary: 'Apply pending schema migrations and print the schema version.',
    run: async (_values, config) => {
      const { latestSchemaVersion } = await import('../storage/migrations.ts');
      return await withStore(config, async (db) => ({ schemaVersion: await db.migrate(), latest: latestSchemaVersion, store: db.dialect }), { migrate: false });
    },
  },
  {
    name: 'account create',
    summary: 'Create an account (email confirmed) and print it as JSON.',
    options: {
      email: { help: 'email address, also the sign-in name', required: true, arg: 'E' },
      password: { help: 'password (at least 8 characters)', required: true, arg: 'P' },
      name: { help: 'display name (default: the part of the email before @)', arg: 'N' },
    },
    run: (values, config) =>
      withServices(config, async (services) => {
        const email = String(values.email).trim();
        if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new (await import('../errors.ts')).AppError('invalid_input', `"${email}" is not a valid email address`);
        const account = await services.accounts.signUp(
          { email, password: String(values.password), name: String(values.name ?? email.split('@')[0]) },
          { sendVerification: false, verified: true },
        );
        await services.audit.record({ accountId: account.id, actor: 'operator', event: 'account.created_by_operator' });
        return { id: account.id, email: account.email, name: account.name, emailVerified: true, createdAt: new Date(account.createdAt * 1000).toISOString() };
      }),
  },
  {
    name: 'account seed',
    summary: 'Create N sign-in-ready accounts <prefix>-<n>@example.com sharing one password (load tests); prints JSON.',
    options: {
      count: { help: 'how many accounts', required: true, arg: 'N' },
      password: { help: 'password of every seeded account', required: true, arg: 'P' },
      prefix: { help: 'email prefix (default: bench)', arg: 'bench' },
      start: { help: 'first sequence number (default: 1)', arg: '1' },
    },
    run: async (values, config) => {
      const count = Number(values.count);
      const start = values.start === undefined ? 1 : Number(values.start);
      if (!Number.isInteger(count) || count < 1 || count > 100_000_000) throw new AppError('invalid_input', '--count must be a whole number from 1 to 100000000');
      if (!Number.isInteger(start) || start < 0) throw new AppError('invalid_input', '--start must be a whole number');
      const prefix = String(values.prefix ?? 'bench');
      if (!/^[a-z0-9._-]{1,40}$/i.test(prefix)) throw new AppError('invalid_input', '--prefix may use letters, digits, dot, dash and underscore');
      const password = String(values.password);
      if (password.length < 8) throw new AppError('invalid_input', '--password must have at least 8 characters');
      configureLog({ logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel, logFormat: config.logFormat });
      const [{ seedAccounts }, { passwordHasher }] = await Promise.all([import('../accounts/account-seed.ts'), import('../accounts/password-hasher.ts')]);
      return await withStore(config, (db) => seedAccounts(db, passwordHasher(config.argon2), { count, password, prefix, start }));
    },
  },
  {
    name: 'keys rotate',
    summary: 'Add new signing keys; the old ones stay published until their tokens expire.',
    run: async (_values, config) => {
      const [{ ensureSigningKeys, listSigningKeys, rotateSigningKeys }, { loadSecretBox }] = await Promise.all([
        import('../storage/server-settings.ts'), import('../storage/secret-box.ts'),
      ]);
      const box = loadSecretBox(config);
      return await withStore(config, async (db) => {
        await ensureSigningKeys(db, box);
        return { rotated: await rotateSigningKeys(db, box), keys: await listSigningKeys(db) };
      });
    },
  },
  {
    name: 'keys list',
    summary: 'List signing keys (ids, algorithms, state); never prints private material.',
    run: async (_values, config) => {
      const { listSigningKeys } = await import('../storage/server-settings.ts');
      return await withStore(config, async (db) => ({ keys: await listSigningKeys(db) }));
    },
  },
  {
    name: 'export',
    summary: 'Write every row of the store (IDP_DATABASE_URL or the SQLite file) to FILE as JSON lines, for `idp import`.',
    options: { out: { help: 'file to write (created with mode 0600: it holds secrets and private keys)', required: true, arg: 'FILE' } },
    run: async (values, config) => withStore(config, async (db) => {
      const file = String(values.out);
      const out = fs.createWriteStream(file, { flags: 'wx', mode: 0o600 });
      await new Promise<void>((resolve, reject) => out.once('open', () => resolve()).once('error', reject));
      try {
        const result = await (await import('../storage/transfer.ts')).exportStore(db, out);
        return { file, from: db.dialect, ...result };
      } finally {
        await new Promise<void>((resolve) => out.end(resolve));
      }
    }, { migrate: false }),
  },
  {
    name: 'import',
    summary: 'Load an `idp export` file into the configured store, which must be empty (one transaction: all rows or none).',
    options: { in: { help: 'file written by `idp export`', required: true, arg: 'FILE' } },
    run: async (values, config) => withStore(config, async (db) => {
      const { importStore, ImportError } = await import('../storage/transfer.ts');
      try {
        return { into: db.dialect, ...(await importStore(db, String(values.in))) };
      } catch (error) {
        if (error instanceof ImportError) throw new AppError('conflict', error.message);
        throw error;
      }
    }),
  },
  {
    name: 'maintenance',
    summary: 'Purge expired sessions, tokens and rate-limit windows now.',
    run: (_values, config) => withServices(config, async (services) => ({ removed: await (await import('../maintenance.ts')).runMaintenance(services) })),
  },
  ...databaseCommands,
  ...mailCommands,
  ...secretKeyCommands,
  ...apiKeyCommands,
  ...sessionCommands,
];
