// Pod Security Standards as the Kubernetes docs list the rules (policy version v1.33): "baseline", and
// "restricted" on top of it. Used by the manifest test and by the test API server's admission of
// ephemeral containers (kubectl debug --profile).
type Obj = Record<string, any>;
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
export const RULES: { id: string; level: 'baseline' | 'restricted'; broken: (spec: Obj) => string[] }[] = [
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

/** What a pod spec breaks of the level's rules ("restricted" includes "baseline"), one line per rule. */
export const violations = (spec: Obj, level: 'baseline' | 'restricted' = 'restricted') =>
  RULES.filter((r) => level === 'restricted' || r.level === 'baseline').flatMap((r) => (r.broken(spec).length ? [`${r.id}: ${r.broken(spec).join(', ')}`] : []));
