/**
 * The route table, read as a reviewer would: every route is listed with its guards below (a new or
 * changed route fails this test until it is listed and classified here), every state-changing route
 * has CSRF or the named bearer-token opt-out and an input schema, every account page is no-store, and
 * every route that changes credentials, sessions, keys or ownership asks for a recent sign-in. The
 * bad-input behaviour of every route is tested against the running IdP in test/e2e/route-table.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { createMatcher } from './http/route.ts';
import { describeRoute, routeTable } from './route-table.ts';

const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;
const unsafe = routeTable.filter((r) => r.method !== 'GET');

/** Routes that change credentials, sessions, keys or ownership: each must carry 'recent-sign-in'. */
const needsRecentSignIn = [
  'POST /my/account/email',
  'POST /my/security/password',
  'POST /my/security/2fa/start',
  'POST /my/security/2fa/disable',
  'POST /my/security/2fa/recovery-codes',
  'POST /my/security/devices/logout-others',
  'POST /my/security/devices/:id/logout',
  'POST /my/security/delete',
  'POST /my/databases/:id/transfer',
  'POST /my/databases/:id/secret',
  'POST /my/databases/:id/advanced',
  'POST /my/databases/:id/delete',
  'POST /my/security/api-keys/new',
  'POST /my/security/api-keys/:id/rotate',
  'POST /my/security/api-keys/:id/revoke',
  'POST /my/security/api-keys/developer-mode/off',
  'POST /api/v1/devices/logout-others',
  'POST /api/v1/api-keys/:id/rotate',
  'POST /my/security/passkeys/options',
  'POST /my/security/passkeys',
  'POST /my/security/passkeys/:id/delete',
  'POST /my/security/export',
  'DELETE /api/v1/api-keys/:id',
];

/**
 * The only signed-in routes an account whose email is not confirmed may use (issue 13): see its
 * address, resend the link, confirm it, change it, delete itself. Every other signed-in route carries
 * 'confirmed-email' (implied by 'signed-in').
 */
const openToUnconfirmed = [
  'GET /verify-email',
  'POST /verify-email',
  'GET /my/account',
  'POST /my/account/email',
  'POST /my/account/email/resend',
  'GET /my/account/email/confirm',
  'POST /my/account/email/confirm',
  'GET /my/security/delete',
  'POST /my/security/delete',
];

/** Every other state-changing route, with the reason it needs no recent sign-in. */
const noRecentSignIn: Record<string, string> = {
  'POST /interaction/:uid/login': 'this is the sign-in',
  'POST /interaction/:uid/second-factor': 'this is the sign-in',
  'POST /interaction/:uid/confirm': 'consent inside a sign-in',
  'POST /interaction/:uid/abort': 'cancels a sign-in',
  'POST /interaction/:uid/no-access': 'cancels a sign-in',
  'POST /interaction/:uid/passkey/options': 'a one-time challenge for the sign-in, the same for everyone (no email)',
  'POST /interaction/:uid/passkey': 'this is the sign-in',
  'POST /my/security/passkeys/reauth-options': 'a one-time challenge for re-authenticating itself',
  'POST /my/security/passkeys/:id/rename': 'a label only; no credential changes',
  'POST /signup': 'no account yet',
  'POST /language': 'only a cookie naming the language of signed-out pages',
  'POST /verify-email': 'proved by the mailed one-time token and the session of the account it was sent for',
  'POST /my/account/email/confirm': 'proved by the mailed one-time token (the change itself asked for a recent sign-in)',
  'POST /password/forgot': 'signed out; only mails a link',
  'POST /password/reset': 'signed out; proved by the mailed one-time token',
  'POST /my/account/details': 'name, language and time zone only',
  'POST /my/security/2fa/confirm': 'finishes the enrollment that /2fa/start (recent sign-in) began',
  'POST /my/security/2fa/forget-devices': 'only takes trust away: remembered devices are asked for a code again',
  'POST /my/databases': 'creates a database the account owns; no credential of an existing one changes',
  'POST /my/databases/:id/invite': 'membership, not ownership; the invitee must accept',
  'POST /my/databases/:id/members/:member/remove': 'only takes access away',
  'POST /my/databases/:id/leave': 'only takes access away',
  'POST /my/invitations/:id/accept': 'joins with the confirmed email the invitation names',
  'POST /my/invitations/:id/decline': 'only takes access away',
  'POST /my/security/api-keys/developer-mode': 'turns a setting on; adding a key asks for a recent sign-in',
  'POST /api/database/members': 'a database acting on its own members with a client-credentials token',
  'DELETE /api/database/members/:id': 'a database acting on its own members with a client-credentials token',
  'POST /my/security/lockdown': 'only takes access away, and the person may be unable to sign in again (issue 15: no recent sign-in)',
  'POST /lockdown': 'signed out; proved by the mailed one-time token; only takes access away',
  'POST /api/v1/lockdown': 'only takes access away; an access token only, never an API key',
  'POST /my/security/trusted-devices/:id/revoke': 'only takes trust away: that device is asked for a code again',
  'POST /my/security/apps/:clientId/sign-out': 'only takes access away from one database or app',
  'POST /my/account/email/resend': 'mails a new confirmation link to the address the account already has',
};

