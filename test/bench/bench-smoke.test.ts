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
      rows: {
        id: string; workers: number; perSecond: number | null; p50: number | null; p99: number | null; cpuMsPerOp?: number; pgCpuMsPerOp?: number; notBuilt?: boolean; errors: number;
        rssMb?: { total: number; perProcess: number[] }; startupMs?: number; checks?: { target: string; measured: string; met: boolean }[];
      }[];
    };
    fs.rmSync(dir, { recursive: true, force: true });
    expect(result.argon2.verifyMedianMs).toBeGreaterThan(0);
    const cores = os.availableParallelism();
    const workers = [...new Set([1, cores])];
    const expected = [
      ...workers.flatMap((w) => ['signin', 'introspection', 'status', 'client_credentials', 'refresh_token', 'discovery', 'jwks', 'memory'].map((id) => `${id}.w${w}`)),
      'bare.client_credentials', 'bare.refresh_token', 'bare.signin', `signin.w${cores}.a1000`, 'introspection.w1.a1000',
      ...workers.map((w) => `signin.pg.w${w}`), 'client_credentials.pg.w1', 'refresh_token.pg.w1', 'signin.pg.x2', 'client_credentials.pg.x2',
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
      if (id.includes('.pg.')) expect(Number.isFinite(r!.pgCpuMsPerOp), `${id}: PostgreSQL's own CPU`).toBe(true);
    }
    for (const w of workers) expect(byId.get(`memory.w${w}`)!.rssMb!.total).toBeGreaterThan(0);
    // Start-up both ways (the bench builds dist/ when it is stale), with RSS per process.
    for (const id of workers.flatMap((w) => [`startup.tsx.w${w}`, `startup.compiled.w${w}`])) {
      const r = byId.get(id);
      expect(r, id).toBeDefined();
      expect(r!.notBuilt, id).toBeFalsy();
      expect(r!.startupMs, id).toBeGreaterThan(0);
      expect(r!.rssMb!.perProcess.length, id).toBe(r!.workers > 1 ? r!.workers + 1 : 1);
    }
    // Every target of issue 16 is judged (met or missed) beside its reference.
    const judged = (id: string) => byId.get(id)?.checks ?? [];
    for (const id of [`signin.w1`, `signin.w${cores}`, 'client_credentials.w1', 'refresh_token.w1', 'introspection.w1', ...workers.map((w) => `memory.w${w}`)]) {
      expect(judged(id).length, `${id} is judged`).toBeGreaterThan(0);
      for (const c of judged(id)) expect(typeof c.met, `${id}: ${c.target}`).toBe('boolean');
    }
    expect(judged(`signin.w${cores}`).map((c) => c.target)).toEqual(expect.arrayContaining([expect.stringContaining('CPU'), expect.stringContaining('ops/s')]));
    if (cores > 1) expect(judged(`memory.w${cores}`).map((c) => c.target)).toContain('≤ 60 MB primary');
  }, 240_000);
});
