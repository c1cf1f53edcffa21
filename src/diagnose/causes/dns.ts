import type { CauseCheck } from '../types.ts';

export const dns: CauseCheck = {
  id: 'dns',
  needs: ['pod.dns', 'context.dnsServers', 'context.searchDomains'],
  evaluate(ev) {
    const d = ev.pod.dns;
    if (!d || d.status === 'ok') return null;
    const servers = d.servers.length ? d.servers.join(', ') : (ev.context.dnsServers?.value.join(', ') ?? 'unknown');
    const nodeOk = ev.node?.dns?.status === 'ok';
    const evidence = [`pod: DNS ${d.status} for ${d.name} in ${Math.round(d.ms)} ms (servers ${servers})`];
    if (ev.node?.dns) evidence.push(`node: DNS ${ev.node.dns.status} for ${ev.node.dns.name}`);
    const fix: string[] = [];
    let summary: string;
    if (d.status === 'nxdomain' || d.status === 'no-data') {
      summary = `${d.name} does not resolve from this pod (${d.status === 'nxdomain' ? 'NXDOMAIN: no such name' : 'the name exists but has no A/AAAA record'})`;
      fix.push(`Check the name: use the fully qualified name (a trailing dot skips the search domains ${ev.context.searchDomains?.value.join(' ') ?? ''})`.trim());
      fix.push('If it is a private zone, associate the zone with this VPC, or add a CoreDNS stub domain / forward for it (kube-system ConfigMap coredns)');
    } else if (d.status === 'timeout') {
      summary = `no DNS answer for ${d.name} from ${servers}`;
      fix.push(`Check that the pod can reach ${servers} on UDP and TCP 53: an egress NetworkPolicy must allow kube-dns, and the CoreDNS pods must be Running`);
      fix.push('kubectl -n kube-system get pods -l k8s-app=kube-dns; kubectl -n kube-system logs -l k8s-app=kube-dns --tail=50');
    } else {
      summary = `the DNS server answered ${d.status.toUpperCase()} for ${d.name}`;
      fix.push(`Check the upstream resolvers configured in CoreDNS (forward . /etc/resolv.conf) and their logs for ${d.name}`);
    }
    if (nodeOk) fix.push('The node resolves it: compare the pod dnsPolicy/dnsConfig with the node\'s /etc/resolv.conf');
    return { cause: 'dns', confidence: d.status === 'nxdomain' ? 0.95 : 0.85, summary, evidence, fix };
  },
};
