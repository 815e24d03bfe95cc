/**
 * A file of idp/static served as it is (the stylesheet, the small scripts pages load under the CSP):
 * read once at start, cached publicly, since it holds nothing personal.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineRoute, publicCache, type Route } from './route.ts';

const staticDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../static');

export function staticAsset(name: string, type: string): Route {
  const body = fs.readFileSync(path.join(staticDir, name));
  return defineRoute(`GET /static/${name}`, { cache: publicCache(3600) }, async (ctx) => {
    ctx.type = type;
    ctx.body = body;
  });
}
