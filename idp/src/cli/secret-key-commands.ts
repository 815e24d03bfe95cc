/**
 * `idp secret-key rotate` (part of the `idp` command table): moves every value sealed under IDP_SECRET_KEY
 * to a new key without downtime. The operator's steps (README, Operations):
 *   1. start every instance with IDP_SECRET_KEY=NEW,OLD (or put NEW as the first line of the SQLite key
 *      file, OLD under it): NEW seals, both open, so nothing stops working;
 *   2. run `idp secret-key rotate` with the same setting: it re-seals every value not under NEW and then
 *      records NEW as the store's key (`secret_key_check`);
 *   3. drop OLD (IDP_SECRET_KEY=NEW, or remove its line) at the next restart.
 * Running instances keep working during and after step 2: they hold both keys, and the clear values
 * (cookie keys, signing keys) they loaded do not change.
 *
 * Each pass re-seals with updates conditional on the value read; passes repeat until one finds nothing
 * left (a value written meanwhile by an instance still sealing with OLD is taken by the next pass).
 */
import { AppError } from '../errors.ts';
import type { Command } from './context.ts';
import { withStore } from './context.ts';

const MAX_PASSES = 5;

export const secretKeyCommands: Command[] = [
  {
    name: 'secret-key rotate',
    summary: 'Re-seal every sealed value (2FA secrets, signing, cookie and CSRF keys, client secrets, queued mail) under the first key of IDP_SECRET_KEY=NEW,OLD; afterwards OLD can be dropped.',
    run: async (_values, config) => {
      const [{ assertSecretKeyMatches, loadSecretKeys, secretBox, secretKeyCheck }, { sealStore }, { sealServerSecrets }, { sealClientSecrets }, { twoFactorRepository }, { resealMailOutbox }] = await Promise.all([
        import('../storage/secret-box.ts'), import('../storage/store-sealing.ts'), import('../storage/server-settings.ts'),
        import('../storage/oidc-adapter.ts'), import('../security/two-factor-repository.ts'), import('../mail/mail-queue.ts'),
      ]);
      const keys = loadSecretKeys(config);
      const box = secretBox(keys);
      return withStore(config, async (db) => {
        await assertSecretKeyMatches(db, keys);
        await sealStore(db, box);
        const totals = { twoFactorSecrets: 0, serverSecrets: 0, clientSecrets: 0, queuedMail: 0 };
        let passes = 0;
        for (;;) {
          passes += 1;
          let written: typeof totals;
          try {
            written = {
              twoFactorSecrets: await twoFactorRepository(db, box).resealSecrets(),
              serverSecrets: await sealServerSecrets(db, box, 'rotate'),
              clientSecrets: await sealClientSecrets(db, box, 'rotate'),
              queuedMail: await resealMailOutbox(db, box),
            };
          } catch (error) {
            throw new AppError('conflict', 'A sealed value opens with none of the keys in IDP_SECRET_KEY: list the key it was sealed with after the new one (IDP_SECRET_KEY=NEW,OLD) and run this again.', { cause: error });
          }
          for (const name of Object.keys(totals) as (keyof typeof totals)[]) totals[name] += written[name];
          if (Object.values(written).every((n) => n === 0)) break;
          if (passes === MAX_PASSES) throw new AppError('conflict', 'Values sealed under an older key keep appearing: start every instance with the new key first (IDP_SECRET_KEY=NEW,OLD), then run this again.');
        }
        await db.run("UPDATE server_settings SET value = ? WHERE name = 'secret_key_check'", [secretKeyCheck(keys[0]!)]);
        return { resealed: totals, passes, keyCheck: 'updated', previousKeysNoLongerNeeded: keys.length - 1 };
      });
    },
  },
];
