// NetworkPolicy egress for one destination outside the cluster, as the API defines it.
import { describe, expect, it } from 'vitest';
import type { EgressPolicy } from '../../../src/context/types.ts';
import { dnsVerdict, egressVerdict, selects } from '../../../src/diagnose/policy.ts';

const POD = { app: 'test01', tier: 'web' };

describe('selects', () => {
  it.each([
    [{}, true],
    [{ matchLabels: { app: 'test01' } }, true],
    [{ matchLabels: { app: 'other' } }, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }] }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }] }, false],
    [{ matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] }, true],
    [{ matchExpressions: [{ key: 'env', operator: 'Exists' }] }, false],
    [{ matchLabels: { app: 'test01' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['api'] }] }, false],
  ])('%j → %s', (sel, expected) => {
    expect(selects(sel, POD)).toBe(expected);
  });
});

describe('egressVerdict', () => {
  const denyAll: EgressPolicy = { name: 'default-deny-egress', podSelector: {}, egress: [] };
  const dnsOnly: EgressPolicy = {
    name: 'dns-only',
    podSelector: { matchLabels: { app: 'test01' } },
    egress: [{ to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }] }],
  };
  const db: EgressPolicy = {
    name: 'allow-db',
    podSelector: { matchLabels: { tier: 'web' } },
    egress: [{ to: [{ ipBlock: { cidr: '192.168.0.0/16', except: ['192.168.20.0/24'] } }], ports: [{ protocol: 'TCP', port: 3000, endPort: 3400 }] }],
  };

  it('no policy selects the pod: nothing to say', () => {
    expect(egressVerdict([{ ...dnsOnly, podSelector: { matchLabels: { app: 'x' } } }], POD, '192.168.10.52', 80)).toBeUndefined();
  });

  it('a default deny selects every pod and allows nothing', () => {
    expect(egressVerdict([denyAll], POD, '192.168.10.52', 80)).toEqual({ selecting: ['default-deny-egress'] });
  });

  it('pod and namespace selectors never match an address outside the cluster', () => {
    expect(egressVerdict([dnsOnly], POD, '192.168.10.52', 53)).toEqual({ selecting: ['dns-only'] });
  });

  it('ipBlock with except, and a port range: the first rule that allows it is named', () => {
    expect(egressVerdict([dnsOnly, db], POD, '192.168.10.60', 3306)?.allowedBy).toBe('policy allow-db, egress rule 1');
    expect(egressVerdict([db], POD, '192.168.20.10', 3306)?.allowedBy).toBeUndefined();
    expect(egressVerdict([db], POD, '192.168.10.60', 80)?.allowedBy).toBeUndefined();
    expect(egressVerdict([db], POD, '10.1.0.20', 3306)?.allowedBy).toBeUndefined();
  });

  it('policies add up: any selecting policy that allows it is enough', () => {
    const open: EgressPolicy = { name: 'allow-all', podSelector: {}, egress: [{}] };
    expect(egressVerdict([denyAll, open], POD, '10.1.0.20', 80)?.allowedBy).toBe('policy allow-all, egress rule 1');
  });

  it('ICMP only (no port): a rule that lists ports does not allow it, one without ports does', () => {
    expect(egressVerdict([db], POD, '192.168.10.60')?.allowedBy).toBeUndefined();
    expect(egressVerdict([{ ...db, egress: [{ to: [{ ipBlock: { cidr: '192.168.0.0/16' } }] }] }], POD, '192.168.10.60')?.allowedBy).toBeDefined();
  });
});

describe('dnsVerdict', () => {
  it('a default deny forgets DNS; a rule with UDP 53 (to anything) allows it; TCP 53 alone does not', () => {
    const deny: EgressPolicy = { name: 'default-deny-egress', podSelector: {}, egress: [] };
    expect(dnsVerdict([deny], POD)).toEqual({ selecting: ['default-deny-egress'] });
    const dns: EgressPolicy = { name: 'allow-dns', podSelector: {}, egress: [{ to: [{ namespaceSelector: {} }], ports: [{ protocol: 'UDP', port: 53 }] }] };
    expect(dnsVerdict([deny, dns], POD)?.allowedBy).toBe('policy allow-dns, egress rule 1');
    const tcpOnly: EgressPolicy = { name: 'tcp-dns', podSelector: {}, egress: [{ ports: [{ protocol: 'TCP', port: 53 }] }] };
    expect(dnsVerdict([tcpOnly], POD)?.allowedBy).toBeUndefined();
    expect(dnsVerdict([{ ...deny, podSelector: { matchLabels: { app: 'x' } } }], POD)).toBeUndefined();
  });
});
