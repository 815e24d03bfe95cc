/** Loads the interaction of the current request, turning a missing or expired one into a clear error. */
import type Provider from 'oidc-provider';
import { AppError } from '../../errors.ts';
import type { AppContext } from '../../http/context.ts';
import { defineGuard } from '../../http/route.ts';
import { usesPasskeyScript } from '../../passkeys/routes/views.tsx';
import { ACR, requiredPasskeyAcr } from '../acr.ts';
import { loginView } from './views.tsx';
import { msg } from '../../i18n/translator.ts';
import { noteRequestClient } from '../../activity/request-origin.ts';
import { seeOther } from '../../http/redirect.ts';
import { signedOutPage, useAccountLanguage } from '../../http/language.ts';

export type InteractionDetails = Awaited<ReturnType<Provider['interactionDetails']>>;

export interface LoadedInteraction {
  provider: Provider;
  details: InteractionDetails;
}

declare module '../../http/context.ts' {
  interface AppState {
    interaction?: LoadedInteraction;
  }
}

/**
 * The request belongs to a live interaction whose uid is the path's `:uid` (oidc-provider reads it from
 * its signed cookie); sets `ctx.state.interaction`. A missing or expired one is a clear 410.
 */
export const interaction = defineGuard('interaction', async (ctx, deps) => {
  const provider = deps.providers.get();
  try {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (details.uid !== ctx.state.routeParams.uid) throw new Error('uid mismatch');
    ctx.state.interaction = { provider, details };
    noteRequestClient(details.params.client_id); // the database or app of this sign-in, for the security log
  } catch {
    throw new AppError('gone', 'This sign-in request has expired or was already completed. Go back to the application and start again.');
  }
  // Someone already signed in (consent, another account's database): their account's language.
  const accountId = ctx.state.interaction.details.session?.accountId;
  const account = accountId ? await ctx.state.services.accounts.findById(accountId) : undefined;
  if (account) useAccountLanguage(ctx, account.locale);
  return true;
});

/** The interaction loaded by the `interaction` guard. */
export function interactionOf(ctx: AppContext): LoadedInteraction {
  if (!ctx.state.interaction) throw new Error('route without the interaction guard reads the interaction');
  return ctx.state.interaction;
}

export async function clientNameOf(provider: Provider, clientId: unknown): Promise<{ name: string; firstParty: boolean }> {
  const client = typeof clientId === 'string' ? await provider.Client.find(clientId) : undefined;
  return {
    name: (client?.clientName as string | undefined) ?? (typeof clientId === 'string' ? clientId : 'the application'),
    firstParty: client?.first_party === true,
  };
}

/** Finishes the interaction with `result` and redirects the browser back to the authorization endpoint. */
export async function finishInteraction(ctx: AppContext, provider: Provider, result: Record<string, unknown>, merge: boolean): Promise<void> {
  const redirectTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: merge });
  seeOther(ctx, redirectTo);
}

/** Grants what the consent prompt is missing and returns the grant id to report in the result. */
export async function grantMissing(provider: Provider, details: InteractionDetails): Promise<string | undefined> {
  const { prompt, params, session } = details;
  const grant = details.grantId
    ? (await provider.Grant.find(details.grantId))!
    : new provider.Grant({ accountId: session!.accountId, clientId: params.client_id as string });
  const d = prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
  if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
  if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(d.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
  const grantId = await grant.save();
  return details.grantId ? undefined : grantId;
}

/** The sign-in form of this interaction, worded for a database when the client is one. */
export async function renderLogin(ctx: AppContext, provider: Provider, details: InteractionDetails, extra: { email?: string; error?: string; notice?: string; fields?: Record<string, string> } = {}): Promise<string> {
  const clientId = typeof details.params.client_id === 'string' ? details.params.client_id : undefined;
  const client = await clientNameOf(provider, clientId);
  const forDatabase = clientId ? Boolean(await ctx.state.services.databases.findByClientId(clientId)) : false;
  usesPasskeyScript(ctx); // "Sign in with a passkey"
  const passkeyOnly = passkeyRequirement(details, client.name);
  return loginView({
    ...signedOutPage(ctx), uid: details.uid, clientName: client.name, forDatabase,
    ...(passkeyOnly ? { notice: ctx.state.t(passkeyOnly.key, passkeyOnly.params) } : {}), ...extra,
  });
}

/** When the application asked for a passkey sign-in (acr_values, see oidc/acr.ts): the sentence that says so. */
export function passkeyRequirement(details: InteractionDetails, clientName: string): { key: PasskeyRequirementKey; params: { client: string } } | undefined {
  const required = requiredPasskeyAcr(details.params.acr_values);
  if (!required) return undefined;
  return {
    key: required === ACR.phishingResistantHardware
      ? msg("{{client}} asks you to sign in with a passkey kept on one device (a security key or this device's screen lock), not a synced one or a password.")
      : msg('{{client}} asks you to sign in with a passkey, not a password. Use "Sign in with a passkey".'),
    params: { client: clientName },
  };
}
type PasskeyRequirementKey = "{{client}} asks you to sign in with a passkey kept on one device (a security key or this device's screen lock), not a synced one or a password."
  | '{{client}} asks you to sign in with a passkey, not a password. Use "Sign in with a passkey".';
