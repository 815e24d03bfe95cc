/** POST /interaction/:uid/confirm and /abort: the person allows or refuses the application. */
import type { AppRouter, RouteDeps } from '../../http/router.ts';
import { finishInteraction, grantMissing, loadInteraction } from './details.ts';

export function register(router: AppRouter, deps: RouteDeps): void {
  router.post('/interaction/:uid/confirm', async function confirmConsent(ctx) {
    const { provider, details } = await loadInteraction(ctx, deps);
    if (details.prompt.name !== 'consent') {
      await finishInteraction(ctx, provider, { error: 'invalid_request', error_description: 'nothing to consent to' }, false);
      return;
    }
    const grantId = await grantMissing(provider, details);
    await finishInteraction(ctx, provider, { consent: grantId ? { grantId } : {} }, true);
  });

  router.post('/interaction/:uid/abort', async function abortInteraction(ctx) {
    const { provider } = await loadInteraction(ctx, deps);
    await finishInteraction(ctx, provider, { error: 'access_denied', error_description: 'The person cancelled the sign-in.' }, false);
  });
}
