/**
 * The popup and the options page in French: the browser's UI language is stubbed (`navigator.language`,
 * as lib/i18n reads it) and the real components are rendered to HTML. Checks that the sentences a person
 * reads are French, with French dates, and that no English sentence is left in them; English stays the
 * default (the other unit tests and the e2e journey read it).
 */
import { h } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { ActivityEntry, ApiKeySummary, DatabaseSummary, DeviceSummary } from '../../../shared/account-api.ts';
import { ActivityList } from '../../components/activity-list.tsx';
import { ApiKeyList } from '../../components/api-key-list.tsx';
import { DatabaseList } from '../../components/database-list.tsx';
import { DeviceList } from '../../components/device-list.tsx';
import { ErrorNotice } from '../../components/notice.tsx';
import { SecuritySummaryView } from '../../components/security-summary.tsx';
import { SignedOut } from '../../components/signed-out.tsx';
import { toErrorData } from '../../lib/errors.ts';
import { securityStatus } from '../../lib/status-fixture.test-helper.ts';
import { buildSecuritySummary } from '../../lib/security-summary.ts';
import { securityNotifications } from '../../lib/security-notifications.ts';
import { DEFAULT_NOTIFICATION_PREFS } from '../../lib/storage-items.ts';
import { OptionsApp } from '../options/App.tsx';
import { NotificationOptions } from '../options/notification-options.tsx';
import { App } from './App.tsx';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const day = 24 * 3600 * 1000;
const NBSP = '\u00a0';
const device = (id: string, current: boolean, firstSeenDaysAgo = 30): DeviceSummary => ({
  id, browser: 'Firefox 153', os: 'Linux', ip: '203.0.113.7', firstSeenAt: new Date(NOW - firstSeenDaysAgo * day).toISOString(), lastSeenAt: '2026-06-01T10:00:00Z', current, apps: [],
});
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&nbsp;/g, NBSP).replace(/&#39;|&apos;/g, "'").replace(/&quot;/g, '"').replace(/[ \t\r\n]+/g, ' ');

/** English words of the popup that must not be left in a French render. */
const ENGLISH = /\b(Sign in|Log out|Refresh|Summary|Databases|Devices|Loading|Rotate|Expires|this device|unknown IP|last seen|Open|Search|shown|wasn't|Show older|Manage|Turn it on|things to do|Checked and fine)\b/;

beforeEach(() => vi.stubGlobal('navigator', { ...globalThis.navigator, language: 'fr-CA', onLine: true }));
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('the popup in French', () => {
  it('renders the header, the tabs and the security summary in French', () => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    const status = securityStatus({ twoFactorEnabled: false, apiKeys: { total: 2, expiringWithin7Days: 1 } });
    const html = renderToString(h(App, { initialCached: { issuer: 'https://login.example.com', status, devices: [device('me', true), device('new', false, 1)], fetchedAt: NOW } }));
    const shown = text(html);
    for (const sentence of ['Actualiser', 'Se déconnecter', 'Résumé', 'Activité', 'Bases de données', 'Appareils', 'Clés d’API', '3 choses à faire', 'Activez l’authentification à deux facteurs.', 'Vérifiez 1 connexion depuis un nouvel appareil cette semaine.', 'Renouvelez 1 clé d’API qui expire dans les 7 jours.', 'Vérifié, rien à signaler', 'L’activer', '(ouvre le portail Latchkey)']) {
      expect(shown).toContain(sentence);
    }
    expect(html).toContain('aria-label="Sections du compte"');
    expect(shown).not.toMatch(ENGLISH);
  });

  it('words the summary, its plural forms and its time in French', () => {
    const summary = buildSecuritySummary({ ...securityStatus({ recoveryCodesLeft: 2 }), passkeys: 1 }, [device('me', true)], NOW);
    expect(summary.headline).toBe('1 chose à faire');
    expect(summary.items.map((item) => item.title)).toEqual([
      'Créez de nouveaux codes de récupération : il n’en reste que 2.'.replace(' :', `${NBSP}:`),
      'L’authentification à deux facteurs est activée.',
      'Votre adresse e-mail est confirmée.',
      'Aucune connexion depuis un nouvel appareil cette semaine.',
      '1 clé d’accès configurée.',
      'Aucune clé d’API n’expire cette semaine.',
    ]);
    const html = renderToString(h(SecuritySummaryView, { summary, email: 'ada@example.test', fetchedAt: NOW, portalHref: (path: string) => `https://login.example.com${path}`, onOpenPortal: () => undefined }));
    expect(text(html)).toContain(`ada@example.test · vérifié à ${new Date(NOW).toLocaleTimeString('fr-CA')}`);
    expect(html).toContain('aria-label="À faire"');
    expect(buildSecuritySummary(securityStatus(), null, NOW).headline).toBe('Votre compte est en bon état');
  });

  it('renders the activity, devices, databases and API keys panels in French', () => {
    const entry: ActivityEntry = { id: 'e1', at: '2026-06-01T10:00:00Z', kind: 'signin.failed', ip: null, device: null, app: null, detail: 'Connexion refusée' };
    const activity = text(renderToString(h(ActivityList, { entries: [entry], hasOlder: true, loadingOlder: false, onShowOlder: () => undefined, lockdownHref: () => 'https://login.example.com/my/security/lockdown?entry=e1', onLockdown: () => undefined })));
    for (const sentence of ['échec', 'Appareil inconnu', 'IP inconnue', 'Ce n’était pas moi', 'Afficher plus ancien', new Date(entry.at).toLocaleString('fr-CA')]) expect(activity).toContain(sentence);

    const devices = text(renderToString(h(DeviceList, { devices: [device('me', true), device('other', false)], busy: false, onLogoutOthers: () => undefined })));
    for (const sentence of ['Firefox 153 sur Linux', 'cet appareil', `vu pour la dernière fois le ${new Date('2026-06-01T10:00:00Z').toLocaleString('fr-CA')}`, 'Déconnecter les autres appareils']) expect(devices).toContain(sentence);

    const db: DatabaseSummary = { id: 'd1', name: 'acme', url: 'https://acme.example.test', role: 'owner', status: 'invited', login: 'ada', openUrl: 'https://acme.example.test/open' };
    const databases = renderToString(h(DatabaseList, { databases: [db], onOpen: () => undefined }));
    for (const sentence of ['Rechercher des bases de données', '1 bases de données affichées sur 1', 'invitation', 'connexion en tant que', 'Ouvrir']) expect(text(databases)).toContain(sentence);
    expect(databases).toContain('aria-label="Ouvrir acme"');
    expect(databases).toContain('placeholder="Nom, URL ou identifiant"');

    const key: ApiKeySummary = { id: 'k1', description: 'deploy', visibleId: 'lk_1', scope: 'read', databases: null, createdAt: '2026-01-01T00:00:00Z', expiresAt: '2026-06-03T00:00:00Z', lastUsedAt: null, lastUsedIp: null };
    const keys = renderToString(h(ApiKeyList, { keys: [key], busyKeyId: null, now: NOW, onRotate: () => undefined }));
    for (const sentence of ['toutes les bases de données', `Expire le ${new Date(key.expiresAt).toLocaleDateString('fr-CA')}`, '(bientôt)', 'Renouveler']) expect(text(keys)).toContain(sentence);
    expect(keys).toContain('aria-label="Renouveler deploy"');

    for (const html of [activity, devices, text(databases), text(keys)]) expect(html).not.toMatch(ENGLISH);
  });

  it('renders the signed-out view, errors and the notification switches in French', () => {
    const signedOut = text(renderToString(h(SignedOut, { issuer: 'https://login.example.com', hasPermission: false, busy: false, onSignIn: () => undefined, onOptions: () => undefined })));
    for (const sentence of ['Se connecter à Latchkey', 'Vous vous connecterez sur https://login.example.com .', 'Utiliser un autre serveur']) expect(signedOut).toContain(sentence);
    const error = text(renderToString(h(ErrorNotice, { error: toErrorData(new TypeError('fetch failed')), onRetry: () => undefined })));
    expect(error).toContain('Impossible de joindre le serveur Latchkey. Réessayer');
    const switches = text(renderToString(h(NotificationOptions, {})));
    for (const sentence of ['M’avertir quand', 'Un nouvel appareil se connecte à mon compte', 'Vérifié toutes les 15 minutes.']) expect(switches).toContain(sentence);
  });

  it('renders the options page in French', () => {
    // WXT's fake browser has no identity.getRedirectURL.
    vi.spyOn(fakeBrowser.identity, 'getRedirectURL').mockReturnValue('https://fidbdcnbmjdaepbknnhbpdanaoaiacmc.chromiumapp.org/');
    const shown = text(renderToString(h(OptionsApp, {})));
    for (const sentence of ['Options de Latchkey', 'URL du serveur Latchkey (IdP)', 'Par exemple https://login.example.com .', `Par défaut${NBSP}:`, 'Enregistrer', 'Pour les administrateurs', `Enregistrez ce client OAuth sur l’IdP${NBSP}:`, 'ID client', 'URI de redirection', 'M’avertir quand']) {
      expect(shown).toContain(sentence);
    }
    expect(shown).not.toMatch(/\b(Save|Default|For example|Notify me|Client ID|Redirect URI)\b/);
  });

  it('writes the desktop notifications in French', () => {
    const { notifications } = securityNotifications({
      prefs: DEFAULT_NOTIFICATION_PREFS,
      cursor: { warnedKeyIds: [], twoFactorWasOn: true },
      knownDeviceIds: ['me'],
      status: securityStatus({ twoFactorEnabled: false }),
      devices: [device('me', true), device('new', false, 0)],
      expiringKeys: [{ id: 'k1', description: 'deploy', visibleId: 'lk_1', scope: 'read', databases: null, createdAt: '2026-01-01T00:00:00Z', expiresAt: '2026-06-03T00:00:00Z', lastUsedAt: null, lastUsedIp: null }],
      now: NOW,
    });
    expect(notifications.map(({ title, message }) => ({ title, message }))).toEqual([
      { title: 'Nouvelle connexion à votre compte Latchkey', message: `Firefox 153 sur Linux (203.0.113.7). Ce n’est pas vous${NBSP}? Cliquez pour verrouiller votre compte.` },
      { title: 'Une clé d’API Latchkey expire bientôt', message: `«${NBSP}deploy${NBSP}» expire le ${new Date('2026-06-03T00:00:00Z').toLocaleDateString('fr-CA')}. Renouvelez-la avant que les scripts qui l’utilisent cessent de fonctionner.` },
      { title: 'L’authentification à deux facteurs a été désactivée', message: 'Votre compte Latchkey n’est plus protégé que par son mot de passe. Si ce n’est pas vous, cliquez pour la réactiver.' },
    ]);
  });
});

describe('the popup in English', () => {
  it('keeps its English wording for an English or untranslated browser language', () => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    for (const language of ['en-US', 'de-DE']) {
      vi.stubGlobal('navigator', { ...globalThis.navigator, language, onLine: false });
      const status = securityStatus({ twoFactorEnabled: false, apiKeys: { total: 2, expiringWithin7Days: 1 } });
      const shown = text(renderToString(h(App, { initialCached: { issuer: 'https://login.example.com', status, devices: [device('me', true), device('new', false, 1)], fetchedAt: NOW } })));
      for (const sentence of ['Refresh', 'Sign out', 'You are offline; showing the status saved earlier.', 'Summary', 'API keys', '3 things to do', 'Turn on two-factor authentication.', 'Check 1 sign-in on a new device this week.', 'Rotate 1 API key expiring within 7 days.', 'Checked and fine', 'Turn it on', '(opens the Latchkey portal)']) {
        expect(shown).toContain(sentence);
      }
    }
  });
});
