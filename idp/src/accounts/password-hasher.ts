/**
 * argon2id password hashing at the configured cost (OWASP minimum by default). `verify` also tells when
 * a stored hash was made with other parameters, so sign-in can rehash it.
 */
import argon2 from 'argon2';

export interface Argon2Params {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export function passwordHasher(params: Argon2Params) {
  const options = { type: argon2.argon2id as 2, ...params };
  // A real hash of a random string, so an unknown email costs the same as a wrong password.
  const dummy = argon2.hash(`dummy-${Math.random()}`, options);
  return {
    hash(password: string): Promise<string> {
      return argon2.hash(password, options);
    },
    async verify(hash: string, password: string): Promise<{ ok: boolean; needsRehash: boolean }> {
      let ok = false;
      try {
        ok = await argon2.verify(hash, password);
      } catch {
        ok = false;
      }
      return { ok, needsRehash: ok && argon2.needsRehash(hash, options) };
    },
    /** Spends one verification's time on nothing, for unknown accounts. */
    async verifyDummy(password: string): Promise<void> {
      await argon2.verify(await dummy, password).catch(() => false);
    },
  };
}

export type PasswordHasher = ReturnType<typeof passwordHasher>;
