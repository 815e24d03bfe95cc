import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, jwtVerify } from 'jose';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createDpopProof, exportPublicJwk, generateDpopKeyPair, htuOf, jwkThumbprint } from './dpop.ts';

describe('DPoP proofs', () => {
  it('signs a proof that verifies against its embedded key, with htm, htu, iat and jti', async () => {
    const keys = await generateDpopKeyPair();
    const proof = await createDpopProof(keys, { method: 'post', url: 'https://idp.test/token?x=1#frag', now: 1_700_000_000 });

    const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256'], currentDate: new Date(1_700_000_000_000) });
    expect(protectedHeader.jwk).toEqual(await exportPublicJwk(keys.publicKey));
    expect(protectedHeader.jwk).not.toHaveProperty('d');
    expect(payload).toMatchObject({ htm: 'POST', htu: 'https://idp.test/token', iat: 1_700_000_000 });
    expect(payload.jti).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(payload).not.toHaveProperty('ath');
    expect(payload).not.toHaveProperty('nonce');
  });

  it('binds API proofs to the access token with ath and carries the server nonce', async () => {
    const keys = await generateDpopKeyPair();
    const proof = await createDpopProof(keys, { method: 'GET', url: 'https://idp.test/api/v1/status', accessToken: 'token-abc', nonce: 'n-1' });
    const { payload } = await jwtVerify(proof, EmbeddedJWK);
    expect(payload.ath).toBe(createHash('sha256').update('token-abc').digest('base64url'));
    expect(payload.nonce).toBe('n-1');
  });

  it('uses a fresh jti for every proof', async () => {
    const keys = await generateDpopKeyPair();
    const input = { method: 'GET', url: 'https://idp.test/api/v1/status' };
    const a = await jwtVerify(await createDpopProof(keys, input), EmbeddedJWK);
    const b = await jwtVerify(await createDpopProof(keys, input), EmbeddedJWK);
    expect(a.payload.jti).not.toBe(b.payload.jti);
  });

  it('fails verification when the proof is tampered with', async () => {
    const keys = await generateDpopKeyPair();
    const proof = await createDpopProof(keys, { method: 'GET', url: 'https://idp.test/x' });
    const [header, , signature] = proof.split('.');
    const forged = Buffer.from(JSON.stringify({ htm: 'POST', htu: 'https://idp.test/x', iat: 1, jti: 'x' })).toString('base64url');
    await expect(jwtVerify(`${header}.${forged}.${signature}`, EmbeddedJWK)).rejects.toThrow();
  });

  it('keeps the private key non-extractable', async () => {
    const keys = await generateDpopKeyPair();
    expect(keys.privateKey.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('jwk', keys.privateKey)).rejects.toThrow();
  });

  it('computes the RFC 7638 thumbprint that jose computes', async () => {
    const keys = await generateDpopKeyPair();
    const jwk = await exportPublicJwk(keys.publicKey);
    expect(await jwkThumbprint(jwk)).toBe(await calculateJwkThumbprint(jwk, 'sha256'));
    expect(decodeProtectedHeader(await createDpopProof(keys, { method: 'GET', url: 'https://a.test/' })).alg).toBe('ES256');
  });

  it('strips query and fragment from htu', () => {
    expect(htuOf('http://localhost:3000/api/v1/api-keys/k1/rotate?a=b#c')).toBe('http://localhost:3000/api/v1/api-keys/k1/rotate');
  });
});
