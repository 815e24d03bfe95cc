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
import { CsrfField, Field, Select, TextArea } from '../../ui/render.tsx';

const lines = (what: string) => z.string({ error: `Enter the ${what}, one per line.` }).max(20_000, `Too many ${what}.`)
  .transform((v) => v.split(/\r?\n/).map((l) => l.trim()).filter(Boolean));

/** The form posts every field (then checked by databaseUpdateSchema); an empty optional field removes the setting. */
export const advancedFormSchema = z.object({
  redirectUris: lines('redirect URIs'),
  postLogoutRedirectUris: lines('post-logout redirect URIs'),
  backchannelLogoutUri: z.string().max(2000).default(''),
  tokenEndpointAuthMethod: z.string({ error: 'Choose the client authentication.' }).max(40),
  jwksUri: z.string().max(2000).default(''),
  idTokenSignedResponseAlg: z.string({ error: 'Choose the ID token signing algorithm.' }).max(20),
  refreshTokenTtl: z.string().max(20).default(''),
});

/** The section on the database page (rendered for the owner only). */
export function AdvancedSettings(p: { databaseId: string; csrf: string; settings: DatabaseClientSettings; fields?: Record<string, string> }): VNode {
  const s = p.settings;
  return (
    <section aria-labelledby="advanced">
      <h2 id="advanced">Advanced</h2>
      <p>How this database signs people in. Change these only together with the database's own configuration.</p>
      <form method="post" action={`/my/databases/${p.databaseId}/advanced`}>
        <CsrfField token={p.csrf} />
        <TextArea name="redirectUris" label="Redirect URIs" value={s.redirectUris.join('\n')} error={p.fields?.redirectUris} hint="One per line." />
        <TextArea name="postLogoutRedirectUris" label="Post-logout redirect URIs" value={s.postLogoutRedirectUris.join('\n')} error={p.fields?.postLogoutRedirectUris} hint="One per line; may be empty." />
        <Field name="backchannelLogoutUri" label="Back-channel logout URI" value={s.backchannelLogoutUri ?? ''} error={p.fields?.backchannelLogoutUri} required={false} hint="Empty: no back-channel logout." />
        <Select name="tokenEndpointAuthMethod" label="Client authentication" options={TOKEN_ENDPOINT_AUTH_METHODS} value={s.tokenEndpointAuthMethod} error={p.fields?.tokenEndpointAuthMethod} />
        <Field name="jwksUri" label="JWKS URI" value={s.jwksUri ?? ''} error={p.fields?.jwksUri} required={false} hint="The database's public keys; needed with private_key_jwt." />
        <Select name="idTokenSignedResponseAlg" label="ID token signing algorithm" options={ID_TOKEN_ALGORITHMS} value={s.idTokenSignedResponseAlg} error={p.fields?.idTokenSignedResponseAlg} hint="ES256 unless the database can verify only RS256 (or prefers EdDSA)." />
        <Field name="refreshTokenTtl" label="Refresh token lifetime (seconds)" value={s.refreshTokenTtl === undefined ? '' : String(s.refreshTokenTtl)} error={p.fields?.refreshTokenTtl} required={false} inputmode="numeric" hint={`Empty: ${REFRESH_TOKEN_MAX_TTL} (14 days). From 300 to ${REFRESH_TOKEN_MAX_TTL}.`} />
        <button type="submit">Save advanced settings</button>
      </form>
    </section>
  );
}
