/**
 * Support acts in the open: every operator command that changes a person's account takes `--reason`,
 * which is recorded with the event (shown in the person's security activity) and mailed to them.
 */
import { AppError } from '../errors.ts';
import { hasControlCharacters } from '../fields.ts';
import type { OptionSpec } from './context.ts';

export const reasonOption: OptionSpec = { help: 'why support does this (a ticket, a request); shown to the person and mailed to them', required: true, arg: 'TEXT' };

/** The `--reason` text, or a usage error (exit 2). */
export function supportReason(value: unknown): string {
  const reason = typeof value === 'string' ? value.trim() : '';
  if (reason.length < 3) throw new AppError('invalid_input', '--reason: say why support does this (at least 3 characters); the person will read it.');
  if (reason.length > 500) throw new AppError('invalid_input', '--reason: use at most 500 characters.');
  if (hasControlCharacters(reason)) throw new AppError('invalid_input', '--reason: use one line of plain text.');
  return reason;
}
