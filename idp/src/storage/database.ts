/**
 * The embedded store: one SQLite file opened with WAL (readers never block the writer, several
 * processes share it), foreign keys on, and a busy timeout so concurrent writers wait instead of failing.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrations.ts';

export type Db = Database.Database;

export function openDatabase(file: string, options: { migrate?: boolean } = {}): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  if (options.migrate !== false) migrate(db);
  return db;
}

/** Seconds since the epoch: the unit of every timestamp column. */
export function nowSeconds(): number {
  return Math.floor(clock.now() / 1000);
}

/** A clock tests can move (expiry, re-authentication windows). */
export const clock = {
  offsetMs: 0,
  now(): number {
    return Date.now() + this.offsetMs;
  },
};
