import { describe, expect, it } from 'vitest';
import { checkIdpServer, parseIdpUrl } from './idp-check.ts';

const json = (body: unknown, status = 200) => async () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('parseIdpUrl', () => {
  it('normalises a good URL and refuses typos and other schemes with a sentence', () => {
    expect(parseIdpUrl(' https://login.example.com/ ')).toEqual({ ok: true, issuer: 'https://login.example.com' });
    expect(parseIdpUrl('login example')).toMatchObject({ ok: false, message: expect.stringContaining('is not a web address') });
    expect(parseIdpUrl('ftp://login.example.com')).toMatchObject({ ok: false, message: expect.stringContaining('https://') });
    expect(parseIdpUrl('')).toMatchObject({ ok: false, message: expect.stringContaining('Enter the address') });
  });
});

describe('checkIdpServer', () => {
  const issuer = 'https://login.example.com';
  it('accepts an IdP whose discovery names itself', async () => {
    const fetch = json({ issuer, authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token` });
    expect(await checkIdpServer(issuer, fetch)).toEqual({ ok: true, issuer });
  });

  it('tells a silent server from a server that is not an IdP', async () => {
    expect(await checkIdpServer(issuer, async () => Promise.reject(new TypeError('NetworkError')))).toMatchObject({ message: expect.stringContaining('Nothing answered at https://login.example.com') });
    expect(await checkIdpServer(issuer, json({ error: 'not found' }, 404))).toMatchObject({ message: expect.stringContaining('is not a Latchkey server') });
    expect(await checkIdpServer(issuer, async () => new Response('<html>hello</html>'))).toMatchObject({ message: expect.stringContaining('has no OpenID configuration') });
    expect(await checkIdpServer(issuer, json({ issuer: 'https://other.example.com', authorization_endpoint: 'x', token_endpoint: 'y' }))).toMatchObject({ message: expect.stringContaining('calls itself https://other.example.com') });
  });
});
