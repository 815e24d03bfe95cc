/**
 * Route declarations: every route of ours is a value (method, path, guards, input schemas, handler) that
 * the route table lists and one matcher dispatches. Invariants a declaration cannot forget:
 *
 * - CSRF: checked on every state-changing method unless the route names the one opt-out
 *   (`authorizationHeader(why)`, for APIs authenticated by an Authorization header, see csrf.ts).
 * - Caching: every answer is `Cache-Control: no-store` unless the route opts into `publicCache(seconds)`
 *   (static assets).
 * - Guards are declared, never wrapped by hand in a handler. They run in two phases: `access` guards
 *   (signed in, API caller, ...) before the input is read; `confirm` guards (recent sign-in) after it,
 *   so a malformed form is answered before anyone is asked for a password.
 * - Input: body, query and route params are parsed by the route's zod schemas before the handler runs;
 *   a failure is a 4xx with the schema's sentence (params use `paramsError`, e.g. `not_found`).
 * - Form errors: a route with `rerender` draws its own page again with the message of any 4xx thrown
 *   once the access guards passed; the error handler does that (error-handler.tsx), not the handler.
 * - Implied guards: a guard may bring others with it (`implies`), inserted right after it unless the
 *   route lists a guard that `exempts` them by name. So `signed-in` brings `confirmed-email`, and only a
 *   route that names the exemption (`unconfirmed-allowed(why)`) goes without it: the default is safe.
 */
import type { z } from 'zod';
import { AppError, type ErrorCode } from '../errors.ts';
import type { AppContext, RouteDeps } from './context.ts';
import { csrfToken, type CsrfCheck, type CsrfPolicy } from './csrf.ts';
import { parseInput } from './validate.ts';

export type Method = 'GET' | 'POST' | 'DELETE';
const METHODS: readonly Method[] = ['GET', 'POST', 'DELETE'];

export interface Guard {
  /** Stable name the route-table test reads: 'signed-in', 'recent-sign-in', 'api-caller:write', ... */
  readonly name: string;
  readonly phase: 'access' | 'confirm';
  /**
   * True to go on; false when the guard answered the request itself (a redirect to sign in, the
   * re-authentication page). Throws an AppError to refuse.
   */
  readonly check: (ctx: AppContext, deps: RouteDeps) => Promise<boolean>;
  /** Guards that come with this one (inserted right after it) unless the route exempts them. */
  readonly implies?: readonly Guard[];
  /** Names of implied guards this one stands in for: listing it is the route's named exemption. */
  readonly exempts?: readonly string[];
}

export function defineGuard(name: string, check: Guard['check'], phase: Guard['phase'] = 'access', more: { implies?: readonly Guard[]; exempts?: readonly string[] } = {}): Guard {
  return { name, phase, check, ...more };
}

/** The route's guards with the implied ones inserted after the guard that implies them (see the header). */
function withImpliedGuards(guards: readonly Guard[]): Guard[] {
  const exempt = new Set(guards.flatMap((g) => g.exempts ?? []));
  const listed = new Set(guards.map((g) => g.name));
  return guards.flatMap((g) => [g, ...(g.implies ?? []).filter((i) => !exempt.has(i.name) && !listed.has(i.name))]);
}

export type CachePolicy = { kind: 'no-store' } | { kind: 'public'; maxAgeSeconds: number };
export const noStore: CachePolicy = { kind: 'no-store' };
/** The named opt-out of `no-store`, for assets that hold nothing personal. */
export function publicCache(maxAgeSeconds: number): CachePolicy {
  return { kind: 'public', maxAgeSeconds };
}

export interface InputSchemas {
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
}
type Parsed<S> = S extends z.ZodType ? z.infer<S> : undefined;
export interface RouteInput<I extends InputSchemas> {
  body: Parsed<I['body']>;
  query: Parsed<I['query']>;
  params: Parsed<I['params']>;
}

export type Rerender<I extends InputSchemas> = (ctx: AppContext, error: AppError, input: Partial<RouteInput<I>>, deps: RouteDeps) => Promise<void> | void;

/** What a declaration names besides its method, path and handler (`defineRoute(target, options, handler)`). */
export interface RouteOptions<I extends InputSchemas> {
  guards?: readonly Guard[];
  input?: I;
  /** The error a params schema failure becomes (default `invalid_input`, 400), with the schema's sentence. */
  paramsError?: ErrorCode;
  csrf?: CsrfPolicy;
  cache?: CachePolicy;
  /**
   * Draws this route's page again with the message of a 4xx. `input` holds the parts that parsed (a
   * refused body leaves `input.body` undefined). The answer takes the error's status unless the rerender
   * sets another non-200 one. Rethrow the error to show the generic error page instead.
   */
  rerender?: Rerender<NoInfer<I>>;
}

export type Handler<I extends InputSchemas> = (ctx: AppContext, input: RouteInput<I>, deps: RouteDeps) => Promise<void>;

/**
 * `'METHOD /path'`: the method, one space, then a Koa-style path (literal segments and `:name` params;
 * matching ignores case and one trailing slash).
 */
export type RouteTarget = `${Method} /${string}`;

export interface Route {
  readonly method: Method;
  readonly path: string;
  readonly guards: readonly Guard[];
  readonly input: InputSchemas;
  readonly paramsError: ErrorCode;
  readonly csrf: CsrfPolicy;
  readonly cache: CachePolicy;
  readonly rerender?: Rerender<InputSchemas>;
  readonly handler: (ctx: AppContext, input: RouteInput<InputSchemas>, deps: RouteDeps) => Promise<void>;
}

