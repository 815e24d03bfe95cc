/** POST /interaction/:uid/confirm and /abort: the person allows or refuses the application. */
import { buttonForm } from '../../fields.ts';
import { defineRoute } from '../../http/route.ts';
import { finishInteraction, grantMissing, interaction, interactionOf } from './details.ts';

export const confirmConsent = defineRoute('POST /interaction/:uid/confirm', { guards: [interaction], input: { body: buttonForm } }, async (ctx) => {
  const { provider, details } = interactionOf(ctx);
  if (details.prompt.name !== 'consent') {
    await finishInteraction(ctx, provider, { error: 'invalid_request', error_description: 'nothing to consent to' }, false);
    return;
  }
  const grantId = await grantMissing(provider, details);
  await finishInteraction(ctx, provider, { consent: grantId ? { grantId } : {} }, true);
});

export const abortInteraction = defineRoute('POST /interaction/:uid/abort', { guards: [interaction], input: { body: buttonForm } }, async (ctx) => {
  const { provider } = interactionOf(ctx);
  await finishInteraction(ctx, provider, { error: 'access_denied', error_description: 'The person cancelled the sign-in.' }, false);
});
