/**
 * Authentication context class references (`acr`) of our sign-ins, derived from their methods (`amr`,
 * RFC 8176), so a database can ask for a phishing-resistant one with `acr_values`. `phr` and `phrh` are
 * the OpenID EAP ACR values (phishing-resistant; phishing-resistant with a hardware-protected key).
 */
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

/** Values that also satisfy a request for `value` (a hardware-bound passkey satisfies `phr`). */
export function satisfies(acr: string | undefined, requested: readonly string[]): boolean {
  if (!acr) return false;
  if (requested.includes(acr)) return true;
  return acr === ACR.phishingResistantHardware && requested.includes(ACR.phishingResistant);
}
