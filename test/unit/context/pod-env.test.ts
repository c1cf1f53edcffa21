// The pod spec → environment resolution (kubelet's order and $(VAR) expansion) and what --from-env makes of
// it: each target with the variable and object it came from, never a password.
import { describe, expect, it } from 'vitest';
import { dependenciesFromEnv, mergeDependencies } from '../../../src/context/deps.ts';
import type { ContainerSpec } from '../../../src/kube/objects.ts';
import { containerEnv, decodeSecretData, envObjectNames, expand } from '../../../src/kube/pod-env.ts';
import { parseTarget } from '../../../src/probe/target.ts';

const PW = 's3cr3t-Pw';
const app: ContainerSpec = {
  name: 'app',
  envFrom: [{ configMapRef: { name: 'shop-config' } }, { prefix: 'LEGACY_', configMapRef: { name: 'old-config' } }, { secretRef: { name: 'shop-env' } }],
  env: [
    { name: 'REDIS_HOST', value: '10.1.0.7' },
    { name: 'REDIS_PORT', value: '6379' },
    { name: 'DATABASE_URL', valueFrom: { configMapKeyRef: { name: 'shop-config', key: 'database-url' } } },
    { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'shop-db', key: 'password' } } },
    { name: 'ORDERS_DSN', value: 'mysql://app:$(DB_PASSWORD)@orders.internal:3306/orders' },
    { name: 'PRICE', value: '$$(NOT_EXPANDED) $(UNDEFINED) $(REDIS_HOST)' },
    { name: 'NODE_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
    { name: 'FEATURES_URL', valueFrom: { configMapKeyRef: { name: 'shop-config', key: 'absent', optional: true } } },
  ],
};
const configmap = {
  'shop-config': { 'database-url': `postgres://app:${PW}@pg.internal:5432/shop`, CACHE_ADDR: 'memcached.internal:11211', REDIS_PORT: '1111', 'bad key': 'x' },
  'old-config': { API_URL: 'http://legacy-api.internal:8080' },
};

describe('containerEnv: kubelet order', () => {
  it('envFrom first (with prefix; invalid keys skipped), env[] wins, $(VAR) from above, $$ escapes', () => {
    const { env, unread } = containerEnv(app, { configmap, secret: {} });
    expect(env.get('REDIS_PORT')).toEqual({ value: '6379' }); // env[] over envFrom
    expect(env.get('CACHE_ADDR')).toEqual({ value: 'memcached.internal:11211', via: 'configmap shop-config key CACHE_ADDR' });
    expect(env.get('LEGACY_API_URL')?.via).toBe('configmap old-config key API_URL');
    expect(env.has('bad key')).toBe(false);
    expect(env.get('DATABASE_URL')?.via).toBe('configmap shop-config key database-url');
    expect(env.get('ORDERS_DSN')?.value).toBe('mysql://app:$(DB_PASSWORD)@orders.internal:3306/orders'); // secret not read
    expect(env.get('PRICE')?.value).toBe('$(NOT_EXPANDED) $(UNDEFINED) 10.1.0.7');
    expect(env.has('NODE_IP')).toBe(false);
    expect(env.has('FEATURES_URL')).toBe(false); // optional, absent: unset, not a complaint
    expect(unread).toEqual([
      { name: '*', kind: 'secret', object: 'shop-env' },
      { name: 'DB_PASSWORD', kind: 'secret', object: 'shop-db' },
    ]);
  });

  it('with the Secrets: decoded, and a $(VAR) that pulls a password in', () => {
    const secret = { 'shop-db': decodeSecretData({ password: Buffer.from(PW).toString('base64') }), 'shop-env': {} };
    const { env, unread } = containerEnv(app, { configmap, secret });
    expect(unread).toEqual([]);
    expect(env.get('ORDERS_DSN')?.value).toBe(`mysql://app:${PW}@orders.internal:3306/orders`);
  });

  it('what to read: ConfigMaps always, Secrets only when asked', () => {
    expect(envObjectNames([app], false)).toEqual({ configmap: ['old-config', 'shop-config'], secret: [] });
    expect(envObjectNames([app], true)).toEqual({ configmap: ['old-config', 'shop-config'], secret: ['shop-db', 'shop-env'] });
  });

  it.each([
    ['$(A)', 'a'],
    ['$(A)$(B)', 'a$(B)'],
    ['$$(A)', '$(A)'],
    ['$$$(A)', '$a'],
    ['$(A', '$(A'],
    ['a$', 'a$'],
    ['$x', '$x'],
    ['$()', '$()'],
  ])('expand %s → %s', (input, out) => {
    expect(expand(input, (n) => (n === 'A' ? 'a' : undefined))).toBe(out);
  });
});

describe('--from-env over a pod spec', () => {
  const secret = { 'shop-db': { password: PW }, 'shop-env': {} };
  const { env } = containerEnv(app, { configmap, secret });
  const values = Object.fromEntries([...env].map(([k, v]) => [k, v.value]));
  const via = (n: string) => (env.get(n)?.via ? `${n} (${env.get(n)?.via})` : n);
  const deps = dependenciesFromEnv(values, 'pod default/shop container app env', via);

  it('each target with its variable and object; no password', () => {
    expect(deps).toEqual([
      { input: 'memcached.internal:11211', from: 'pod default/shop container app env CACHE_ADDR (configmap shop-config key CACHE_ADDR)' },
      { input: 'postgres://app:***@pg.internal:5432/shop', from: 'pod default/shop container app env DATABASE_URL (configmap shop-config key database-url)' },
      { input: 'http://legacy-api.internal:8080', from: 'pod default/shop container app env LEGACY_API_URL (configmap old-config key API_URL)' },
      { input: 'mysql://app:***@orders.internal:3306/orders', from: 'pod default/shop container app env ORDERS_DSN' },
      { input: '10.1.0.7:6379', from: 'pod default/shop container app env REDIS_HOST + REDIS_PORT' },
    ]);
    expect(JSON.stringify(deps)).not.toContain(PW);
  });

  it('merged with this container: each target once, the pod first', () => {
    const local = dependenciesFromEnv({ REDIS_ADDR: '10.1.0.7:6379', KAFKA_ADDR: 'kafka:9092' });
    expect(mergeDependencies(deps, local).map((d) => d.from.replace(/ \(.*/, ''))).toEqual([...deps.map((d) => d.from.replace(/ \(.*/, '')), 'env KAFKA_ADDR']);
  });
});

describe('passwords that URL rules trip over', () => {
  it.each([
    [`mysql://app:p@ss${PW}@db.internal:3306/x`, 'mysql://app:***@db.internal:3306/x'], // @ in the password
    [`mysql://app:12/${PW}@db.internal:3306/x`, 'mysql://app:***@db.internal:3306/x'], // / in the password
    [`redis://:${PW}@cache.internal:6379`, 'redis://:***@cache.internal:6379'],
    ['http://api.internal/users?email=a@b.example', 'http://api.internal/users?email=a@b.example'], // no credential
  ])('%s → %s', (value, shown) => {
    const [d] = dependenciesFromEnv({ APP_URL: value });
    expect(d?.input).toBe(shown);
    expect(() => parseTarget(d?.input ?? '')).not.toThrow();
  });

  it('a credential variable is never a target, even when its value looks like host:port', () => {
    expect(dependenciesFromEnv({ DB_PASSWORD: 'admin:1234', API_TOKEN: 'tok.example:443', DB_PASS: 'x:22', REDIS_ADDR: 'cache:6379' })).toEqual([{ input: 'cache:6379', from: 'env REDIS_ADDR' }]);
  });
});
