/**
 * Smoke test of the built extension in real headless Chromium against the in-memory fake IdP
 * (extension/lib/fake-idp.test-helper.ts served over HTTP): sign in through launchWebAuthFlow,
 * DPoP-bound token exchange, popup rendering of status, databases, devices and API keys.
 *
 *   LATCHKEY_E2E_HOSTS='http://127.0.0.1/*' npx wxt build && node extension/testing/smoke.ts
 */
import type { Browser } from 'webextension-polyfill';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFakeIdp } from '../lib/fake-idp.test-helper.ts';
import { launchChromiumWithExtension, type LaunchedExtension } from './chromium.ts';
import { smokeFixtures } from './smoke-fixtures.ts';

function serveFakeIdp(): Promise<{ issuer: string; idp: ReturnType<typeof createFakeIdp>; close: () => void }> {
  let idp: ReturnType<typeof createFakeIdp>;
  const server = http.createServer(async (req, res) => {
    const url = `${issuer}${req.url}`;
    if (new URL(url).pathname === '/auth') {
      try {
        res.writeHead(302, { location: idp.authorize(url) }).end();
      } catch (error) {
        res.writeHead(400).end(String(error));
      }
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    if (req.headers.dpop) headers.DPoP = String(req.headers.dpop);
    if (req.headers.authorization) headers.Authorization = req.headers.authorization;
    try {
      const response = await idp.fetch(url, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks).toString() : undefined });
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch (error) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_dpop_proof', message: String(error) }));
    }
  });
  let issuer = '';
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      idp = createFakeIdp({ issuer, fixtures: smokeFixtures });
      resolve({ issuer, idp, close: () => server.close() });
    }),
  );
}

async function popupText(ext: LaunchedExtension, action?: (page: import('puppeteer-core').Page) => Promise<void>) {
  const page = await ext.openPage('popup.html');
  await page.waitForSelector('[role=tablist], .signed-out', { timeout: 10_000 });
  if (action) await action(page);
  const text = await page.evaluate(() => document.body.innerText);
  await page.close();
  return text;
}

function check(condition: unknown, message: string) {
  console.log(`${condition ? 'ok  ' : 'FAIL'} ${message}`);
  if (!condition) process.exitCode = 1;
}

const { issuer, idp, close } = await serveFakeIdp();
const ext = await launchChromiumWithExtension();
try {
  await ext.evaluate((url) => (globalThis as unknown as { chrome: Browser }).chrome.storage.local.set({ idpUrl: url }), issuer);
  check(ext.extensionId === 'fidbdcnbmjdaepbknnhbpdanaoaiacmc', `stable extension id ${ext.extensionId}`);

  const signedOut = await popupText(ext);
  check(signedOut.includes('Sign in to Latchkey'), 'popup shows the signed-out view');

  const page = await ext.openPage('popup.html');
  await page.waitForSelector('.signed-out button.primary');
  await page.click('.signed-out button.primary');
  await page.waitForSelector('[role=tablist]', { timeout: 15_000 });
  await page.waitForSelector('#summary-headline', { timeout: 10_000 });
  const security = await page.evaluate(() => document.body.innerText);
  check(security.includes('ada@example.test') && security.includes('Turn on two-factor authentication.') && /\d+ things? to do/.test(security), 'security summary rendered after sign-in');
  check(idp.state.tokenRequests[0]?.get('grant_type') === 'authorization_code', 'code exchanged with DPoP proof and PKCE');
  await page.setViewport({ width: 400, height: 560 });
  await page.screenshot({ path: '/tmp/latchkey-security.png' });

  await page.click('#tab-databases');
  await page.waitForFunction(() => document.body.innerText.includes('orders-prod'));
  await page.type('input[type=search]', 'analytics');
  const databases = await page.evaluate(() => document.body.innerText);
  check(databases.includes('analytics') && !databases.includes('orders-prod'), 'database search filters the list');

  await page.click('#tab-devices');
  await page.waitForFunction(() => document.body.innerText.includes('this device'));
  await page.click('button.danger');
  await page.waitForSelector('.confirm button.danger');
  await page.click('.confirm button.danger');
  await page.waitForFunction(() => document.body.innerText.includes('Logged out 2 other devices'));
  check(true, 'log out other devices with confirmation');

  await page.click('#tab-keys');
  await page.waitForFunction(() => document.body.innerText.includes('CI deploy'));
  await page.click('button[aria-label^="Rotate"]');
  await page.click('.rotate button[type=submit]');
  await page.waitForSelector('#new-secret');
  check((await page.$eval('#new-secret', (el) => (el as HTMLInputElement).value)) === 'lk_new_secret_value', 'rotated key secret shown once');

  const badge = await ext.evaluate(() => (globalThis as unknown as { chrome: Browser }).chrome.action.getBadgeText({}), null);
  check(badge === '!', `badge shows "!" for 2FA off (got "${badge}")`);
  const apiProofs = idp.state.apiRequests.filter((r) => typeof r.proof.ath === 'string').length;
  check(apiProofs === idp.state.apiRequests.length && apiProofs > 0, `every API call carried a DPoP proof with ath (${apiProofs})`);
  await page.screenshot({ path: '/tmp/latchkey-popup.png' });
} finally {
  await ext.close();
  close();
}
