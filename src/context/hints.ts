import type { FactName } from './types.ts';

/** The facts a verdict needs, in the order a user should supply them, and the flag that supplies each. */
export const FLAG_HINTS: readonly (readonly [FactName, string])[] = [
  ['networkModel', '--network-model tunnel|vpc|eni (CCE console: cluster > Networking)'],
  ['nodeIp', '--node-ip, or env NODE_IP from the downward API (fieldRef: status.hostIP), or a --node-report'],
  ['containerCidr', "--container-cidr (the cluster's container CIDR)"],
  ['vpcCidrs', "--vpc-cidr (the node's VPC; repeatable; the Kubernetes API does not publish it)"],
  ['serviceCidr', '--service-cidr'],
];
