import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ICON_SIZES, iconPng } from './make-icons.ts';

const dir = path.resolve(import.meta.dirname, '../public/icon');

describe('icons', () => {
  it.each(ICON_SIZES)('%i px is committed, at its size, as drawn by make-icons.ts', (size) => {
    const file = fs.readFileSync(path.join(dir, `${size}.png`));
    // IHDR width and height.
    expect([file.readUInt32BE(16), file.readUInt32BE(20)]).toEqual([size, size]);
    expect(file.equals(iconPng(size))).toBe(true);
  });
});