/**
 * A route in the shape of node-oidc-provider's `initialize_app.js` and Fastify's `post(path, options,
 * handler)`: `defineRoute('POST /my/security/2fa/disable', { guards, input }, async (ctx) => { … })`, so
 * the first line of every declaration reads as a line of the route table.
 */
export function defineRoute(target: RouteTarget, handler: Handler<Record<never, never>>): Route;
export function defineRoute<I extends InputSchemas = Record<never, never>>(target: RouteTarget, options: RouteOptions<I>, handler: Handler<I>): Route;
export function defineRoute<I extends InputSchemas>(target: RouteTarget, optionsOrHandler: RouteOptions<I> | Handler<I>, maybeHandler?: Handler<I>): Route {
  const [options, handler] = typeof optionsOrHandler === 'function' ? [{} as RouteOptions<I>, optionsOrHandler] : [optionsOrHandler, maybeHandler!];
  const space = target.indexOf(' ');
  const method = target.slice(0, space) as Method;
  if (!METHODS.includes(method) || target[space + 1] !== '/') throw new Error(`defineRoute: "${target}" is not "METHOD /path"`);
  return {
    method,
    path: target.slice(space + 1),
    guards: withImpliedGuards(options.guards ?? []),
    input: options.input ?? {},
    paramsError: options.paramsError ?? 'invalid_input',
    csrf: options.csrf ?? csrfToken,
    cache: options.cache ?? noStore,
    rerender: options.rerender as Rerender<InputSchemas> | undefined,
    handler: handler as Route['handler'],
  };
}

/**
 * Parses the route's input into `into`, params first, then query, then body; what parsed stays there
 * for `rerender` when a later part fails. A params failure takes the route's `paramsError` code.
 */
export function readInput(ctx: AppContext, route: Route, params: Record<string, string>, into: Partial<RouteInput<InputSchemas>>): RouteInput<InputSchemas> {
  const { input } = route;
  if (input.params) {
    try {
      into.params = parseInput(input.params, params);
    } catch (error) {
      if (error instanceof AppError && route.paramsError !== error.code) throw new AppError(route.paramsError, error.key, { params: error.params, fields: error.fields });
      throw error;
    }
  }
  if (input.query) into.query = parseInput(input.query, ctx.query);
  if (input.body) into.body = parseInput(input.body, ctx.request.body);
  return into as RouteInput<InputSchemas>;
}

/** One compiled route path. */
interface Compiled {
  route: Route;
  pattern: RegExp;
  names: string[];
}

export interface Match {
  route: Route;
  params: Record<string, string>;
}

export type MatchResult = { kind: 'route'; match: Match } | { kind: 'wrong-method' } | { kind: 'none' };

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * The one matcher: given a path and a method, our route, or "our path, another method" (405), or
 * not ours (oidc-provider's). HEAD is served by GET routes. The first declaration that matches wins,
 * so a literal path listed before a `:param` one of the same shape takes precedence.
 */
export function createMatcher(routes: readonly Route[]): (pathname: string, method: string) => MatchResult {
  const compiled: Compiled[] = routes.map((route) => {
    const names: string[] = [];
    const source = route.path.split('/').map((segment) => {
      if (segment.startsWith(':')) {
        names.push(segment.slice(1));
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }).join('/');
    return { route, names, pattern: new RegExp(`^${source}/?$`, 'i') };
  });
  return function match(pathname, method) {
    const wanted = method === 'HEAD' ? 'GET' : method;
    let pathKnown = false;
    for (const { route, pattern, names } of compiled) {
      const found = pattern.exec(pathname);
      if (!found) continue;
      pathKnown = true;
      if (route.method !== wanted) continue;
      const params: Record<string, string> = {};
      names.forEach((name, i) => { params[name] = decode(found[i + 1]!); });
      return { kind: 'route', match: { route, params } };
    }
    return pathKnown ? { kind: 'wrong-method' } : { kind: 'none' };
  };
}

/**
 * Runs a matched route: CSRF, caching headers, access guards, input, confirm guards, handler. Errors
 * go to the error handler around it (which re-renders the form when `ctx.state.rerender` is set).
 */
export function routeRunner(deps: RouteDeps, csrf: CsrfCheck) {
  return async function runRoute(ctx: AppContext, { route, params }: Match): Promise<void> {
    ctx.state.routeParams = params;
    csrf(ctx, route.csrf);
    if (route.cache.kind === 'no-store') {
      ctx.set('Cache-Control', 'no-store');
      ctx.set('Pragma', 'no-cache');
    } else {
      ctx.set('Cache-Control', `public, max-age=${route.cache.maxAgeSeconds}`);
    }
    for (const guard of route.guards) {
      if (guard.phase === 'access' && !await guard.check(ctx, deps)) return;
    }
    const input: Partial<RouteInput<InputSchemas>> = {};
    const { rerender } = route;
    if (rerender) ctx.state.rerender = (error) => rerender(ctx, error, input, deps);
    readInput(ctx, route, params, input);
    for (const guard of route.guards) {
      if (guard.phase === 'confirm' && !await guard.check(ctx, deps)) return;
    }
    await route.handler(ctx, input as RouteInput<InputSchemas>, deps);
  };
}

/** The body must be JSON (`message` says what to send); a form-encoded body is refused before it is read. */
export function jsonBody(message: string): Guard {
  return defineGuard('json-body', async (ctx) => {
    if (!ctx.is('application/json')) throw new AppError('bad_request', message);
    return true;
  });
}
