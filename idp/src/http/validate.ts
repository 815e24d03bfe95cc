/** Schema validation at the edge: one zod schema per route; failures become a 400 with per-field messages. */
import type { z } from 'zod';
import { AppError } from '../errors.ts';
import { msg } from '../i18n/translator.ts';
import type { AppContext } from './context.ts';

/**
 * A sentence for a check that has none of its own (zod's defaults are written for developers): our
 * schemas word their own messages, this covers the rest (a nested item, a body that is not an object).
 */
function fallbackMessage(issue: { path?: PropertyKey[] }): string {
  const name = issue.path?.[0];
  return name === undefined ? msg('The request is invalid: send the form fields, or a JSON object.') : `The value of "${String(name)}" is not valid.`;
}

export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input ?? {}, { error: fallbackMessage });
  if (result.success) return result.data;
  const fields: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const key = String(issue.path[0] ?? 'form');
    fields[key] ??= issue.message;
  }
  const first = Object.entries(fields)[0];
  throw new AppError('invalid_input', first ? `${first[1]}` : msg('The request is invalid.'), { fields });
}

export function parseBody<S extends z.ZodType>(ctx: AppContext, schema: S): z.infer<S> {
  return parseInput(schema, ctx.request.body);
}

export function parseQuery<S extends z.ZodType>(ctx: AppContext, schema: S): z.infer<S> {
  return parseInput(schema, ctx.query);
}
