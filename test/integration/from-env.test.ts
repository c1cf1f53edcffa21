// --from-env in a lab pod: the app's own environment names its dependencies; podreach checks exactly those,
// says which variable each came from, and no output mode carries the password.
import { describe, expect, it } from 'vitest';
import { NODE, withLab } from '../lab/lab.ts';
import { REDIS } from '../lab/scenarios.ts';
import { sweepSchemaErrors } from './schema.ts';

const BUNDLE = new URL('../../dist/podreach.mjs', import.meta.url).pathname;
const PASSWORD = 'pw-from-the-app-env';
const APP_ENV = [
  `DATABASE_URL=mysql://app:${PASSWORD}@${REDIS}:3306/orders`,
  `REDIS_HOST=${REDIS}`,
  'REDIS_PORT=6379',
  `SHOP_JDBC_URL=jdbc:postgresql://ecs.lab.internal:5432/shop?user=app&password=${PASSWORD}`,
  // What Kubernetes and the runtime put there: not dependencies.
  'KUBERNETES_SERVICE_HOST=10.247.0.1',
  'KUBERNETES_SERVICE_PORT=443',
  'CACHE_SERVICE_HOST=10.247.3.4',
  'CACHE_PORT=tcp://10.247.3.4:6379',
  'LOG_LEVEL=debug',
];

describe('podreach diagnose --from-env, in a lab pod', () => {
  it('exactly the DSN, the REDIS_HOST/REDIS_PORT pair and the JDBC URL; no password in json, text or junit', async () => {
    await withLab('tunnel-ok', async (lab) => {
      const run = (output: string) =>
        lab.exec('pod', ['env', '-i', `PATH=${process.env.PATH}`, 'HOME=/nonexistent', ...APP_ENV, NODE, BUNDLE, 'diagnose', '--from-env', '--no-api', '-o', output], { timeoutMs: 30_000 });
      const json = await run('json');
      const sweep = JSON.parse(json.stdout) as { reports: { target: { input: string; host: string; port: number; from: string } }[] };
      expect(sweepSchemaErrors(sweep)).toEqual([]);
      expect(sweep.reports.map((r) => [r.target.input, r.target.from])).toEqual([
        [`mysql://app:***@${REDIS}:3306/orders`, 'env DATABASE_URL'],
        [`${REDIS}:6379`, 'env REDIS_HOST + REDIS_PORT'],
        ['postgres://ecs.lab.internal:5432', 'env SHOP_JDBC_URL'],
      ]);
      expect(sweep.reports[2]?.target.host).toBe('ecs.lab.internal');
      const text = await run('text');
      expect(text.stdout).toMatch(/^mysql:\/\/app:\*\*\*@\S+ .* env DATABASE_URL$/m);
      const junit = await run('junit');
      expect(junit.stdout).toContain('<testcase name="postgres://ecs.lab.internal:5432"');
      for (const out of [json, text, junit]) {
        expect(out.code, out.stderr).toBeLessThan(2);
        expect(out.stdout + out.stderr).not.toContain(PASSWORD);
      }
      // No stray dependency from the noise.
      expect(JSON.stringify(sweep.reports.map((r) => r.target))).not.toMatch(/10\.247\./);
    });
  });
});
