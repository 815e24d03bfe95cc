/**
 * Draws the toolbar and store icons (a white keyhole on a blue rounded square) at every size the
 * manifests and stores use, so each is drawn at its size rather than scaled from another: 16, 32, 48
 * (toolbar, extensions page), 64 and 96 (Firefox on high-density screens and AMO), 128 (Chrome Web
 * Store and AMO listings). Geometry is in a 128-unit box; 4x4 supersampling smooths the edges.
 *
 *   node --import tsx extension/tools/make-icons.ts      # writes extension/public/icon/<size>.png
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

export const ICON_SIZES = [16, 32, 48, 64, 96, 128] as const;
const BLUE = [36, 84, 214] as const;
const SAMPLES = 4;

/** 0 outside, 1 blue square, 2 white keyhole; (x, y) in the 128-unit box. */
function shapeAt(x: number, y: number): 0 | 1 | 2 {
  const radius = 22;
  const cx = Math.min(Math.max(x, radius), 128 - radius);
  const cy = Math.min(Math.max(y, radius), 128 - radius);
  if ((x - cx) ** 2 + (y - cy) ** 2 > radius ** 2) return 0;
  const inHead = (x - 64) ** 2 + (y - 52) ** 2 <= 14 ** 2;
  const inStem = x >= 56 && x <= 72 && y >= 56 && y <= 92;
  return inHead || inStem ? 2 : 1;
}

function rgba(size: number): Buffer {
  const pixels = Buffer.alloc(size * size * 4);
  const scale = 128 / size;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let blue = 0;
      let white = 0;
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          const shape = shapeAt((px + (sx + 0.5) / SAMPLES) * scale, (py + (sy + 0.5) / SAMPLES) * scale);
          if (shape === 1) blue++;
          else if (shape === 2) white++;
        }
      }
      const covered = blue + white;
      const i = (py * size + px) * 4;
      if (covered === 0) continue;
      // Colour of the covered part (white mixed into blue), alpha by coverage.
      for (let c = 0; c < 3; c++) pixels[i + c] = Math.round((BLUE[c]! * blue + 255 * white) / covered);
      pixels[i + 3] = Math.round((255 * covered) / (SAMPLES * SAMPLES));
    }
  }
  return pixels;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

export function iconPng(size: number): Buffer {
  const pixels = rgba(size);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
  const rows = Buffer.concat(Array.from({ length: size }, (_, y) => Buffer.concat([Buffer.from([0]), pixels.subarray(y * size * 4, (y + 1) * size * 4)])));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', zlib.deflateSync(rows, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../public/icon');
  for (const size of ICON_SIZES) fs.writeFileSync(path.join(dir, `${size}.png`), iconPng(size));
  console.log(`wrote ${ICON_SIZES.map((s) => `${s}.png`).join(', ')} to ${dir}`);
}
