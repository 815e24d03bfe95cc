import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors.ts';
import { translator } from '../i18n/translator.ts';
import { parseInput } from './validate.ts';

const caught = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (isAppError(error)) return error;
    throw error;
  }
  throw new Error('parseInput accepted bad input');
};

describe('parseInput', () => {
  const schema = z.object({ name: z.string().min(1, 'Enter a name.'), settings: z.object({ depth: z.number() }) });

  it('gives a check without a message of its own a sentence naming the field, in the request\'s language', () => {
    const error = caught(() => parseInput(schema, { name: 'x', settings: { depth: 'deep' } }));
    expect(error.status).toBe(400);
    expect(error.message).toBe('The value of "settings" is not valid.');
    expect(error.fields).toEqual({ settings: 'The value of "settings" is not valid.' });
    const french = error.localized(translator('fr'));
    expect(french.message).toBe('La valeur de «\u00a0settings\u00a0» n’est pas valide.');
    expect(french.fields).toEqual({ settings: french.message });
  });

  it('keeps a schema\'s own message, and says what a body that is no object lacks', () => {
    expect(caught(() => parseInput(schema, { name: '', settings: { depth: 1 } })).message).toBe('Enter a name.');
    expect(caught(() => parseInput(schema, 'text')).message).toBe('The request is invalid: send the form fields, or a JSON object.');
  });
});
