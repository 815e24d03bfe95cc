/** The answer to a form that worked. */
import type { AppContext } from './context.ts';

/** 303 See Other: the browser GETs `to`, so reloading that page does not send the form again. */
export function seeOther(ctx: AppContext, to: string): void {
  ctx.status = 303;
  ctx.redirect(to);
}
