// Test driver: what the CLI does with src/kube, as a separate process, so a test can interrupt it with SIGINT.
// Usage: node test/kube/drive.ts TARGET [timeoutMs]   (credentials from the environment, like the CLI)
// Prints one JSON line: { access, facts, notes, probe }.
import { loadKubeContext, runNodeProbe } from '../../src/kube/index.ts';
import { makePlan } from '../../src/probe/plan.ts';
import { parseTarget } from '../../src/probe/target.ts';

const [target = '127.0.0.1:1', timeout = '20000'] = process.argv.slice(2);
const ac = new AbortController();
process.on('SIGINT', () => {
  process.stderr.write('drive: SIGINT, cleaning up\n');
  ac.abort();
});
const ctx = await loadKubeContext({ timeoutMs: 3000 });
process.stderr.write(`drive: access ${ctx.access}\n`);
const probe = await runNodeProbe(ctx, makePlan([parseTarget(target)], 2500), { timeoutMs: Number(timeout), signal: ac.signal });
process.stdout.write(`${JSON.stringify({ access: ctx.access, facts: ctx.facts, notes: ctx.notes, probe })}\n`);
process.exitCode = ac.signal.aborted ? 130 : 0;
