/**
 * Authentication context class references (`acr`) of our sign-ins, derived from their methods (`amr`,
 * RFC 8176), so a database can ask for a phishing-resistant one with `acr_values`. `phr` and `phrh` are
 * the OpenID EAP ACR values (phishing-resistant; phishing-resistant with a hardware-protected key).
 */
import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
export const ACR = {
  /** A passkey kept in hardware on one device. */
  phishingResistantHardware: 'phrh',
  /** A passkey (a synced one is phishing-resistant but not hardware-bound). */
  phishingResistant: 'phr',
  /** Password and a one-time code (TOTP or a recovery code). */
  twoFactor: 'urn:latchkey:acr:mfa',
  /** Password alone. */
  password: 'urn:latchkey:acr:pwd',
} as const;

/** Every value we issue, strongest first (discovery's acr_values_supported). */
export const ACR_VALUES: string[] = [ACR.phishingResistantHardware, ACR.phishingResistant, ACR.twoFactor, ACR.password];

export function acrFor(amr: readonly string[]): string {
  if (amr.includes('hwk')) return ACR.phishingResistantHardware;
  if (amr.includes('swk')) return ACR.phishingResistant;
  if (amr.includes('otp') || amr.includes('mfa')) return ACR.twoFactor;
  return ACR.password;
}

const RANK: Record<string, number> = { [ACR.password]: 0, [ACR.twoFactor]: 1, [ACR.phishingResistant]: 2, [ACR.phishingResistantHardware]: 3 };

/**
 * What a request's `acr_values` makes us enforce: the weakest of our values it names, when that is a
 * passkey level (phr or phrh); otherwise nothing (a password-level request is met by any sign-in, and
 * values we do not issue are only voluntary, as OpenID Connect says).
 */
export function requiredPasskeyAcr(acrValues: unknown): string | undefined {
  if (typeof acrValues !== 'string') return undefined;
  const ranks = acrValues.split(' ').filter((v) => v in RANK).map((v) => RANK[v]!);
  if (ranks.length === 0) return undefined;
  const weakest = Math.min(...ranks);
  if (weakest < RANK[ACR.phishingResistant]!) return undefined;
  return weakest === RANK[ACR.phishingResistantHardware] ? ACR.phishingResistantHardware : ACR.phishingResistant;
}

/** A sign-in of `acr` is at least `required` (a device-bound passkey meets a request for any passkey). */
export function meetsAcr(acr: string | undefined, required: string): boolean {
  return acr !== undefined && (RANK[acr] ?? -1) >= (RANK[required] ?? Infinity);
}

type Policy = ReturnType<typeof interactionPolicy.base>;

/**
 * A database that asks for a passkey (`acr_values=phr` or `phrh`) gets one: a session whose sign-in
 * was weaker goes through the sign-in page again, where only a passkey is accepted (see
 * oidc/interactions/login.ts and passkeys/routes/sign-in.ts). With prompt=none it gets login_required.
 */
export function requirePasskeyWhenAsked(policy: Policy): Policy {
  const { Check } = interactionPolicy;
  policy.get('login')!.checks.add(new Check('acr_not_met', 'the requested authentication context (a passkey) was not met', 'login_required', (ctx: KoaContextWithOIDC) => {
    const required = requiredPasskeyAcr(ctx.oidc.params?.acr_values);
    if (!required || !ctx.oidc.session?.accountId) return Check.NO_NEED_TO_PROMPT;
    return meetsAcr(ctx.oidc.acr, required) ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
  }));
  return policy;
}
