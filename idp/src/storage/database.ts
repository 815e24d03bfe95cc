/** The store type repositories receive (see store.ts: SQLite by default, PostgreSQL when IDP_DATABASE_URL is set). */
export type { Store as Db } from './store.ts';
