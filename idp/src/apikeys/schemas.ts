/** Input schemas for API keys, shared by the portal forms and the account API. */
import { z } from 'zod';
import { API_KEY_DURATIONS, ROTATION_GRACE_SECONDS, type ApiKeyDuration } from './types.ts';
import { typedText } from '../fields.ts';
import { msg } from '../i18n/translator.ts';

export const descriptionField = typedText(100, {
  missing: msg('Describe what the key is for.'),
  empty: msg('Describe what the key is for, e.g. "nightly export".'),
  tooLong: msg('Use at most 100 characters for the description.'),
  notAllowed: msg('The description contains characters that are not allowed.'),
});

const durations = Object.keys(API_KEY_DURATIONS) as [ApiKeyDuration, ...ApiKeyDuration[]];
export const durationField = z.enum(durations, { error: msg('Choose how long the key lives: 1 day, 1 week, 1, 3 or 6 months, or 1 year.') });
export const scopeField = z.enum(['read', 'read-write'], { error: msg('Choose the access: read, or read-write.') });
export const keyIdField = z.string().regex(/^key_[A-Za-z0-9_-]{16}$/, msg('This API key does not exist.'));

/**
 * The portal form: each database is its own checkbox `db:<id>` (single-valued fields survive the
 * re-authentication page, which re-posts every string field).
 */
export const createKeyForm = z.preprocess(
  (body) => {
    const b = (body ?? {}) as Record<string, unknown>;
    return { ...b, databases: Object.keys(b).filter((k) => k.startsWith('db:') && b[k] === 'on').map((k) => k.slice(3)) };
  },
  z.object({
    description: descriptionField,
    duration: durationField,
    scope: scopeField,
    database_access: z.enum(['all', 'some'], { error: msg('Choose whether the key works on every database or only some.') }),
    databases: z.array(z.string().max(100)).max(200, msg('Choose at most 200 databases.')),
  }),
).transform((v) => ({
  description: v.description,
  duration: v.duration,
  scope: v.scope,
  databases: v.database_access === 'all' ? null : v.databases,
}));

const GRACE_CHOICES = msg('Choose how long the old secret keeps working: none, 1 hour or 24 hours.');

export const graceField = z.coerce
  .number({ error: GRACE_CHOICES })
  .refine((v): v is (typeof ROTATION_GRACE_SECONDS)[number] => (ROTATION_GRACE_SECONDS as readonly number[]).includes(v),
    GRACE_CHOICES);

export const rotateKeyForm = z.object({ grace: graceField });
/** RotateApiKeyRequest of the account API. */
export const rotateKeyRequest = z.strictObject({ graceSeconds: graceField.default(0) }, { error: msg('Send {"graceSeconds": 0 | 3600 | 86400}.') });
