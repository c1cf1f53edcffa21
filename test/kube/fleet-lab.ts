// The fleet lab with the test API server: its nodes served with pool and zone labels, each probe pod run in
// the namespace of the node it is pinned to; podreach fleet runs from the "laptop" (the admin namespace)
// with a kubeconfig.
import { type FleetLab, type FleetScenario, fleetNodeObjects, withFleetLab } from '../lab/fleet.ts';
import { type ExecResult, NODE } from '../lab/lab.ts';
import { type Api, BUNDLE, withApiIn } from './lab-api.ts';

export interface FleetRun {
  lab: FleetLab;
  api: Api;
  /** podreach fleet with the scenario's targets and --by, the lab's model and VPC CIDR, and more flags. */
  fleet(extra?: string[], opts?: { timeoutMs?: number; targets?: string[] }): Promise<ExecResult>;
}

export function withFleet<T>(s: FleetScenario, fn: (r: FleetRun) => Promise<T>, apiFlags: string[] = []): Promise<T> {
  return withFleetLab(s, (lab) =>
    withApiIn(
      { podNs: lab.ns('admin'), nodeNs: lab.ns('node-a1'), flavour: s.model === 'vpc' ? 'cce-vpc' : 'cce-tunnel', objects: fleetNodeObjects(s.model), nodeMap: lab.nodeMap, drop: ['Node', 'Pod'] },
      (api) =>
        fn({
          lab,
          api,
          fleet: (extra = [], opts = {}) =>
            lab.exec(
              'admin',
              ['env', 'HOME=/nonexistent', NODE, BUNDLE, 'fleet', ...(opts.targets ?? s.targets), '--by', s.by, '--kubeconfig', api.kubeconfig, '--network-model', s.model, '--vpc-cidr', '192.168.0.0/16', ...extra],
              { timeoutMs: opts.timeoutMs ?? 120_000 },
            ),
        }),
      ['--rbac', 'rbac.yaml,rbac-fleet.yaml', ...apiFlags],
    ),
  );
}
