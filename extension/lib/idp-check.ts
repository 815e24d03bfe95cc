/**
 * What the options page says about an IdP URL before saving it: a typo, a server that does not
 * answer and a server that is not a Latchkey IdP each get their own sentence, because "sign-in failed"
 * later in the popup would not tell the person which of the three it was.
 */
import type { FetchLike } from './dpop-fetch.ts';
import { ExtensionError } from './errors.ts';
import { discoverProvider, normaliseIssuer } from './oidc-discovery.ts';
import { t } from './i18n/translator.ts';

export type UrlCheck = { ok: true; issuer: string } | { ok: false; message: string };

/** Syntax only: runs before the permission prompt, so a typo never asks for a permission. */
export function parseIdpUrl(input: string): UrlCheck {
  const text = input.trim();
  if (!text) return { ok: false, message: t('Enter the address of your Latchkey server, for example https://login.example.com.') };
  try {
    return { ok: true, issuer: normaliseIssuer(text) };
  } catch (error) {
    if (error instanceof ExtensionError) return { ok: false, message: error.message };
    return { ok: false, message: t('"{{text}}" is not a web address. Enter it with https://, for example https://login.example.com.', { text }) };
  }
}

/** Asks the server for its OpenID configuration; run once the host permission is granted. */
export async function checkIdpServer(issuer: string, fetchImpl?: FetchLike): Promise<UrlCheck> {
  const origin = new URL(issuer).origin;
  try {
    await discoverProvider(issuer, fetchImpl);
    return { ok: true, issuer };
  } catch (error) {
    if (error instanceof TypeError) return { ok: false, message: t('Nothing answered at {{origin}}. Check the address and that the server is running.', { origin }) };
    if (error instanceof SyntaxError) return { ok: false, message: t('{{issuer}} is not a Latchkey server: it has no OpenID configuration.', { issuer }) };
    if (error instanceof ExtensionError) return { ok: false, message: t('{{issuer}} is not a Latchkey server: {{reason}}', { issuer, reason: lowerFirst(error.message) }) };
    return { ok: false, message: t('{{issuer}} is not a Latchkey server.', { issuer }) };
  }
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);
