// Property tests for every parser of user and API input: whatever comes in, a parser returns a value or
// throws UsageError with one printable line (the CLI's exit 2); never another exception. Seeded, in-process.
// Reproduce a failure with the seed and path fast-check prints; PODREACH_FC_SEED picks another seed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { budget, collect, nonEmpty, patience, wholeNumber } from '../../../src/cli/args.ts';
import { oneLine, UsageError } from '../../../src/cli/errors.ts';
import { envFacts, flagFacts } from '../../../src/context/flags.ts';
import { MAX_VPC_CIDRS } from '../../../src/context/types.ts';
import type { PodContext } from '../../../src/context/types.ts';
import { cidrFacts } from '../../../src/diagnose/cidr.ts';
import { detect } from '../../../src/kube/detect.ts';
import { KUBE_SYSTEM_CONFIGMAPS, type ClusterReads } from '../../../src/kube/objects.ts';
import { inCidr, isIp, normalizeCidr } from '../../../src/net/ip.ts';
import { parseTarget } from '../../../src/probe/target.ts';

const RUNS = 10_000;
const params = { seed: Number(process.env.PODREACH_FC_SEED ?? 20261206), numRuns: RUNS };
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** The contract: a value, or a UsageError whose message is one printable line. */
function valueOrUsageError<T>(parse: () => T): T | UsageError {
  try {
    return parse();
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    if (e.message === '' || CONTROL.test(e.message)) throw new Error(`not one printable line: ${JSON.stringify(e.message)}`);
    return e;
  }
}

// Pieces people (and shells) put into addresses, ports and CIDRs, glued at random: reaches the parsers'
// corners far more often than uniform strings do.
const TOKENS = [
  '0', '1', '10', '127', '172', '192', '168', '255', '256', '999', '65535', '65536', '99999999999999999999', '010', '0x1f', '1e3',
  '.', '..', ':', '::', '/', '//', '://', '[', ']', '@', '?', '#', '%', '-', '_', '+', ',', ' ', '\t', '\n', '\r', '\0', '\x1b[31m',
  '\u2028', '\x85', '\x7f', 'ffff', 'fe80', '::ffff:', 'a', 'Z', 'db', 'internal', 'http', 'https', 'redis', 'tcp', 'mysql', 'x-y',
  'é', '雪', '😀', '\ud800', '/0', '/8', '/16', '/24', '/32', '/33', '/64', '/128', '/-1', '/', 'auto', 'vpc', 'eni', 'tunnel', 'TUNNEL',
];
const soup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 14 }).map((a) => a.join(''));
const text = fc.oneof(soup, fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'grapheme-ascii', maxLength: 40 }));
const ip = fc.oneof(fc.ipV4(), fc.ipV6(), fc.ipV4Extended());
const cidrText = fc.oneof(
  fc.tuple(fc.ipV4(), fc.integer({ min: -1, max: 34 })).map(([a, n]) => `${a}/${n}`),
  fc.tuple(fc.ipV6(), fc.integer({ min: -1, max: 130 })).map(([a, n]) => `${a}/${n}`),
  ip,
  text,
);
const targetText = fc.oneof(
  text,
  ip,
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.tuple(fc.constantFrom('http', 'redis', 'tcp', 'mysql', 'weird+x', '1x', ''), fc.oneof(fc.domain(), ip, text), fc.oneof(fc.integer({ min: -1, max: 70_000 }).map(String), text))
    .map(([s, h, p]) => `${s}://${h}:${p}`),
  fc.tuple(fc.oneof(fc.domain(), fc.ipV4()), fc.integer({ min: -1, max: 70_000 })).map(([h, p]) => `${h}:${p}`),
  fc.tuple(fc.ipV6(), fc.integer({ min: -1, max: 70_000 })).map(([h, p]) => `[${h}]:${p}`),
);
const optional = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });

