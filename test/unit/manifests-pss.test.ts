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

type Obj = Record<string, any>;
interface Pod {
  where: string;
  meta: Obj;
  spec: Obj;
}

const containersOf = (spec: Obj): Obj[] => [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
/** A container's setting, or the pod's when the container leaves it unset. */
const effective = (spec: Obj, c: Obj, key: string) => c.securityContext?.[key] ?? spec.securityContext?.[key];

const BASELINE_CAPS = ['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'];
const SAFE_SYSCTLS = [
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes',
];
const RESTRICTED_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
const SELINUX_TYPES = [undefined, '', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t'];

/** The rules: each returns what breaks it ([] = fine). */
const RULES: { id: string; level: 'baseline' | 'restricted'; broken: (spec: Obj) => string[] }[] = [
  { id: 'hostProcess', level: 'baseline', broken: (s) => containersOf(s).filter((c) => effective(s, c, 'windowsOptions')?.hostProcess).map((c) => c.name) },
  { id: 'host namespaces', level: 'baseline', broken: (s) => ['hostNetwork', 'hostPID', 'hostIPC'].filter((k) => s[k] === true) },
  { id: 'privileged', level: 'baseline', broken: (s) => containersOf(s).filter((c) => c.securityContext?.privileged).map((c) => c.name) },
  { id: 'capabilities (baseline)', level: 'baseline', broken: (s) => containersOf(s).flatMap((c) => (c.securityContext?.capabilities?.add ?? []).filter((a: string) => !BASELINE_CAPS.includes(a))) },
  { id: 'hostPath volumes', level: 'baseline', broken: (s) => (s.volumes ?? []).filter((v: Obj) => v.hostPath).map((v: Obj) => v.name) },
  { id: 'host ports', level: 'baseline', broken: (s) => containersOf(s).flatMap((c) => (c.ports ?? []).filter((p: Obj) => p.hostPort)).map((p) => String(p.hostPort)) },
  { id: 'AppArmor', level: 'baseline', broken: (s) => containersOf(s).map((c) => effective(s, c, 'appArmorProfile')?.type).filter((t) => t !== undefined && t !== 'RuntimeDefault' && t !== 'Localhost') },
  {
    id: 'SELinux',
    level: 'baseline',
    broken: (s) => [s, ...containersOf(s)].map((x) => x.securityContext?.seLinuxOptions).filter((o) => o && (!SELINUX_TYPES.includes(o.type) || o.user || o.role)).map(String),
  },
  { id: '/proc mount', level: 'baseline', broken: (s) => containersOf(s).filter((c) => (c.securityContext?.procMount ?? 'Default') !== 'Default').map((c) => c.name) },
  { id: 'seccomp (baseline)', level: 'baseline', broken: (s) => [s, ...containersOf(s)].filter((x) => x.securityContext?.seccompProfile?.type === 'Unconfined').map((x) => x.name ?? 'pod') },
  { id: 'sysctls', level: 'baseline', broken: (s) => (s.securityContext?.sysctls ?? []).map((x: Obj) => x.name).filter((n: string) => !SAFE_SYSCTLS.includes(n)) },
  { id: 'volume types', level: 'restricted', broken: (s) => (s.volumes ?? []).filter((v: Obj) => !Object.keys(v).some((k) => RESTRICTED_VOLUMES.includes(k))).map((v: Obj) => v.name) },
  { id: 'privilege escalation', level: 'restricted', broken: (s) => containersOf(s).filter((c) => c.securityContext?.allowPrivilegeEscalation !== false).map((c) => c.name) },
  { id: 'running as non-root', level: 'restricted', broken: (s) => containersOf(s).filter((c) => effective(s, c, 'runAsNonRoot') !== true).map((c) => c.name) },
  { id: 'running as non-root user', level: 'restricted', broken: (s) => [s, ...containersOf(s)].filter((x) => x.securityContext?.runAsUser === 0).map((x) => x.name ?? 'pod') },
  {
    id: 'seccomp (restricted)',
    level: 'restricted',
    broken: (s) => containersOf(s).filter((c) => !['RuntimeDefault', 'Localhost'].includes(effective(s, c, 'seccompProfile')?.type)).map((c) => c.name),
  },
  {
    id: 'capabilities (restricted)',
    level: 'restricted',
    broken: (s) =>
      containersOf(s).flatMap((c) => {
        const caps = c.securityContext?.capabilities ?? {};
        const out = (caps.drop ?? []).includes('ALL') ? [] : [`${c.name}: no drop ALL`];
        return [...out, ...(caps.add ?? []).filter((a: string) => a !== 'NET_BIND_SERVICE').map((a: string) => `${c.name}: adds ${a}`)];
      }),
  },
];

const violations = (spec: Obj) => RULES.flatMap((r) => (r.broken(spec).length ? [`${r.id}: ${r.broken(spec).join(', ')}`] : []));

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
});
