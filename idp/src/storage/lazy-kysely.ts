/**
 * kysely, loaded on first use: only table-generic tools (export, import) build queries with it, and
 * loading it costs every IdP worker ~13 MB of RSS it would never use (issue 16). `require` of this ES
 * module is synchronous (Node ≥ 22.12), so the stores keep their synchronous `kysely` getter.
 */
import { createRequire } from 'node:module';

type KyselyModule = typeof import('kysely');

let loaded: KyselyModule | undefined;

export function loadKysely(): KyselyModule {
  loaded ??= createRequire(import.meta.url)('kysely') as KyselyModule;
  return loaded;
}