describe('parseTarget (TARGET and --port)', () => {
  it(`returns a target or a one-line UsageError (${RUNS} inputs)`, () => {
    fc.assert(
      fc.property(targetText, optional(fc.oneof(fc.integer({ min: -5, max: 70_000 }), fc.double())), (input, port) => {
        const t = valueOrUsageError(() => parseTarget(input, port));
        if (t instanceof UsageError) return;
        expect(t.host).not.toBe('');
        if (t.port !== undefined) expect(Number.isInteger(t.port) && t.port >= 1 && t.port <= 65535).toBe(true);
        expect(t.ip === undefined || isIp(t.ip) || t.ip.includes('%')).toBe(true);
        expect(CONTROL.test(t.host)).toBe(false);
      }),
      params,
    );
  });
});

describe('CIDRs and CIDR lists', () => {
  it(`normalizeCidr: a canonical CIDR or null, never an exception; canonical is a fixed point (${RUNS} inputs)`, () => {
    fc.assert(
      fc.property(cidrText, (s) => {
        const n = normalizeCidr(s);
        if (n !== null) expect(normalizeCidr(n)).toBe(n);
      }),
      params,
    );
  });

  it(`normalizeCidr of ADDRESS/BITS keeps ADDRESS inside (${RUNS} inputs)`, () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), (a, bits) => {
        const n = normalizeCidr(`${a}/${bits}`);
        expect(n).not.toBeNull();
        expect(inCidr(a, n as string)).toBe(true);
      }),
      params,
    );
  });

  it(`--vpc-cidr lists: deduplicated, canonical, in order, at most ${MAX_VPC_CIDRS}; or a one-line UsageError (${RUNS} lists)`, () => {
    const piece = fc.oneof({ weight: 4, arbitrary: fc.tuple(fc.ipV4(), fc.integer({ min: 8, max: 32 })).map(([a, n]) => `${a}/${n}`) }, { weight: 1, arbitrary: cidrText });
    const list = fc.oneof(fc.array(piece, { maxLength: 8 }), fc.array(piece, { minLength: 250, maxLength: 300 }));
    fc.assert(
      fc.property(list, (items) => {
        const given = collect(items.join(','));
        const r = valueOrUsageError(() => flagFacts({ vpcCidr: given }));
        if (r instanceof UsageError) return;
        const got = r.vpcCidrs?.value ?? [];
        const want = [...new Set(given.map((c) => normalizeCidr(c)))];
        expect(got).toEqual(want);
        expect(got.length).toBeLessThanOrEqual(MAX_VPC_CIDRS);
      }),
      { ...params, numRuns: RUNS / 20 },
    );
    // and many short ones: the common case
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 6 }), (items) => {
        valueOrUsageError(() => flagFacts({ vpcCidr: collect(items.join(',')) }));
      }),
      params,
    );
  });

  it(`cidrFacts never throws on a context the flags accepted (${RUNS / 10} contexts)`, () => {
    const flags = fc.record({
      podIp: optional(ip),
      nodeIp: optional(ip),
      containerCidr: optional(cidrText),
      serviceCidr: optional(cidrText),
      vpcCidr: optional(fc.array(cidrText, { maxLength: 5 })),
      networkModel: optional(fc.constantFrom('tunnel', 'vpc', 'eni', 'auto')),
    });
    fc.assert(
      fc.property(flags, optional(ip), (f, target) => {
        const ctx = valueOrUsageError(() => flagFacts(f));
        if (ctx instanceof UsageError) return;
        cidrFacts(target, ctx as PodContext);
      }),
      { ...params, numRuns: RUNS / 10 },
    );
  });
});

