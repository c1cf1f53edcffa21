import { dnsSaid, signals, starvedLine } from '../signals.ts';
import { nodeSide, podSide } from '../vantage.ts';
import { defineCause } from './define.ts';

export const dns = defineCause({
  id: 'dns',
  title: 'Name does not resolve',
  needs: ['pod.dns', 'context.dnsServers', 'context.searchDomains'],
  evaluate(ev) {
    const d = podSide(ev).dns;
    if (!d || d.status === 'ok') return null;
    const servers = d.servers.length ? d.servers.join(', ') : (ev.context.dnsServers?.value.join(', ') ?? 'unknown');
    const nodeDns = nodeSide(ev)?.dns;
    const nodeOk = nodeDns?.status === 'ok';
    const evidence = [`pod: DNS for ${d.name}: ${dnsSaid(d)}, in ${Math.round(d.ms)} ms (servers ${servers})`];
    if (nodeDns) evidence.push(`node: DNS for ${nodeDns.name}: ${dnsSaid(nodeDns)}`);
    const pod = signals(ev).pod;
    const starved = starvedLine(pod);
    if (starved) evidence.push(starved);
    const fix: string[] = [];
    let summary: string;
    let confidence = d.status === 'nxdomain' ? 0.95 : 0.85;
    if (d.status === 'nxdomain' || d.status === 'no-data') {
      summary = `${d.name} does not resolve from this pod (${dnsSaid(d)})`;
      fix.push(`Check the name: use the fully qualified name (a trailing dot skips the search domains ${ev.context.searchDomains?.value.join(' ') ?? ''})`.trim());
      fix.push('If it is a private zone, associate the zone with this VPC, or add a CoreDNS stub domain / forward for it (kube-system ConfigMap coredns)');
    } else if (d.status === 'timeout' || d.errno === 'ECONNREFUSED') {
      summary =
        d.status === 'timeout'
          ? `no DNS answer for ${d.name} from ${servers}`
          : `no DNS server reachable for ${d.name}: ${servers} refused the connection (nothing listens on port 53 there, or no route to it)`;
      fix.push(`Check that the pod can reach ${servers} on UDP and TCP 53: an egress NetworkPolicy must allow kube-dns, and the CoreDNS pods must be Running`);
      fix.push('kubectl -n kube-system get pods -l k8s-app=kube-dns; kubectl -n kube-system logs -l k8s-app=kube-dns --tail=50');
      if (pod.uncertain) {
        summary = `${summary}, but podreach itself was starved for ${pod.starvedMs} ms while waiting: the timeout may be its own slowness`;
        confidence = 0.4;
        fix.unshift('Run podreach again; if the pod is CPU-throttled, give it CPU headroom');
      }
    } else if (d.status === 'servfail' || d.status === 'refused') {
      summary = `${dnsSaid(d)} for ${d.name}`;
      fix.push(`Check the upstream resolvers configured in CoreDNS (forward . /etc/resolv.conf) and their logs for ${d.name}`);
    } else {
      summary = `the DNS lookup of ${d.name} failed: ${dnsSaid(d)}`;
      fix.push(`Check the DNS servers ${servers} and the pod's /etc/resolv.conf`);
    }
    if (nodeOk) fix.push('The node resolves it: compare the pod dnsPolicy/dnsConfig with the node\'s /etc/resolv.conf');
    return { confidence, summary, evidence, fix };
  },
});
