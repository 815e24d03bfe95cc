import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { createPkcePair } from './pkce.ts';

describe('createPkcePair', () => {
  it('derives the S256 challenge from a 43-character base64url verifier', async () => {
    const pair = await createPkcePair();
    expect(pair.method).toBe('S256');
    expect(pair.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const expected = createHash('sha256').update(pair.verifier).digest('base64url');
    expect(pair.challenge).toBe(expected);
  });

  it('never repeats a verifier', async () => {
    const verifiers = new Set(await Promise.all(Array.from({ length: 20 }, async () => (await createPkcePair()).verifier)));
    expect(verifiers.size).toBe(20);
  });
});
