/**
 * Keeps the DPoP key pair in IndexedDB: CryptoKey objects survive structured cloning there while
 * the private key stays non-extractable (extension storage would need it serialised, i.e. exported).
 */
import { generateDpopKeyPair } from './dpop.ts';

const DB_NAME = 'latchkey';
const STORE = 'keys';
const KEY_ID = 'dpop';

function openDatabase(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run<T>(mode: IDBTransactionMode, action: (store: IDBObjectStore) => IDBRequest): Promise<T> {
  const db = await openDatabase();
  try {
    return await new Promise<T>((resolve, reject) => {
      const request = action(db.transaction(STORE, mode).objectStore(STORE));
      request.onsuccess = () => resolve(request.result as T);
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }
}

export interface DpopKeyStore {
  /** The current key pair, created on first use. */
  get(): Promise<CryptoKeyPair>;
  /** Forget the key (on sign-out), so the next sign-in is bound to a fresh one. */
  discard(): Promise<void>;
}

export function createDpopKeyStore(): DpopKeyStore {
  let pending: Promise<CryptoKeyPair> | null = null;
  const load = async () => {
    const stored = await run<CryptoKeyPair | undefined>('readonly', (store) => store.get(KEY_ID));
    if (stored) return stored;
    const created = await generateDpopKeyPair();
    await run('readwrite', (store) => store.put(created, KEY_ID));
    return created;
  };
  return {
    get() {
      pending ??= load().catch((error: unknown) => {
        pending = null;
        throw error;
      });
      return pending;
    },
    async discard() {
      pending = null;
      await run('readwrite', (store) => store.delete(KEY_ID));
    },
  };
}
