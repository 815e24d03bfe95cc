/**
 * POST /api/v1/api-keys/:id/rotate `{graceSeconds: 0 | 3600 | 86400}`: a new secret for the key
 * (`RotateApiKeyResponse`). Sensitive: an access token needs a recent sign-in (RFC 9470 step-up); an
 * API key may rotate only itself.
 */
import { z } from 'zod';
import type { RotateApiKeyResponse } from '../../../../shared/account-api.ts';
import type { AppRouter } from '../../http/router.ts';
import type { ApiRouteDeps } from '../account-api.ts';
import { parseBody, parseInput } from '../../http/validate.ts';
import { keyIdField, rotateKeyRequest } from '../../apikeys/schemas.ts';
import type { RotationGrace } from '../../apikeys/types.ts';
import { assertMayManageKey, assertRecentUserAuth } from '../authenticate.ts';

const params = z.object({ id: keyIdField });

export function register(router: AppRouter, api: ApiRouteDeps): void {
  router.post(`${api.prefix}/api-keys/:id/rotate`, api.authenticate, async function rotateApiKey(ctx) {
    const { id } = parseInput(params, ctx.params);
    const { graceSeconds } = parseBody(ctx, rotateKeyRequest);
    assertRecentUserAuth(ctx);
    assertMayManageKey(ctx, id);
    const caller = ctx.state.apiCaller!;
    const { apiKeys } = ctx.state.services;
    const { key, secret } = await apiKeys.rotate(caller.accountId, id, graceSeconds as RotationGrace, { actor: caller.via === 'api_key' ? `api_key:${caller.keyId}` : caller.accountId, ip: ctx.ip });
    const body: RotateApiKeyResponse = { key: await apiKeys.summarize(key), secret };
    ctx.body = body;
  });
}