/** What only a database's owner may do in the portal: each must carry 'database-owner' before 'recent-sign-in'. */
const ownerOnly = [
  'POST /my/databases/:id/invite',
  'POST /my/databases/:id/members/:member/remove',
  'POST /my/databases/:id/transfer',
  'POST /my/databases/:id/secret',
  'POST /my/databases/:id/advanced',
  'POST /my/databases/:id/delete',
];

describe('route table', () => {
  it('declares the owner guard on every owner-only database action, before any password is asked', () => {
    for (const id of ownerOnly) {
      const route = routeTable.find((r) => key(r) === id);
      expect(route, id).toBeDefined();
      const names = route!.guards.map((g) => g.name);
      expect(names, id).toContain('database-owner');
      if (names.includes('recent-sign-in')) expect(names.indexOf('database-owner'), id).toBeLessThan(names.indexOf('recent-sign-in'));
    }
    // Every other state-changing route of a database page is one a member may use.
    const others = unsafe.filter((r) => r.path.startsWith('/my/databases/:id/') && !ownerOnly.includes(key(r)));
    expect(others.map(key)).toEqual(['POST /my/databases/:id/leave']);
  });

  it('lists every route with its guards', () => {
    expect(routeTable.map(describeRoute)).toEqual([
    'GET /interaction/:uid  interaction | csrf:token no-store',
    'POST /interaction/:uid/login  interaction | csrf:token no-store',
    'POST /interaction/:uid/second-factor  interaction | csrf:token no-store',
    'POST /interaction/:uid/confirm  interaction | csrf:token no-store',
    'POST /interaction/:uid/abort  interaction | csrf:token no-store',
    'POST /interaction/:uid/no-access  interaction | csrf:token no-store',
    'POST /interaction/:uid/passkey/options  interaction | csrf:token no-store',
    'POST /interaction/:uid/passkey  interaction | csrf:token no-store',
    'GET /my/login  | csrf:token no-store',
    'GET /my/callback  | csrf:token no-store',
    'GET /signup  | csrf:token no-store',
    'POST /signup  | csrf:token no-store',
    'GET /verify-email  signed-in unconfirmed-allowed | csrf:token no-store',
    'POST /verify-email  signed-in unconfirmed-allowed | csrf:token no-store',
    'GET /my/account  signed-in unconfirmed-allowed | csrf:token no-store',
    'POST /my/account/details  signed-in confirmed-email | csrf:token no-store',
    'POST /my/account/email  signed-in unconfirmed-allowed recent-sign-in | csrf:token no-store',
    'POST /my/account/email/resend  signed-in unconfirmed-allowed | csrf:token no-store',
    'GET /my/account/email/confirm  signed-in unconfirmed-allowed | csrf:token no-store',
    'POST /my/account/email/confirm  signed-in unconfirmed-allowed | csrf:token no-store',
    'GET /my/security  signed-in confirmed-email | csrf:token no-store',
    'POST /my/security/password  signed-in confirmed-email recent-sign-in | csrf:token no-store',
    'POST /my/security/2fa/start  signed-in confirmed-email recent-sign-in | csrf:token no-store',
    'POST /my/security/2fa/confirm  signed-in confirmed-email | csrf:token no-store',
    'POST /my/security/2fa/disable  signed-in confirmed-email recent-sign-in | csrf:token no-store',
    'POST /my/security/2fa/recovery-codes  signed-in confirmed-email recent-sign-in | csrf:token no-store',
    'POST /my/security/2fa/forget-devices  signed-in confirmed-email | csrf:token no-store',
    'POST /my/security/devices/logout-others  signed-in confirmed-email recent-sign-in | csrf:token no-store',
    'POST /my/security/devices/:id/logout  signed-in confirmed-email recent-sign-in | csrf:token no-store',
    'GET /my/security/delete  signed-in unconfirmed-allowed | csrf:token no-store',
    'POST /my/security/delete  signed-in unconfirmed-allowed recent-sign-in | csrf:token no-store',
    'GET /password/forgot  | csrf:token no-store',
    'POST /password/forgot  | csrf:token no-store',
    'GET /password/reset  | csrf:token no-store',
    'POST /password/reset  | csrf:token no-store',
    'POST /my/security/passkeys/options  signed-in confirmed-email recent-sign-in | csrf:token no-store',
    'POST /my/security/passkeys/reauth-options  signed-in confirmed-email | csrf:token no-store',
    'POST /my/security/passkeys  signed-in confirmed-email recent-sign-in | csrf:token no-store',
    'POST /my/security/passkeys/:id/rename  signed-in confirmed-email | csrf:token no-store',
    'POST /my/security/passkeys/:id/delete  signed-in confirmed-email recent-sign-in | csrf:token no-store',
    'GET /static/passkeys.js  | csrf:token public:3600',
    'GET /my/security/activity  signed-in confirmed-email | csrf:token no-store',
    'GET /my/security/lockdown  signed-in confirmed-email | csrf:token no-store',
    'POST /my/security/lockdown  signed-in confirmed-email | csrf:token no-store',
    'GET /lockdown  | csrf:token no-store',
    'POST /lockdown  | csrf:token no-store',
    'GET /my/security/trusted-devices  signed-in confirmed-email | csrf:token no-store',
    'POST /my/security/trusted-devices/:id/revoke  signed-in confirmed-email | csrf:token no-store',
    'GET /my/security/apps  signed-in confirmed-email | csrf:token no-store',
    'POST /my/security/apps/:clientId/sign-out  signed-in confirmed-email | csrf:token no-store',
    'GET /my/security/export  signed-in confirmed-email | csrf:token no-store',
    'POST /my/security/export  signed-in confirmed-email recent-sign-in | csrf:token no-store',
    'GET /my/databases  signed-in confirmed-email | csrf:token no-store',
    'POST /my/databases  signed-in confirmed-email | csrf:token no-store',
    'GET /my/databases/:id  signed-in confirmed-email | csrf:token no-store',
    'POST /my/databases/:id/invite  signed-in confirmed-email database-owner | csrf:token no-store',
    'POST /my/databases/:id/members/:member/remove  signed-in confirmed-email database-owner | csrf:token no-store',
    'POST /my/databases/:id/transfer  signed-in confirmed-email database-owner recent-sign-in | csrf:token no-store',
    'POST /my/databases/:id/secret  signed-in confirmed-email database-owner recent-sign-in | csrf:token no-store',
    'POST /my/databases/:id/advanced  signed-in confirmed-email database-owner recent-sign-in | csrf:token no-store',
    'POST /my/databases/:id/delete  signed-in confirmed-email database-owner recent-sign-in | csrf:token no-store',
    'POST /my/databases/:id/leave  signed-in confirmed-email | csrf:token no-store',
    'GET /my/invitations  signed-in confirmed-email | csrf:token no-store',
    'POST /my/invitations/:id/accept  signed-in confirmed-email | csrf:token no-store',
    'POST /my/invitations/:id/decline  signed-in confirmed-email | csrf:token no-store',
    'GET /api/database/members  database-token:members:read | csrf:authorization-header no-store',
    'POST /api/database/members  database-token:members:write | csrf:authorization-header no-store',
    'DELETE /api/database/members/:id  database-token:members:write | csrf:authorization-header no-store',
    'GET /static/api-key-copy.js  | csrf:token public:3600',
    'GET /my/security/api-keys  signed-in confirmed-email | csrf:token no-store',
    'POST /my/security/api-keys/new  signed-in confirmed-email recent-sign-in | csrf:token no-store',
    'POST /my/security/api-keys/:id/rotate  signed-in confirmed-email recent-sign-in | csrf:token no-store',
    'POST /my/security/api-keys/:id/revoke  signed-in confirmed-email recent-sign-in | csrf:token no-store',
    'POST /my/security/api-keys/developer-mode  signed-in confirmed-email | csrf:token no-store',
    'GET /my/security/api-keys/developer-mode/off  signed-in confirmed-email | csrf:token no-store',
    'POST /my/security/api-keys/developer-mode/off  signed-in confirmed-email recent-sign-in | csrf:token no-store',
    'GET /api/v1/status  api-caller:read api-reach:not-database-limited | csrf:authorization-header no-store',
    'GET /api/v1/databases  api-caller:read | csrf:authorization-header no-store',
    'GET /api/v1/devices  api-caller:read api-reach:account | csrf:authorization-header no-store',
    'POST /api/v1/devices/logout-others  api-caller:write api-reach:account json-body recent-sign-in | csrf:authorization-header no-store',
    'GET /api/v1/api-keys  api-caller:read | csrf:authorization-header no-store',
    'POST /api/v1/api-keys/:id/rotate  api-caller:write recent-sign-in | csrf:authorization-header no-store',
    'DELETE /api/v1/api-keys/:id  api-caller:write recent-sign-in | csrf:authorization-header no-store',
    'GET /api/v1/activity  api-caller:read api-reach:account | csrf:authorization-header no-store',
    'POST /api/v1/lockdown  api-caller:write api-reach:account json-body | csrf:authorization-header no-store',
    'POST /language  | csrf:token no-store',
    'GET /static/portal.css  | csrf:token public:3600',
    'GET /  | csrf:token no-store',
    'GET /healthz  | csrf:token no-store',
    'GET /readyz  | csrf:token no-store',
    ]);
  });

  it('declares each method and path once', () => {
    expect(new Set(routeTable.map(key)).size).toBe(routeTable.length);
  });

  it('protects every state-changing route with CSRF, or names the bearer-token opt-out', () => {
    for (const route of unsafe) {
      if (route.csrf.kind === 'token') continue;
      expect(route.csrf.kind, key(route)).toBe('authorization-header');
      expect(route.csrf.why.length, key(route)).toBeGreaterThan(20);
      // The opt-out is for callers that authenticate by header: such a route has a guard that checks it.
      expect(route.guards.some((g) => g.name.startsWith('api-caller:') || g.name.startsWith('database-token:')), key(route)).toBe(true);
    }
  });

  it('gives every state-changing route an input schema', () => {
    for (const route of unsafe) {
      expect(Boolean(route.input.body ?? route.input.params), key(route)).toBe(true);
      if (route.method === 'POST') expect(route.input.body, key(route)).toBeDefined();
    }
  });

  it('validates every route param by a schema', () => {
    for (const route of routeTable.filter((r) => r.path.includes(':'))) {
      // The interaction uid is checked against oidc-provider's own record by the interaction guard.
      if (route.guards.some((g) => g.name === 'interaction')) continue;
      expect(route.input.params, key(route)).toBeDefined();
    }
  });

  it('never lets an account page or an API answer be cached', () => {
    for (const route of routeTable.filter((r) => r.path.startsWith('/my/') || r.path.startsWith('/api/') || r.path.startsWith('/interaction/'))) {
      expect(route.cache.kind, key(route)).toBe('no-store');
    }
    expect(routeTable.filter((r) => r.cache.kind !== 'no-store').map(key)).toEqual(['GET /static/passkeys.js', 'GET /static/api-key-copy.js', 'GET /static/portal.css']);
  });

  it('asks for a recent sign-in before a change of credentials, sessions, keys or ownership', () => {
    for (const path of needsRecentSignIn) {
      const route = routeTable.find((r) => key(r) === path);
      expect(route, path).toBeDefined();
      expect(route!.guards.map((g) => g.name), path).toContain('recent-sign-in');
    }
  });

  it('classifies every state-changing route: recent sign-in, or a stated reason not to', () => {
    for (const route of unsafe) {
      const listed = needsRecentSignIn.includes(key(route));
      const exempt = key(route) in noRecentSignIn;
      expect(listed !== exempt, `${key(route)} must be in exactly one list`).toBe(true);
      if (exempt) expect(route.guards.map((g) => g.name), key(route)).not.toContain('recent-sign-in');
    }
    expect(Object.keys(noRecentSignIn).every((k) => unsafe.some((r) => key(r) === k))).toBe(true);
  });

  it('lets an unconfirmed account use only the named allow-list: every other signed-in route needs a confirmed email', () => {
    const signedIn = routeTable.filter((r) => r.guards.some((g) => g.name === 'signed-in'));
    for (const route of signedIn) {
      const names = route.guards.map((g) => g.name);
      const open = openToUnconfirmed.includes(key(route));
      expect(names, key(route)).toContain(open ? 'unconfirmed-allowed' : 'confirmed-email');
      expect(names, key(route)).not.toContain(open ? 'confirmed-email' : 'unconfirmed-allowed');
      // Checked right after the session is known, before anything else of the route runs.
      expect(names.indexOf(open ? 'unconfirmed-allowed' : 'confirmed-email'), key(route)).toBe(names.indexOf('signed-in') + 1);
    }
    expect(signedIn.filter((r) => r.guards.some((g) => g.name === 'unconfirmed-allowed')).map(key)).toEqual(openToUnconfirmed);
    // Nothing but the portal session carries the exemption.
    expect(routeTable.filter((r) => r.guards.some((g) => g.name === 'unconfirmed-allowed') && !signedIn.includes(r))).toEqual([]);
  });

  it('runs the recent sign-in after the guard that says who is asking', () => {
    for (const route of routeTable) {
      const names = route.guards.map((g) => g.name);
      const at = names.indexOf('recent-sign-in');
      if (at === -1) continue;
      expect(names.slice(0, at).some((n) => n === 'signed-in' || n.startsWith('api-caller:')), key(route)).toBe(true);
    }
  });
});

