import { signals } from '../signals.ts';
import { defineCause } from './define.ts';

export const portClosed = defineCause({
  id: 'port-closed',
  title: 'Port closed',
  needs: ['pod.tcp'],
  evaluate(ev) {
    const s = signals(ev);
    if (s.pod.outcome !== 'refused') return null;
    // The target host read its own rules: a REJECT is its firewall's answer, not a closed port (host-firewall).
    if (s.peer?.source.firewall?.verdict === 'reject') return null;
    const nodeToo = s.node?.outcome === 'refused';
    return {
      confidence: nodeToo ? 0.95 : 0.9,
      summary: `${s.targetLabel} actively refused the connection (TCP RST): the host is reachable, nothing accepts on port ${s.port}`,
      evidence: [
        `pod: ${s.pod.line}`,
        ...(s.node ? [`node: ${s.node.line}`] : []),
        'an RST proves the path and the security group let the SYN through; the refusal comes from the host itself',
      ],
      fix: [
        `On ${ev.target.ip}: start the service on port ${s.port}, or check it listens on 0.0.0.0 / the right interface, not 127.0.0.1 (ss -ltnp 'sport = :${s.port}')`,
        `If a host firewall REJECTs with tcp-reset, allow port ${s.port} there; if the port is wrong, fix the client's configuration`,
      ],
    };
  },
});
