/**
 * POST /api/v1/api-keys/:id/rotate `{graceSeconds: 0 | 3600 | 86400}`: a new secret for the key
 * (`RotateApiKeyResponse`). Sensitive: an access token needs a recent sign-in (RFC 9470 step-up); an
 * API key may rotate only itself.
 */
import { z } from 'zod';
import { ACCOUNT_API_PREFIX, type RotateApiKeyResponse } from '../../../../shared/account-api.ts';
import { defineRoute } from '../../http/route.ts';
import { keyIdField, rotateKeyRequest } from '../../apikeys/schemas.ts';
import type { RotationGrace } from '../../apikeys/types.ts';
import { apiCaller, apiCsrf, assertMayManageKey, recentUserAuth } from './authenticate.ts';

export const rotateApiKey = defineRoute(`POST ${ACCOUNT_API_PREFIX}/api-keys/:id/rotate`, { guards: [apiCaller('write'), recentUserAuth], csrf: apiCsrf, input: { params: z.object({ id: keyIdField }), body: rotateKeyRequest } }, async (ctx, { params, body }) => {
  assertMayManageKey(ctx, params.id);
  const caller = ctx.state.apiCaller!;
  const { apiKeys } = ctx.state.services;
  const { key, secret } = await apiKeys.rotate(caller.accountId, params.id, body.graceSeconds as RotationGrace, { actor: caller.via === 'api_key' ? `api_key:${caller.keyId}` : caller.accountId, ip: ctx.ip });
  const response: RotateApiKeyResponse = { key: await apiKeys.summarize(key), secret };
  ctx.body = response;
});
