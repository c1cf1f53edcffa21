// Runs the probe layer where it is started (e.g. under `ip netns exec NS`) and prints the ProbeReport.
// Usage: node run-probe.ts TARGET [--port N] [--timeout MS] [--dns-server IP:PORT] [--search a,b] [--ndots N]
import { runProbes } from '../../../src/probe/run.ts';
import { parseTarget } from '../../../src/probe/target.ts';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const port = flag('--port');
const timeout = flag('--timeout');
const server = flag('--dns-server');
const target = parseTarget(args[0] ?? '', port === undefined ? undefined : Number(port));
const report = await runProbes(target, {
  role: 'pod',
  ...(timeout === undefined ? {} : { timeoutMs: Number(timeout) }),
  ...(server === undefined
    ? {}
    : {
        dns: {
          servers: [server],
          conf: { nameservers: [server], search: (flag('--search') ?? '').split(',').filter(Boolean), ndots: Number(flag('--ndots') ?? 1) },
        },
      }),
});
process.stdout.write(`${JSON.stringify(report)}\n`);