describe('flag and environment values', () => {
  const value = fc.oneof(text, ip, cidrText, fc.constantFrom('', ' ', ',', 'tunnel', 'VPC', 'auto'));
  const flags = fc.record(
    {
      podIp: value,
      nodeIp: value,
      containerCidr: value,
      serviceCidr: value,
      networkModel: value,
      vpcCidr: fc.array(value, { maxLength: 4 }).map((vs) => collect(vs.join(','))),
    },
    { requiredKeys: [] },
  );

  it(`flagFacts: facts or a one-line UsageError; an empty flag is always an error (${RUNS} sets)`, () => {
    fc.assert(
      fc.property(flags, (f) => {
        const r = valueOrUsageError(() => flagFacts(f));
        const empty = Object.values(f).some((v) => (Array.isArray(v) ? v.some((x) => x.trim() === '') : (v as string).trim() === ''));
        if (empty) expect(r).toBeInstanceOf(UsageError);
      }),
      params,
    );
  });

  it(`envFacts: facts or a one-line UsageError; an empty variable is unset (${RUNS} environments)`, () => {
    const names = ['PODREACH_POD_IP', 'PODREACH_NODE_IP', 'PODREACH_CONTAINER_CIDR', 'PODREACH_VPC_CIDR', 'PODREACH_SERVICE_CIDR', 'PODREACH_NETWORK_MODEL', 'POD_IP', 'NODE_IP', 'HOST_IP'];
    const env = fc.dictionary(fc.constantFrom(...names), value, { maxKeys: names.length });
    fc.assert(
      fc.property(env, (e) => {
        const r = valueOrUsageError(() => envFacts(e));
        if (r instanceof UsageError) return;
        const blank = names.filter((n) => e[n] !== undefined && e[n].trim() === '');
        const all = { ...r.env, ...r.downward };
        for (const f of Object.values(all)) expect(f?.note && blank.some((n) => f.note?.startsWith(n) && n.startsWith('PODREACH_'))).toBeFalsy();
      }),
      params,
    );
  });

  it(`option parsers (--port, --timeout, --kubeconfig…, --vpc-cidr pieces) (${RUNS} values each)`, () => {
    fc.assert(
      fc.property(fc.oneof(text, fc.nat().map(String), fc.bigInt().map(String)), (v) => {
        const n = valueOrUsageError(() => wholeNumber('--port')(v));
        if (!(n instanceof UsageError)) expect(String(n) === v.replace(/^0+(?=\d)/, '')).toBe(true);
        const b = valueOrUsageError(() => budget(v));
        if (!(b instanceof UsageError)) expect(b >= 200 && b <= 60_000).toBe(true);
        const w = valueOrUsageError(() => patience(v));
        if (w instanceof UsageError) expect(w.message).toMatch(/^--patience: [^\n]+$/);
        else expect(w >= 1 && w <= 20_000).toBe(true);
        const s = valueOrUsageError(() => nonEmpty('--context')(v));
        expect(s instanceof UsageError).toBe(v.trim() === '');
        expect(collect(v)).toHaveLength(v.split(',').length);
      }),
      params,
    );
  });

  it('oneLine: no control character survives, and printable text is left alone', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => {
        expect(CONTROL.test(oneLine(s))).toBe(false);
        if (!CONTROL.test(s)) expect(oneLine(s)).toBe(s);
      }),
      params,
    );
  });
});