describe('matcher', () => {
  const match = createMatcher(routeTable);

  it('finds our routes, with decoded params; HEAD is served by GET', () => {
    expect(match('/my/security/devices/abc/logout', 'POST')).toMatchObject({ kind: 'route', match: { params: { id: 'abc' } } });
    expect(match('/my/security/devices/a%00/logout', 'POST')).toMatchObject({ kind: 'route', match: { params: { id: 'a\u0000' } } });
    expect(match('/my/security/devices/logout-others', 'POST')).toMatchObject({ kind: 'route', match: { route: { path: '/my/security/devices/logout-others' } } });
    expect(match('/my/account', 'HEAD')).toMatchObject({ kind: 'route' });
  });

  it('ignores case and one trailing slash, as the router before it did', () => {
    expect(match('/my/account/', 'GET')).toMatchObject({ kind: 'route' });
    expect(match('/MY/Account', 'GET')).toMatchObject({ kind: 'route' });
  });

  it('knows our paths with another method (405) and leaves the rest to oidc-provider', () => {
    expect(match('/my/account', 'DELETE')).toEqual({ kind: 'wrong-method' });
    expect(match('/api/v1/api-keys/key_x', 'POST')).toEqual({ kind: 'wrong-method' });
    for (const path of ['/auth', '/token', '/jwks', '/session/end', '/.well-known/openid-configuration', '/my/security/devices//logout']) {
      expect(match(path, 'GET'), path).toEqual({ kind: 'none' });
    }
  });
});
