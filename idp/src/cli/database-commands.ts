/**
 * Operator commands for databases and memberships (part of the `idp` command table). Input goes
 * through the same schemas as the portal; results are JSON.
 */
import { newDatabaseSchema } from '../databases/schemas.ts';
import { parseInput } from '../http/validate.ts';
import { AppError } from '../errors.ts';
import { databaseOption, emailOf, issuerOf, requireDatabase, withServices, type Command } from './context.ts';
import { reasonOption, supportReason } from './support-reason.ts';
import { clientOptions, databaseUpdateCommand } from './database-update.ts';

const operator = { kind: 'operator' } as const;
const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

export const databaseCommands: Command[] = [
  {
    name: 'database create',
    usage: '--owner EMAIL --name N --url U --redirect-uri R [--redirect-uri R2] [--backchannel-logout-uri B] [--post-logout-redirect-uri P] [--auth-method M [--jwks-uri J]] [--id-token-alg A] [--refresh-token-ttl S]',
    summary: 'Register a database (a confidential OpenID Connect client) owned by an account; prints client_id and client_secret.',
    options: {
      owner: { help: 'email of the owner account; it becomes the owner\'s sign-in login', required: true, arg: 'EMAIL' },
      name: { help: 'unique database name (letters, digits, spaces, . _ -)', required: true, arg: 'N' },
      url: { help: 'the database\'s address, e.g. https://acme.example.com', required: true, arg: 'U' },
      'redirect-uri': { help: 'redirect URI (repeatable), e.g. https://acme.example.com/callback', required: true, multiple: true, arg: 'R' },
      'backchannel-logout-uri': { help: 'back-channel logout URI, e.g. https://acme.example.com/backchannel-logout', arg: 'B' },
      'post-logout-redirect-uri': { help: 'post-logout redirect URI (repeatable; default: the URL followed by /)', multiple: true, arg: 'P' },
      'auth-method': { help: 'client_secret_basic (default), client_secret_post, client_secret_jwt or private_key_jwt', arg: 'M' },
      'jwks-uri': { help: 'the database\'s public keys, required with private_key_jwt', arg: 'J' },
      'id-token-alg': { help: 'ES256 (default), RS256 or EdDSA: the algorithm that signs its ID tokens', arg: 'A' },
      'refresh-token-ttl': { help: 'seconds a refresh token lives unused, from 300 to 1209600 (default: 1209600, 14 days)', arg: 'S' },
    },
    run: (values, config) =>
      withServices(config, async (services) => {
        const ownerEmail = emailOf(values.owner, 'owner');
        const owner = await services.accounts.findByEmail(ownerEmail);
        if (!owner) throw new AppError('not_found', `No account has the email ${ownerEmail}. Create it first with \`idp account create\`.`);
        const input = parseInput(newDatabaseSchema, { name: values.name, url: values.url, ...clientOptions(values) });
        const created = await services.databases.create(owner.id, {
          ...input,
          redirectUris: input.redirectUris ?? [],
          postLogoutRedirectUris: input.postLogoutRedirectUris ?? [`${input.url}/`],
        }, operator);
        return {
          id: created.database.id,
          name: created.database.name,
          url: created.database.url,
          owner: owner.email,
          login: owner.email,
          issuer: issuerOf(config),
          client_id: created.clientId,
          ...(created.clientSecret ? { client_secret: created.clientSecret } : {}),
          token_endpoint_auth_method: input.tokenEndpointAuthMethod,
          id_token_signed_response_alg: input.idTokenSignedResponseAlg,
          ...(input.refreshTokenTtl ? { refresh_token_ttl: input.refreshTokenTtl } : {}),
        };
      }),
  },
  databaseUpdateCommand,
  {
    name: 'database invite',
    summary: 'Invite an email address to a database (mails the invitation link).',
    options: {
      database: databaseOption,
      email: { help: 'address to invite; it becomes the sign-in login', required: true, arg: 'E' },
    },
    run: (values, config) =>
      withServices(config, async (services) => {
        const database = await requireDatabase(services, values.database);
        const membership = await services.databases.invite(database.id, emailOf(values.email, 'email'), operator);
        return { database: database.name, id: membership.id, login: membership.login, role: membership.role, status: membership.status, expires_at: iso(membership.inviteExpiresAt!) };
      }),
  },
  {
    name: 'database trust',
    summary: 'Trust a database made in the portal or by registration: authorization errors then go back to it even before anyone signed in (databases made with `idp database create` are trusted already). --off stops trusting it.',
    options: {
      database: databaseOption,
      off: { help: 'stop trusting it: errors before sign-in are shown on the IdP\'s own page', type: 'boolean' },
    },
    run: (values, config) =>
      withServices(config, async (services) => {
        const database = await requireDatabase(services, values.database);
        await services.databases.setTrusted(database.id, values.off !== true, operator);
        return { database: database.name, trusted: await services.databases.isTrusted(database.id) };
      }),
  },
  {
    name: 'database list',
    summary: 'List every database with its owner and members.',
    run: async (_values, config) =>
      await withServices(config, async (services) => ({
        databases: await Promise.all((await services.databases.listAll()).map(async (d) => ({
          id: d.id,
          name: d.name,
          url: d.url,
          client_id: d.clientId,
          owner: (await services.accounts.findById(d.ownerId))?.email ?? null,
          created_at: iso(d.createdAt),
          trusted: await services.databases.isTrusted(d.id),
          members: await Promise.all((await services.databases.members(d.id)).map(async (m) => ({ login: m.login, role: m.role, status: m.status, account: m.accountId ? (await services.accounts.findById(m.accountId))?.email ?? null : null }))),
        }))),
      })),
  },
  {
    name: 'membership set-login',
    summary: 'Support: change the sign-in login of an account on a database (shown in its security activity with the reason, and mailed to it).',
    options: {
      database: databaseOption,
      account: { help: 'the account\'s current email', required: true, arg: 'EMAIL' },
      login: { help: 'the new sign-in login (an email address)', required: true, arg: 'NEW' },
      reason: reasonOption,
    },
    run: (values, config) =>
      withServices(config, async (services) => {
        const reason = supportReason(values.reason);
        const result = await services.databases.setLogin(String(values.database), emailOf(values.account, 'account'), emailOf(values.login, 'login'), { kind: 'operator', reason });
        const account = await services.accounts.findByEmail(emailOf(values.account, 'account'));
        if (account) await services.activity.tellAboutSupportAction(account, `changed your sign-in login on the database ${result.database.name} from ${result.oldLogin} to ${result.newLogin}`, reason);
        return { database: result.database.name, account: emailOf(values.account, 'account'), old_login: result.oldLogin, new_login: result.newLogin };
      }),
  },
  {
    name: 'registration-token create',
    summary: 'Create a single-use initial access token for dynamic client registration; the owner owns the registered database.',
    options: {
      owner: { help: 'email of the account that will own the database', required: true, arg: 'EMAIL' },
    },
    run: (values, config) =>
      withServices(config, async (services) => {
        const { token, expiresAt, owner } = await services.databases.createRegistrationToken(emailOf(values.owner, 'owner'));
        return { initial_access_token: token, owner: owner.email, expires_at: iso(expiresAt), registration_endpoint: `${issuerOf(config)}/reg` };
      }),
  },
];
