import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { requestIdOf } from './request-context.ts';
import { limitName } from '../security/rate-limit-metrics.ts';
import { prettyLine } from '../log.ts';

const request = (id?: string) => ({ headers: id === undefined ? {} : { 'x-request-id': id } }) as unknown as http.IncomingMessage;

describe('request ids', () => {
  it('takes a well-formed X-Request-Id only from a trusted proxy, else makes one', () => {
    expect(requestIdOf(request('edge-1234.abc:9'), true)).toBe('edge-1234.abc:9');
    expect(requestIdOf(request('edge-1234'), false)).toMatch(/^[0-9a-f-]{36}$/);
    for (const bad of ['', 'two words', 'x'.repeat(129), 'a\nb', '<script>']) expect(requestIdOf(request(bad), true)).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdOf(request(), true)).not.toBe(requestIdOf(request(), true));
  });
});

describe('rate-limit names', () => {
  it('keeps the key family and a known scope, never the email, id or address after them', () => {
    expect(limitName('signin:ip:203.0.113.0/24')).toBe('signin:ip');
    expect(limitName('signin:account-ip:ada@example.com:203.0.113.7:60')).toBe('signin:account-ip');
    expect(limitName('2fa:account:acct_123')).toBe('2fa:account');
    expect(limitName('reset:ada@example.com')).toBe('reset');
    expect(limitName('change_email:acct_123')).toBe('change_email');
    expect(limitName('Weird Key!:ip')).toBe('other:ip');
  });
});

describe('the pretty log format', () => {
  it('writes the line the IdP always wrote, with the fields after it and a stack below', () => {
    expect(prettyLine('{"level":"info","time":"t","pid":1,"msg":"IdP listening on http://localhost:3000"}')).toBe('[idp] IdP listening on http://localhost:3000\n');
    expect(prettyLine('{"level":"warn","time":"t","msg":"request","reqId":"r1","route":"/my/login","status":200,"note":"two words"}'))
      .toBe('[idp] WARN: request reqId=r1 route=/my/login status=200 note="two words"\n');
    expect(prettyLine('{"level":"info","reqId":"r2","route":"/my/login","method":"GET","status":302,"durationMs":17.3,"msg":"request"}'))
      .toBe('[idp] GET /my/login 302 17.3 ms req=r2\n');
    expect(prettyLine('{"level":"error","msg":"failed","err":{"type":"Error","message":"boom","stack":"Error: boom\\n    at here"}}'))
      .toBe('[idp] ERROR: failed\nError: boom\n    at here\n');
  });
});
