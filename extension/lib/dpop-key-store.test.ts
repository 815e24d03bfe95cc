import { describe, expect, it } from 'vitest';
import { createDpopKeyStore } from './dpop-key-store.ts';

describe('DPoP key store (IndexedDB)', () => {
  it('creates the key once, returns the same key from a new store instance, and forgets it on discard', async () => {
    const first = await createDpopKeyStore().get();
    expect(first.privateKey.extractable).toBe(false);
    const again = await createDpopKeyStore().get();
    const jwk = async (pair: CryptoKeyPair) => crypto.subtle.exportKey('jwk', pair.publicKey);
    expect(await jwk(again)).toEqual(await jwk(first));

    const store = createDpopKeyStore();
    await store.discard();
    const replaced = await store.get();
    expect(await jwk(replaced)).not.toEqual(await jwk(first));
  });
});
