/**
 * Import rules of idp/src (issue 12): no cycles; domain services stay free of the HTTP edge; the HTTP
 * edge and storage know no feature. `npm run lint:deps` checks them (CI runs it after the type check).
 *
 * "Domain services" are the files directly in a feature folder (accounts, security, databases, activity,
 * apikeys, account-api), not its routes/. Type-only imports count too: a type from http/ in a service
 * is the same coupling as a value.
 */
const DOMAIN = '^idp/src/(accounts|security|databases|apikeys|account-api|activity)/[^/]+$';
const FEATURE = '^idp/src/(accounts|security|databases|apikeys|account-api|activity|oidc|portal)/';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'An import cycle ties modules so that neither can be read, tested or built without the other.',
      from: { path: '^idp/src/' },
      to: { circular: true },
    },
    {
      name: 'domain-not-http',
      severity: 'error',
      comment: 'Domain services never see Koa, the HTTP edge, portal pages, UI or routes: routes call them, not the reverse.',
      from: { path: DOMAIN, pathNot: '\\.test\\.tsx?$' },
      to: { path: ['(^|/)node_modules/(koa|@koa)/', '^idp/src/(http|portal|ui)/', '/routes/'] },
    },
    {
      name: 'http-not-features',
      severity: 'error',
      comment: 'http/ is the generic edge: it never imports a feature, portal/ or the composition root.',
      from: { path: '^idp/src/http/' },
      to: { path: [FEATURE, '^idp/src/services\\.ts$'] },
    },
    {
      name: 'storage-not-features',
      severity: 'error',
      comment: 'storage/ holds engines and adapters; features build on it, never the reverse.',
      from: { path: '^idp/src/storage/' },
      to: { path: [FEATURE, '^idp/src/(http|ui|mail|cli)/', '^idp/src/services\\.ts$'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Our sources, and the packages a rule names (Koa); node_modules may be a symlink, keep its path.
    includeOnly: ['^idp/src/', '(^|/)node_modules/(koa|@koa)/'],
    preserveSymlinks: true,
    // TypeScript 7 has no JavaScript compiler API: swc parses TypeScript for dependency-cruiser.
    parser: 'swc',
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.d.ts'],
    },
  },
};