describe('Kubernetes API answers (src/kube/detect.ts): any string the API returns is survivable', () => {
  const jsonText = fc.oneof(
    text,
    fc.json({ maxDepth: 3 }),
    fc.constantFrom('null', '[]', '{}', '[null]', '"x"', '1'),
    fc.record({ ipv4Info: optional(fc.record({ subnet: optional(cidrText) })) }).map((o) => JSON.stringify([o])),
    fc.record({ type: fc.constantFrom('eni-neutron', 'bridge'), args: optional(fc.oneof(fc.record({ cidr: cidrText }), fc.jsonValue())) }).map((o) => JSON.stringify(o)),
    fc.record({ Network: optional(cidrText), Backend: optional(fc.record({ Type: text })) }).map((o) => JSON.stringify(o)),
    fc.array(cidrText, { maxLength: 4 }).map((l) => JSON.stringify({ nonMasqueradeCIDRs: l })),
    fc.array(cidrText, { maxLength: 4 }).map((l) => `nonMasqueradeCIDRs:\n${l.map((c) => `  - ${c}`).join('\n')}`),
    fc.array(cidrText, { maxLength: 4 }).map((l) => `nonMasqueradeCIDRs: [${l.join(', ')}]`),
    cidrText.map((c) => `clusterCIDR: "${c}"`),
  );
  const ok = <T>(a: fc.Arbitrary<T>) => a.map((value) => ({ ok: true as const, value }));
  const strings = (keys: string[]) => fc.dictionary(fc.constantFrom(...keys, 'other'), jsonText, { maxKeys: keys.length + 1 });
  const meta = (keys: string[]) => fc.record({ name: optional(text), namespace: optional(text), labels: optional(strings(keys)), annotations: optional(strings(keys)) });
  const podKeys = ['cni.yangtse.io/network-status', 'yangtse.io/security-group-ids', 'yangtse.io/pod-with-eip', 'vpc.amazonaws.com/pod-eni', 'app'];
  const nodeKeys = ['cce.cloud.com/cce-nodepool', 'eks.amazonaws.com/nodegroup', 'cloud.google.com/gke-nodepool', 'kubernetes.azure.com/podnetwork-type', 'kubernetes.azure.com/agentpool'];
  const dsNames = ['aws-node', 'cilium', 'calico-node', 'kube-flannel-ds', 'ip-masq-agent', 'yangtse-cilium', 'other'];
  const cmKeys = ['config.conf', 'config', 'ip-masq-agent', 'calico_backend', 'routing-mode', 'tunnel', 'enable-ipv4-masquerade', 'ipv4-native-routing-cidr', 'cluster-pool-ipv4-cidr', 'net-conf.json'];
  const reads: fc.Arbitrary<ClusterReads> = fc.record(
    {
      namespace: text,
      pod: ok(fc.record({ metadata: meta(podKeys), spec: fc.record({ nodeName: optional(text) }), status: fc.record({ podIP: optional(fc.oneof(ip, text)), hostIP: optional(fc.oneof(ip, text)), podIPs: optional(fc.array(fc.record({ ip: optional(text) }))) }) })),
      node: ok(fc.record({ metadata: meta(nodeKeys), spec: fc.record({ podCIDR: optional(cidrText), providerID: optional(fc.oneof(text, fc.constantFrom('aws://x', 'gce://y', 'azure://z'))) }), status: fc.record({ addresses: optional(fc.array(fc.record({ type: fc.constantFrom('InternalIP', 'Hostname'), address: optional(fc.oneof(ip, text)) }), { maxLength: 3 })), nodeInfo: optional(fc.record({ kubeletVersion: optional(text) })) }) })),
      daemonSets: ok(fc.array(fc.record({ metadata: fc.record({ name: fc.constantFrom(...dsNames) }), spec: fc.record({ template: fc.record({ spec: fc.record({ containers: fc.array(fc.record({ name: fc.constantFrom('aws-node', 'x'), env: fc.array(fc.record({ name: fc.constantFrom('AWS_VPC_K8S_CNI_EXTERNALSNAT', 'AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS'), value: optional(fc.oneof(fc.constant('true'), jsonText)) }), { maxLength: 2 }) }), { maxLength: 2 }) }) }) }) }), { maxLength: 4 })),
      configMaps: fc.dictionary(fc.constantFrom(...KUBE_SYSTEM_CONFIGMAPS), ok(fc.record({ metadata: meta([]), data: optional(strings(cmKeys)) })), { maxKeys: KUBE_SYSTEM_CONFIGMAPS.length }),
      nads: ok(fc.array(fc.record({ metadata: meta([]), spec: fc.record({ config: optional(jsonText) }) }), { maxLength: 2 })),
      ipPools: ok(fc.array(fc.record({ metadata: meta([]), spec: fc.record({ cidr: optional(cidrText), ipipMode: optional(text), vxlanMode: optional(text), natOutgoing: optional(fc.boolean()), disabled: optional(fc.boolean()) }) }), { maxLength: 2 })),
      kubernetesService: ok(fc.record({ spec: fc.record({ clusterIP: optional(fc.oneof(ip, text)) }) })),
    },
    { requiredKeys: ['namespace', 'configMaps'] },
  );

  // One API string at a time, each into the one parser that reads it: cheap, so every case counts.
  const ds = (name: string, env: { name: string; value?: string }[] = []) => ({ ok: true as const, value: [{ metadata: { name }, spec: { template: { spec: { containers: [{ name, env }] } } } }] });
  const cms = (name: string, data: Record<string, string>) => ({ [name]: { ok: true as const, value: { metadata: { name }, data } } });
  const one = (t: string, s: string): ClusterReads => {
    const base: ClusterReads = { namespace: 'default', configMaps: {} };
    switch (t) {
      case 'network-status':
        return { ...base, pod: { ok: true, value: { metadata: { name: 'p', annotations: { 'cni.yangtse.io/network-status': s } }, status: { podIP: '10.0.0.5' } } } };
      case 'nad':
        return { ...base, nads: { ok: true, value: [{ metadata: { name: 'n' }, spec: { config: s } }] } };
      case 'flannel':
        return { ...base, daemonSets: ds('kube-flannel-ds'), configMaps: cms('kube-flannel-cfg', { 'net-conf.json': s }) };
      case 'ip-masq-agent':
        return { ...base, configMaps: cms('ip-masq-agent', { config: s }) };
      case 'kube-proxy':
        return { ...base, configMaps: { ...cms('kube-proxy', { 'config.conf': s }), ...cms('kube-proxy-config', { config: s }) } };
      case 'cilium':
        return { ...base, daemonSets: ds('cilium'), configMaps: cms('cilium-config', { 'routing-mode': s, 'ipv4-native-routing-cidr': s, 'cluster-pool-ipv4-cidr': s, 'enable-ipv4-masquerade': 'false' }) };
      case 'calico':
        return { ...base, daemonSets: ds('calico-node'), ipPools: { ok: true, value: [{ metadata: { name: 'p' }, spec: { cidr: s, natOutgoing: true } }] }, pod: { ok: true, value: { status: { podIP: s } } } };
      case 'aws-node':
        return { ...base, daemonSets: ds('aws-node', [{ name: 'AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS', value: s }]) };
      default: // the node and the kubernetes Service: addresses and CIDRs as strings
        return {
          ...base,
          node: { ok: true, value: { metadata: { name: 'n', labels: { 'cce.cloud.com/cce-nodepool': 'x' } }, spec: { podCIDR: s, providerID: s }, status: { addresses: [{ type: 'InternalIP', address: s }] } } },
          pod: { ok: true, value: { status: { podIP: s, hostIP: s } } },
          kubernetesService: { ok: true, value: { spec: { clusterIP: s } } },
        };
    }
  };
  const kinds = ['network-status', 'nad', 'flannel', 'ip-masq-agent', 'kube-proxy', 'cilium', 'calico', 'aws-node', 'node'];

  it(`detect(): each string parser of API objects survives any string (${RUNS} strings)`, () => {
    fc.assert(
      fc.property(fc.constantFrom(...kinds), fc.oneof(jsonText, cidrText), (kind, s) => {
        detect(one(kind, s));
      }),
      params,
    );
  });

  it(`detect(): whole clusters of random objects (${RUNS / 10} clusters)`, () => {
    fc.assert(
      fc.property(reads, (r) => {
        const d = detect(r);
        for (const c of [d.facts.containerCidr?.value, ...(d.facts.nonMasqueradeCidrs?.value ?? [])]) {
          if (c !== undefined) expect(typeof c).toBe('string');
        }
      }),
      { ...params, numRuns: RUNS / 10 },
    );
  });
});
