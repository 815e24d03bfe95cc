/** Schema validation at the edge: one zod schema per route; failures become a 400 with per-field messages. */
import type { z } from 'zod';
import { AppError, type Sentence } from '../errors.ts';
import { msg } from '../i18n/translator.ts';
import type { AppContext } from './context.ts';

/**
 * A sentence for a check that has none of its own (zod's defaults are written for developers): our
 * schemas word their own messages, this covers the rest (a nested item, a body that is not an object).
 */
const NOT_VALID = msg('The value of "{{name}}" is not valid.');

function fallbackMessage(issue: { path?: PropertyKey[] }): string {
  return issue.path?.[0] === undefined ? msg('The request is invalid: send the form fields, or a JSON object.') : NOT_VALID;
}

export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input ?? {}, { error: fallbackMessage });
  if (result.success) return result.data;
  const fields: Record<string, string | Sentence> = {};
  for (const issue of result.error.issues) {
    const key = String(issue.path[0] ?? 'form');
    fields[key] ??= issue.message === NOT_VALID ? { key: NOT_VALID, params: { name: key } } : issue.message;
  }
  const first = Object.values(fields)[0];
  if (first === undefined) throw new AppError('invalid_input', msg('The request is invalid.'), { fields });
  const message = typeof first === 'string' ? { key: first } : first;
  throw new AppError('invalid_input', message.key, { params: message.params, fields });
}

export function parseBody<S extends z.ZodType>(ctx: AppContext, schema: S): z.infer<S> {
  return parseInput(schema, ctx.request.body);
}

export function parseQuery<S extends z.ZodType>(ctx: AppContext, schema: S): z.infer<S> {
  return parseInput(schema, ctx.query);
}
