import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../storage/store.ts';
import { migrations } from '../storage/migrations.ts';
import { applyClientChanges, clientSettingsOf, ClientChangeError, REFRESH_TOKEN_MAX_TTL, REFRESH_TOKEN_MIN_TTL, refreshTokenTtl, refreshTokenTtlField, ttlMessage, validateExtraClientMetadata } from './client-metadata.ts';
import { databaseUpdateSchema } from './schemas.ts';

const basic = { client_id: 'db_1', client_secret: 's3cret', token_endpoint_auth_method: 'client_secret_basic', redirect_uris: ['https://a.example/cb'], id_token_signed_response_alg: 'ES256' };

describe('database client settings', () => {
  it('changes only what is given, keeps the secret between secret methods, and makes one when leaving private_key_jwt', () => {
    const jwt = applyClientChanges(basic, { tokenEndpointAuthMethod: 'client_secret_jwt', idTokenSignedResponseAlg: 'RS256' });
    expect(jwt.clientSecret).toBeUndefined();
    expect(jwt.metadata).toMatchObject({ client_secret: 's3cret', token_endpoint_auth_method: 'client_secret_jwt', id_token_signed_response_alg: 'RS256', redirect_uris: basic.redirect_uris });
    const pkj = applyClientChanges(basic, { tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: 'https://a.example/jwks' });
    expect(pkj.metadata.client_secret).toBeUndefined();
    const back = applyClientChanges(pkj.metadata, { tokenEndpointAuthMethod: 'client_secret_post' });
    expect(back.clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(back.metadata.client_secret).toBe(back.clientSecret);
    expect(clientSettingsOf(back.metadata)).toMatchObject({ tokenEndpointAuthMethod: 'client_secret_post', jwksUri: 'https://a.example/jwks' });
  });

  it('adds and removes the back-channel logout URI and the refresh token lifetime', () => {
    const added = applyClientChanges(basic, { backchannelLogoutUri: 'https://a.example/bcl', refreshTokenTtl: 900 }).metadata;
    expect(added).toMatchObject({ backchannel_logout_uri: 'https://a.example/bcl', backchannel_logout_session_required: true, refresh_token_ttl: 900 });
    const removed = applyClientChanges(added, { backchannelLogoutUri: null, refreshTokenTtl: null }).metadata;
    expect(removed.backchannel_logout_uri).toBeUndefined();
    expect(removed.backchannel_logout_session_required).toBeUndefined();
    expect(removed.refresh_token_ttl).toBeUndefined();
  });

  it('refuses nothing to change and private_key_jwt without keys, with a sentence', () => {
    expect(() => applyClientChanges(basic, {})).toThrow(new ClientChangeError('Nothing to change: give at least one setting.'));
    expect(() => applyClientChanges(basic, { tokenEndpointAuthMethod: 'private_key_jwt' })).toThrow('private_key_jwt needs a JWKS URI.');
  });

  it('parses update input: "" clears, bad values get a message', () => {
    expect(databaseUpdateSchema.parse({ backchannelLogoutUri: '', refreshTokenTtl: '' })).toEqual({ backchannelLogoutUri: null, refreshTokenTtl: null });
    expect(databaseUpdateSchema.safeParse({ idTokenSignedResponseAlg: 'HS256' }).error?.issues[0]?.message).toBe('The ID token signing algorithm must be ES256 (the default), RS256 or EdDSA.');
    expect(databaseUpdateSchema.safeParse({ tokenEndpointAuthMethod: 'none' }).error?.issues[0]?.message).toMatch(/client_secret_basic, client_secret_post, client_secret_jwt or private_key_jwt/);
    expect(refreshTokenTtlField.safeParse(299).success).toBe(false);
    expect(refreshTokenTtlField.parse('300')).toBe(300);
    expect(() => validateExtraClientMetadata('refresh_token_ttl', 'ten')).toThrow(/refresh_token_ttl/);
    expect(() => validateExtraClientMetadata('first_party', 'yes')).toThrow(/first_party/);
  });

  it('words the refresh token lifetime\'s bounds as the constants hold them', () => {
    expect(ttlMessage).toContain(`from ${REFRESH_TOKEN_MIN_TTL} (5 minutes) to ${REFRESH_TOKEN_MAX_TTL} (14 days)`);
    expect(refreshTokenTtlField.safeParse(REFRESH_TOKEN_MIN_TTL - 1).error?.issues[0]?.message).toBe(ttlMessage);
  });

  it('uses the database\'s lifetime only when it is shorter than the default', () => {
    expect(refreshTokenTtl(undefined as never, undefined, { refresh_token_ttl: 600 })).toBe(600);
    expect(refreshTokenTtl(undefined as never, undefined, {})).toBe(14 * 24 * 3600);
  });
});

describe('migration 6', () => {
  it('gives existing database clients the refresh_token grant, once, and leaves other clients alone', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-migration-'));
    const store = openSqliteStore(path.join(dir, 'idp.sqlite'));
    try {
      const db = store.raw;
      db.prepare("INSERT INTO accounts (id, email, name, created_at, updated_at) VALUES ('acc_1', 'a@example.com', 'A', 0, 0)").run();
      db.prepare("INSERT INTO databases (id, name, url, client_id, owner_id, created_at) VALUES ('dbs_1', 'A', 'https://a.example', 'db_1', 'acc_1', 0)").run();
      const insert = db.prepare("INSERT INTO oidc_models (model, id, payload) VALUES ('Client', ?, ?)");
      insert.run('db_1', JSON.stringify({ client_id: 'db_1', grant_types: ['authorization_code', 'client_credentials'] }));
      insert.run('other', JSON.stringify({ client_id: 'other', grant_types: ['authorization_code'] }));
      // Run migration 6 twice over the same rows: the second run must change nothing. Its SQL runs by
      // itself, so later migrations (not idempotent schema changes) are not replayed.
      const migration6 = migrations.find((m) => m.version === 6)!.sql;
      db.exec(migration6);
      db.exec(migration6);
      const grants = (id: string) => JSON.parse((db.prepare("SELECT payload FROM oidc_models WHERE model = 'Client' AND id = ?").get(id) as { payload: string }).payload).grant_types;
      expect(grants('db_1')).toEqual(['authorization_code', 'client_credentials', 'refresh_token']);
      expect(grants('other')).toEqual(['authorization_code']);
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
