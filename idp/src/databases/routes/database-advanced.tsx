/**
 * The "Advanced" section of /my/databases/:id (owners only): the database's redirect, post-logout and
 * back-channel URIs, client authentication, ID token algorithm and refresh token lifetime, changed with
 * the same validation as `idp database update`. Its route (`saveAdvancedSettings`, with the page's other
 * actions in database-page.tsx) needs a recent sign-in: a new client authentication may mint a secret,
 * which is then shown once.
 */
import type { VNode } from 'preact';
import { z } from 'zod';
import { ID_TOKEN_ALGORITHMS, REFRESH_TOKEN_MAX_TTL, TOKEN_ENDPOINT_AUTH_METHODS, type DatabaseClientSettings } from '../client-metadata.ts';
import { msg, type Translate } from '../../i18n/translator.ts';
import { Field, PostForm, Select, TextArea } from '../../ui/render.tsx';

/** A text area of one address a line; `says` are catalog keys, shown in the request's language. */
const lines = (says: { missing: string; tooMany: string }) => z.string({ error: says.missing }).max(20_000, says.tooMany)
  .transform((v) => v.split(/\r?\n/).map((l) => l.trim()).filter(Boolean));

/** The form posts every field (then checked by databaseUpdateSchema); an empty optional field removes the setting. */
export const advancedFormSchema = z.object({
  redirectUris: lines({ missing: msg('Enter the redirect URIs, one per line.'), tooMany: msg('Too many redirect URIs.') }),
  postLogoutRedirectUris: lines({ missing: msg('Enter the post-logout redirect URIs, one per line.'), tooMany: msg('Too many post-logout redirect URIs.') }),
  backchannelLogoutUri: z.string().max(2000).default(''),
  tokenEndpointAuthMethod: z.string({ error: msg('Choose the client authentication.') }).max(40),
  jwksUri: z.string().max(2000).default(''),
  idTokenSignedResponseAlg: z.string({ error: msg('Choose the ID token signing algorithm.') }).max(20),
  refreshTokenTtl: z.string().max(20).default(''),
});

/** The section on the database page (rendered for the owner only), in the request's language `t`. */
export function AdvancedSettings(p: { t: Translate; databaseId: string; csrf: string; settings: DatabaseClientSettings; fields?: Record<string, string> }): VNode {
  const { t } = p;
  const s = p.settings;
  return (
    <section aria-labelledby="advanced">
      <h2 id="advanced">{t('Advanced')}</h2>
      <p>{t("How this database signs people in. Change these only together with the database's own configuration.")}</p>
      <PostForm action={`/my/databases/${p.databaseId}/advanced`} csrf={p.csrf}>
        <TextArea name="redirectUris" label={t('Redirect URIs')} value={s.redirectUris.join('\n')} error={p.fields?.redirectUris} hint={t('One per line.')} />
        <TextArea name="postLogoutRedirectUris" label={t('Post-logout redirect URIs')} value={s.postLogoutRedirectUris.join('\n')} error={p.fields?.postLogoutRedirectUris} hint={t('One per line; may be empty.')} />
        <Field name="backchannelLogoutUri" label={t('Back-channel logout URI')} value={s.backchannelLogoutUri ?? ''} error={p.fields?.backchannelLogoutUri} required={false} hint={t('Empty: no back-channel logout.')} />
        <Select name="tokenEndpointAuthMethod" label={t('Client authentication')} options={TOKEN_ENDPOINT_AUTH_METHODS} value={s.tokenEndpointAuthMethod} error={p.fields?.tokenEndpointAuthMethod} />
        <Field name="jwksUri" label={t('JWKS URI')} value={s.jwksUri ?? ''} error={p.fields?.jwksUri} required={false} hint={t("The database's public keys; needed with private_key_jwt.")} />
        <Select name="idTokenSignedResponseAlg" label={t('ID token signing algorithm')} options={ID_TOKEN_ALGORITHMS} value={s.idTokenSignedResponseAlg} error={p.fields?.idTokenSignedResponseAlg} hint={t('ES256 unless the database can verify only RS256 (or prefers EdDSA).')} />
        <Field name="refreshTokenTtl" label={t('Refresh token lifetime (seconds)')} value={s.refreshTokenTtl === undefined ? '' : String(s.refreshTokenTtl)} error={p.fields?.refreshTokenTtl} required={false} inputmode="numeric" hint={t('Empty: {{max}} (14 days). From 300 to {{max}}.', { max: REFRESH_TOKEN_MAX_TTL })} />
        <button type="submit">{t('Save advanced settings')}</button>
      </PostForm>
    </section>
  );
}
