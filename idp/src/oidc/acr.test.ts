import { describe, expect, it } from 'vitest';
import { ACR, acrFor, meetsAcr, requiredPasskeyAcr } from './acr.ts';

describe('acr', () => {
  it('names each sign-in by its methods', () => {
    expect(acrFor(['hwk', 'user', 'pop'])).toBe(ACR.phishingResistantHardware);
    expect(acrFor(['swk', 'user', 'pop'])).toBe(ACR.phishingResistant);
    expect(acrFor(['pwd', 'otp'])).toBe(ACR.twoFactor);
    expect(acrFor(['pwd', 'mfa'])).toBe(ACR.twoFactor);
    expect(acrFor(['pwd'])).toBe(ACR.password);
  });

  it('enforces only passkey levels, the weakest one asked for', () => {
    expect(requiredPasskeyAcr('phr')).toBe('phr');
    expect(requiredPasskeyAcr('phrh')).toBe('phrh');
    expect(requiredPasskeyAcr('phrh phr')).toBe('phr');
    expect(requiredPasskeyAcr(`phr ${ACR.password}`)).toBeUndefined();
    expect(requiredPasskeyAcr('urn:someone:else')).toBeUndefined();
    expect(requiredPasskeyAcr(undefined)).toBeUndefined();
  });

  it('lets a device-bound passkey meet a request for any passkey, and nothing weaker', () => {
    expect(meetsAcr('phrh', 'phr')).toBe(true);
    expect(meetsAcr('phr', 'phrh')).toBe(false);
    expect(meetsAcr(ACR.twoFactor, 'phr')).toBe(false);
    expect(meetsAcr(undefined, 'phr')).toBe(false);
  });
});
