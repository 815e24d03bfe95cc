/**
 * The only code that writes database clients into oidc-provider's Client model. Metadata is checked by
 * oidc-provider itself (`Client.validate`, with our configuration) before it is stored, so an invalid
 * client can never be saved and then fail at sign-in.
 *
 * Client secrets cannot be hashed: with client_secret_basic the library compares the presented secret
 * with the stored one (and uses it as the HMAC key for HS* algorithms). The Client adapter stores them
 * sealed under IDP_SECRET_KEY and opens them on find (storage/oidc-adapter.ts). private_key_jwt clients
 * store no secret.
 */
import type Provider from 'oidc-provider';
import { AppError } from '../errors.ts';
import type { Db } from '../storage/database.ts';
import { StoreOidcAdapter } from '../storage/oidc-adapter.ts';
import type { SecretBox } from '../storage/secret-box.ts';

export type ClientMetadata = Record<string, unknown> & { client_id: string };

/**
 * `provider` gives the IdP's oidc-provider (the composition root's holder, built on first use; it makes
 * the signing keys of a fresh store first, since they decide the allowed algorithms).
 */
export function clientRegistry(db: Db, box: SecretBox, provider: () => Promise<Provider>) {
  const adapter = new StoreOidcAdapter('Client', db, box);
  async function validate(metadata: ClientMetadata): Promise<void> {
    try {
      await (await provider()).Client.validate(metadata as never);
    } catch (error) {
      const description = (error as { error_description?: string }).error_description ?? (error as Error).message;
      throw new AppError('invalid_input', 'These client settings were refused: {{description}}.', { params: { description }, cause: error });
    }
  }
  return {
    validate,
    async save(metadata: ClientMetadata): Promise<void> {
      await validate(metadata);
      await adapter.upsert(metadata.client_id, metadata as never, 0);
    },
    async find(clientId: string): Promise<ClientMetadata | undefined> {
      return (await adapter.find(clientId)) as ClientMetadata | undefined;
    },
    async remove(clientId: string): Promise<void> {
      await adapter.destroy(clientId);
    },
    /** A single-purpose initial access token for dynamic client registration. */
    async issueInitialAccessToken(expiresIn: number, policies: string[]): Promise<string> {
      const { InitialAccessToken } = await provider();
      return new InitialAccessToken({ expiresIn, policies }).save();
    },
  };
}

export type ClientRegistry = ReturnType<typeof clientRegistry>;
