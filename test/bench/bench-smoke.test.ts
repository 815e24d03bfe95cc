/**
 * `npm run bench -- --smoke` end to end: a few seconds of every scenario with small counts, then the JSON
 * must hold every row with numbers. Timings are never asserted here (they belong to the full bench).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.ts';

describe('bench --smoke', () => {
  it('measures every scenario and writes them all as JSON', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-smoke-'));
    const out = path.join(dir, 'results.json');
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/bench/run.ts', '--smoke', '--out', out], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
      child.on('close', resolve);
    });
    expect(code).toBe(0);
    const result = JSON.parse(fs.readFileSync(out, 'utf8')) as {
      argon2: { verifyMedianMs: number; boundPerSecond: number };
      rows: { id: string; perSecond: number | null; p50: number | null; p99: number | null; cpuMsPerOp?: number; notBuilt?: boolean; errors: number; rssMb?: { total: number } }[];
    };
    fs.rmSync(dir, { recursive: true, force: true });
    expect(result.argon2.verifyMedianMs).toBeGreaterThan(0);
    const cores = os.availableParallelism();
    const workers = [...new Set([1, cores])];
    const expected = [
      ...workers.flatMap((w) => ['signin', 'introspection', 'status', 'client_credentials', 'refresh_token', 'discovery', 'jwks', 'memory'].map((id) => `${id}.w${w}`)),
      'bare.client_credentials', 'bare.refresh_token', `signin.w${cores}.a1000`, 'introspection.w1.a1000',
      `signin.pg.w${cores}`, 'client_credentials.pg.w1', 'refresh_token.pg.w1',
    ];
    const postgres = Boolean(process.env.IDP_BENCH_POSTGRES_URL || process.env.IDP_TEST_POSTGRES_URL);
    const byId = new Map(result.rows.map((r) => [r.id, r]));
    for (const id of expected) {
      const r = byId.get(id);
      expect(r, id).toBeDefined();
      // Only the PostgreSQL rows may be missing, and only when no PostgreSQL server is named.
      if (r!.notBuilt) {
        expect(id).toMatch(/\.pg\./);
        expect(postgres, `${id} should have been measured on PostgreSQL`).toBe(false);
        continue;
      }
      expect(r!.errors, id).toBe(0);
      for (const n of [r!.perSecond, r!.p50, r!.p99, r!.cpuMsPerOp]) expect(Number.isFinite(n), `${id}: ${JSON.stringify(r)}`).toBe(true);
      expect(r!.perSecond, id).toBeGreaterThan(0);
    }
    for (const w of workers) expect(byId.get(`memory.w${w}`)!.rssMb!.total).toBeGreaterThan(0);
  }, 240_000);
});
