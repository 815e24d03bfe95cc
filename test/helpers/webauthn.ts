/**
 * A software WebAuthn authenticator for tests that talk HTTP or call the service directly (the browser
 * suite uses Chromium's virtual authenticator instead). It makes real answers: a P-256 key, CBOR
 * attestation objects (`none`), authenticator data with UP/UV flags and a sign counter, ECDSA signatures
 * over authenticatorData || SHA-256(clientDataJSON). Every field can be spoiled to test refusals.
 */
import crypto from 'node:crypto';

type Cbor = number | string | Uint8Array | CborMap | { [key: string]: Cbor };
interface CborMap extends Map<Cbor, Cbor> {}

function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 256) return Buffer.from([(major << 5) | 24, n]);
  if (n < 65536) return Buffer.from([(major << 5) | 25, n >> 8, n & 255]);
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(n, 1);
  return b;
}

/** Minimal CBOR (RFC 8949): unsigned and negative integers, byte and text strings, maps. */
export function cbor(value: Cbor): Buffer {
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), Buffer.from(value)]);
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
  return Buffer.concat([head(5, entries.length), ...entries.flatMap(([k, v]) => [cbor(k), cbor(v)])]);
}

const b64u = (b: Uint8Array | string) => Buffer.from(b).toString('base64url');

export interface Spoil {
  origin?: string;
  rpId?: string;
  type?: string;
  challenge?: string;
  userVerified?: boolean;
  counter?: number;
  credentialId?: string;
}

export interface SoftPasskey {
  credentialId: Buffer;
  counter: number;
  userHandle?: string;
}

export function softAuthenticator(options: { origin: string; rpId?: string; backupEligible?: boolean }) {
  const rpId = options.rpId ?? new URL(options.origin).hostname;
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const coseKey: CborMap = new Map<Cbor, Cbor>([[1, 2], [3, -7], [-1, 1], [-2, new Uint8Array(Buffer.from(jwk.x!, 'base64url'))], [-3, new Uint8Array(Buffer.from(jwk.y!, 'base64url'))]]);
  const passkey: SoftPasskey = { credentialId: crypto.randomBytes(32), counter: 0 };

  function authData(spoil: Spoil, attested: boolean): Buffer {
    const flags = 0x01 | (spoil.userVerified === false ? 0 : 0x04) | (options.backupEligible ? 0x08 | 0x10 : 0) | (attested ? 0x40 : 0);
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(spoil.counter ?? passkey.counter);
    const parts: Buffer[] = [crypto.createHash('sha256').update(spoil.rpId ?? rpId).digest(), Buffer.from([flags]), counter];
    if (attested) {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(passkey.credentialId.length);
      parts.push(Buffer.alloc(16), len, passkey.credentialId, cbor(coseKey));
    }
    return Buffer.concat(parts);
  }

  function clientData(type: string, challenge: string, spoil: Spoil): Buffer {
    return Buffer.from(JSON.stringify({ type: spoil.type ?? type, challenge: spoil.challenge ?? challenge, origin: spoil.origin ?? options.origin, crossOrigin: false }));
  }

  return {
    passkey,
    /** A registration answer to `creation` (PublicKeyCredentialCreationOptionsJSON). */
    register(creation: { challenge: string; user: { id: string } }, spoil: Spoil = {}) {
      passkey.userHandle = creation.user.id;
      const id = spoil.credentialId ?? b64u(passkey.credentialId);
      return {
        id, rawId: id, type: 'public-key', clientExtensionResults: {}, authenticatorAttachment: 'platform',
        response: {
          clientDataJSON: b64u(clientData('webauthn.create', creation.challenge, spoil)),
          attestationObject: b64u(cbor({ fmt: 'none', attStmt: {}, authData: authData(spoil, true) })),
          transports: ['internal'],
        },
      };
    },
    /** An assertion for `request` (PublicKeyCredentialRequestOptionsJSON); the counter moves forward first. */
    assert(request: { challenge: string }, spoil: Spoil = {}) {
      if (spoil.counter === undefined) passkey.counter += 1;
      const data = authData(spoil, false);
      const client = clientData('webauthn.get', request.challenge, spoil);
      const signature = crypto.sign('sha256', Buffer.concat([data, crypto.createHash('sha256').update(client).digest()]), privateKey);
      const id = spoil.credentialId ?? b64u(passkey.credentialId);
      return {
        id, rawId: id, type: 'public-key', clientExtensionResults: {}, authenticatorAttachment: 'platform',
        response: { clientDataJSON: b64u(client), authenticatorData: b64u(data), signature: b64u(signature), ...(passkey.userHandle ? { userHandle: passkey.userHandle } : {}) },
      };
    },
  };
}
