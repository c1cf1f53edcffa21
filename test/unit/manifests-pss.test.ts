// Every pod podreach ships or creates, checked against Pod Security Standards "restricted" (which includes
// "baseline"), as the Kubernetes docs list the rules (policy version v1.33). The one exception is the
// node-probe pod: it must say so in its podreach.io/pod-security annotation and break no other rule.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { probePodManifest } from '../../src/kube/node-probe.ts';
import { makePlan } from '../../src/probe/plan.ts';
import { parseTarget } from '../../src/probe/target.ts';
import { RULES, violations } from '../support/pod-security.ts';

type Obj = Record<string, any>;
interface Pod {
  where: string;
  meta: Obj;
  spec: Obj;
}

/** Pod templates of every workload kind a manifest may hold. */
function podsOf(doc: Obj, where: string): Pod[] {
  const kind = doc?.kind;
  if (kind === 'Pod') return [{ where, meta: doc.metadata ?? {}, spec: doc.spec }];
  if (kind === 'CronJob') return [{ where, meta: doc.spec.jobTemplate.spec.template.metadata ?? {}, spec: doc.spec.jobTemplate.spec.template.spec }];
  if (['Job', 'Deployment', 'DaemonSet', 'StatefulSet', 'ReplicaSet'].includes(kind)) return [{ where, meta: doc.spec.template.metadata ?? {}, spec: doc.spec.template.spec }];
  return [];
}

const MANIFESTS = join(import.meta.dirname, '..', '..', 'manifests');
const shipped: Pod[] = readdirSync(MANIFESTS)
  .filter((f) => /\.ya?ml$/.test(f))
  .flatMap((f) => (loadAll(readFileSync(join(MANIFESTS, f), 'utf8')) as Obj[]).flatMap((d) => podsOf(d, `manifests/${f} ${d?.kind}/${d?.metadata?.name}`)));

const nodeProbe = probePodManifest(
  { kind: 'podreach.kube-session', credentials: 'test', namespace: 'default', podName: 'web', podUid: 'u', nodeName: 'node-1', api: undefined },
  'podreach-node-probe-x',
  makePlan([parseTarget('192.168.10.52:80')], 3000),
  { image: 'podreach:test', timeoutMs: 3000 },
) as Obj;

describe('Pod Security "restricted"', () => {
  it('the rule table covers both levels and every pod-bearing manifest was found', () => {
    expect(RULES.filter((r) => r.level === 'baseline')).toHaveLength(11);
    expect(RULES.filter((r) => r.level === 'restricted')).toHaveLength(6);
    expect(shipped.map((p) => p.where.split(' ')[0]).sort()).toEqual(['manifests/initcontainer.yaml', 'manifests/job-configmap.yaml', 'manifests/job.yaml']);
  });

  for (const pod of shipped) {
    it(`${pod.where}: no rule broken`, () => {
      expect(violations(pod.spec)).toEqual([]);
    });
  }

  it('the checker catches what it claims to (a pod breaking every restricted rule once)', () => {
    const bad = { hostNetwork: true, volumes: [{ name: 'h', hostPath: { path: '/' } }], containers: [{ name: 'c', securityContext: { runAsUser: 0, capabilities: { add: ['NET_RAW'] } } }] };
    expect(violations(bad).map((v) => v.split(':')[0])).toEqual([
      'host namespaces', 'capabilities (baseline)', 'hostPath volumes', 'volume types', 'privilege escalation', 'running as non-root', 'running as non-root user', 'seccomp (restricted)', 'capabilities (restricted)',
    ]);
  });

  it('the node-probe pod podreach creates: the documented exception (hostNetwork, NET_RAW, the image\'s user unchecked), labelled as such', () => {
    expect(nodeProbe.metadata.annotations['podreach.io/pod-security']).toMatch(/^privileged: hostNetwork and NET_RAW/);
    expect(violations(nodeProbe.spec)).toEqual([
      'host namespaces: hostNetwork',
      'capabilities (baseline): NET_RAW',
      'running as non-root: probe',
      'capabilities (restricted): probe: adds NET_RAW',
    ]);
  });
  it('every shipped container given POD_IP (status.podIP) also gets POD_IPS (status.podIPs): both addresses of a dual-stack pod', () => {
    const containers = shipped.flatMap((p) => [...(p.spec.initContainers ?? []), ...p.spec.containers].map((c: Obj) => ({ where: `${p.where} ${c.name}`, env: (c.env ?? []) as Obj[] })));
    const path = (env: Obj[], name: string) => env.find((e) => e.name === name)?.valueFrom?.fieldRef?.fieldPath;
    const withPodIp = containers.filter((c) => path(c.env, 'POD_IP') === 'status.podIP');
    expect(withPodIp.length).toBeGreaterThan(0);
    for (const c of withPodIp) expect(path(c.env, 'POD_IPS'), c.where).toBe('status.podIPs');
  });
});
