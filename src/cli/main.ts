import { getEventListeners } from 'node:events';
import { Argument, Command, CommanderError, Option } from '@commander-js/extra-typings';
import { MAX_VPC_CIDRS } from '../context/types.ts';
import { killProbeChildren } from '../probe/children.ts';
import { DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS } from '../probe/plan.ts';
import { performance } from 'node:perf_hooks';
import type { ProbeReport } from '../probe/types.ts';
import type { PodObject } from '../kube/objects.ts';
import type { PodreachReport } from '../render/report.ts';
import { budget, collect, concurrency, nonEmpty, patience, wholeNumber } from './args.ts';
import { oneLine, quoted, UsageError } from './errors.ts';
import { EXIT } from './exit-codes.ts';
import { drawingTerminal } from './prestart.ts';

declare const PODREACH_VERSION: string;
const VERSION = typeof PODREACH_VERSION === 'string' ? PODREACH_VERSION : '0.0.0-dev';

/** The flags of every command that reads the cluster, and --no-color: one definition each. */
const kubeconfigOption = (what = '') =>
  new Option('--kubeconfig <file>', `kubeconfig${what} (default: service account, $KUBECONFIG, ~/.kube/config)`).argParser(nonEmpty('--kubeconfig'));
const contextOption = () => new Option('--context <name>', 'kubeconfig context').argParser(nonEmpty('--context'));
const noColorOption = () => new Option('--no-color', 'no colour (also NO_COLOR)');

/** Whether stdout draws (a terminal, not TERM=dumb) and whether in colour (not --no-color or NO_COLOR). */
function screen(colorFlag: boolean): { terminal: boolean; color: boolean } {
  const terminal = drawingTerminal(process.stdout.isTTY === true, process.env);
  return { terminal, color: colorFlag && !process.env.NO_COLOR && terminal };
}

function program(): Command {
  const cli = new Command('podreach')
    .description("Why can't this container reach that intranet address, and what exactly do I change?")
    .version(VERSION, '-V, --version')
    .showHelpAfterError(false)
    // Errors, and help shown because of one, are printed by main() as one line.
    .configureOutput({ writeErr: () => {}, outputError: () => {} })
    .exitOverride();

  cli
    .command('diagnose')
    .description('probe each TARGET from this pod and name the cause when it is unreachable')
    .argument('[targets...]', 'IP, IP:PORT, HOST:PORT, [v6]:PORT, or a URL (http://, redis://, mysql://, ...)')
    .option('-f, --file <file>', 'more targets, one a line (# comments; - for stdin)')
    .option('--from-env [secrets]', "the app's dependencies from its environment (URLs, DSNs, JDBC, *_HOST + *_PORT, *_ADDR): this container's and, over the API, the pod's env and envFrom ConfigMaps; =secrets also reads its Secrets")
    .option('--container <name>', '--from-env: only this container of the pod', nonEmpty('--container'))
    .option('-p, --port <port>', 'port to test (overrides TARGET)', wholeNumber('--port'))
    // No default: without -o, a terminal on stdout gets the live view (src/cli/tui.ts), anything else text.
    .addOption(new Option('-o, --output <format>', 'text, json, yaml or junit (default: live view on a terminal, else text)').choices(['text', 'json', 'yaml', 'junit'] as const))
    .option('--concurrency <n>', `targets probed at once (default ${DEFAULT_CONCURRENCY})`, concurrency)
    .option('--pod-ip <ip>', 'this pod\'s IP; dual-stack: IPv4,IPv6 primary first (env PODREACH_POD_IP, POD_IPS, POD_IP)')
    .option('--node-ip <ip>', 'IP of the node running this pod; dual-stack: one per family (env PODREACH_NODE_IP, NODE_IP, HOST_IP)')
    .option('--container-cidr <cidr>', 'the cluster\'s container CIDR (ENI: the container subnet); dual-stack: one per family, e.g. 172.16.0.0/16,fd00:172:16::/56')
    .option('--vpc-cidr <cidr>', `the node's VPC CIDR (repeatable, comma-separated; at most ${MAX_VPC_CIDRS})`, collect)
    .option('--service-cidr <cidr>', 'the cluster\'s service CIDR')
    .option('--network-model <model>', 'tunnel, vpc, eni or auto')
    .option('--node-report <file>', 'JSON from `podreach probe TARGET -o json` run on the node')
    .option('--peer-report <file>', 'JSON from `podreach peer --source IP --port N --listen S -o json` run on the target host')
    .option('--timeout <ms>', 'overall probe budget in ms', budget, DEFAULT_TIMEOUT_MS)
    .option('--patience <ms>', 'least wait before calling silence, for a link slower than podreach can measure (cross-region peering); raises --timeout as needed', patience)
    .addOption(kubeconfigOption(' to read the pod, node and cluster from'))
    .addOption(contextOption())
    .option('-n, --namespace <ns>', 'namespace of the pod', nonEmpty('--namespace'))
    .option('--pod <name>', 'the pod to diagnose for (default: this pod, by hostname)', nonEmpty('--pod'))
    .option('--no-api', 'do not use the Kubernetes API')
    .option('--no-node-probe', 'do not start a short-lived pod on the node to probe from there')
    .option('--image <image>', 'image for the node-probe pod (default: the image podreach runs from)', nonEmpty('--image'))
    .addOption(noColorOption())
    .action(async (targetArgs, o) => {
      // `--from-env TARGET`: commander took the target for the option's value.
      if (typeof o.fromEnv === 'string' && o.fromEnv !== 'secrets') targetArgs.unshift(o.fromEnv);
      const { found, pod: podObject } = o.fromEnv ? await envDependencies(process.env, { ...o, secrets: o.fromEnv === 'secrets' }) : { found: [] };
      // The pipeline loads only once the input is read: --version, help and usage errors never pay for it.
      const { readTargetsFile } = await import('./targets.ts');
      const inputs = [...targetArgs, ...(o.file !== undefined ? await readTargetsFile(o.file) : []), ...found.map((d) => d.input)];
      if (inputs.length === 0) {
        if (o.fromEnv) throw new UsageError(`--from-env: no dependency found in the environment${o.api ? ' or the pod' : ''} (no URL, DSN, JDBC URL, *_HOST + *_PORT or host:port value)`);
        throw new UsageError(o.file !== undefined ? `-f ${quoted(o.file)}: no targets in it` : 'no TARGET given (podreach diagnose TARGET..., -f FILE or --from-env)');
      }
      const origins = [...targetArgs.map(() => undefined), ...inputs.slice(targetArgs.length, inputs.length - found.length).map(() => `-f ${o.file}`), ...found.map((d) => d.from)];
      const { terminal, color } = screen(o.color);
      const diagnoseOpts = {
        port: o.port,
        concurrency: o.concurrency,
        origins,
        timeoutMs: o.timeout,
        patienceMs: o.patience,
        nodeReport: o.nodeReport,
        peerReport: o.peerReport,
        context: {
          podIp: o.podIp,
          nodeIp: o.nodeIp,
          containerCidr: o.containerCidr,
          vpcCidr: o.vpcCidr,
          serviceCidr: o.serviceCidr,
          networkModel: o.networkModel,
        },
        env: process.env,
        version: VERSION,
        kube: o.api ? { kubeconfig: o.kubeconfig, context: o.context, namespace: o.namespace, pod: o.pod, podObject } : (false as const),
        nodeProbe: o.nodeProbe,
        image: o.image,
        signal: interrupted.signal,
      };
      // --- TUI (issue #5): no -o and stdout is a terminal; several targets get the sweep table ---
      if (o.output === undefined && terminal) {
        const { runTui } = await import('./tui.ts');
        process.exitCode = await runTui(inputs, diagnoseOpts, { color });
        return;
      }
      // --- end TUI ---
      const t0 = performance.now();
      const { runDiagnose } = await import('./diagnose.ts');
      const diagnosing = runDiagnose(inputs, diagnoseOpts);
      // The views load while the probes wait on the network (the probes are sent by now), not after them.
      setImmediate(() => void loadViews().catch(() => {}));
      const reports = await diagnosing;
      process.stdout.write(await render(reports, o.output ?? 'text', color, performance.now() - t0));
      process.exitCode = reports.every((r) => r.diagnosis.reachable) ? EXIT.reachable : EXIT.notReachable;
    });

  cli
    .command('probe')
    .description('only probe each TARGET (or the --plan) and print the raw report (run it on the node, feed it to --node-report)')
    .argument('[targets...]', 'as for diagnose')
    .option('--plan <json>', 'the probe plan podreach diagnose wrote (what the node-probe pod runs)')
    .option('-p, --port <port>', 'port to test (overrides TARGET)', wholeNumber('--port'))
    .addOption(new Option('-o, --output <format>', 'text, json or yaml').choices(['text', 'json', 'yaml'] as const).default('json'))
    .option('--role <role>', 'pod or node: who is probing', 'node')
    .option('--timeout <ms>', 'overall probe budget in ms', budget, DEFAULT_TIMEOUT_MS)
    .option('--patience <ms>', 'least wait before calling silence (see diagnose)', patience)
    .action(async (targetArgs, o) => {
      const { makePlan, parsePlan } = await import('../probe/plan.ts');
      const { parseTarget } = await import('../probe/target.ts');
      const { runPlan } = await import('../probe/sweep.ts');
      const { probeSet } = await import('../probe/report.ts');
      const { probeSummary } = await import('../render/text.ts');
      if (o.role !== 'pod' && o.role !== 'node') throw new UsageError(`--role: ${quoted(o.role)} is not pod or node`);
      if (o.plan !== undefined && targetArgs.length > 0) throw new UsageError('give TARGETs or --plan, not both');
      if (o.plan === undefined && targetArgs.length === 0) throw new UsageError('no TARGET given (podreach probe TARGET..., or --plan PLAN)');
      const plan = o.plan !== undefined ? parsePlan(o.plan) : makePlan(targetArgs.map((t) => parseTarget(t, o.port)), o.timeout, o.patience);
      const reports = await runPlan(plan, { role: o.role });
      // One target: the probe report itself (what --node-report has always read); several: a probe set.
      const doc = reports.length === 1 ? reports[0] : probeSet(reports);
      if (o.output !== 'text') process.stdout.write(await (await import('../render/serialize.ts')).serialize(doc, o.output));
      else process.stdout.write(reports.map((r) => probeSummary(r)).join(''));
      const ok = (r: ProbeReport) => (r.tcp ? r.tcp.status === 'open' : r.icmp.status === 'reply');
      process.exitCode = reports.every(ok) ? EXIT.reachable : EXIT.notReachable;
    });
  cli
    .command('fleet')
    .description('probe each TARGET from every node group (pool, zone, subnet or node) through short-lived probe pods, and name what differs between the groups that reach it and those that do not')
    .argument('[targets...]', 'as for diagnose')
    .addOption(new Option('--by <key>', 'group nodes by node, pool, zone or subnet').choices(['node', 'pool', 'zone', 'subnet'] as const).default('pool' as const))
    .option('--selector <labels>', 'only nodes with these labels (key=value,...)', nonEmpty('--selector'))
    .option('--max-pods <n>', 'probe pods in flight at once (default 5)', wholeNumber('--max-pods'), 5)
    .addOption(new Option('--vantage <where>', "the node's network, a pod's, both, or auto (pod unless the model SNATs pods to the node)").choices(['pod', 'node', 'both', 'auto'] as const).default('auto' as const))
    .addOption(new Option('-o, --output <format>', 'text, json or junit (default: a live groups × targets matrix on a terminal, then text)').choices(['text', 'json', 'junit'] as const))
    .option('-p, --port <port>', 'port to test (overrides TARGET)', wholeNumber('--port'))
    .option('--timeout <ms>', 'overall probe budget per target in ms', budget, DEFAULT_TIMEOUT_MS)
    .option('--node-subnet <cidr>', 'the node subnets, either family (repeatable, comma-separated): allow a subnet rather than node IPs', collect)
    .option('--network-model <model>', 'tunnel, vpc, eni or auto (default: from the API)')
    .option('--container-cidr <cidr>', "the cluster's container CIDR; dual-stack: one per family, e.g. 172.16.0.0/16,fd00:172:16::/56")
    .option('--vpc-cidr <cidr>', "the cluster VPC's CIDRs (repeatable, comma-separated)", collect)
    .addOption(kubeconfigOption())
    .addOption(contextOption())
    .option('-n, --namespace <ns>', 'namespace for the probe pods', nonEmpty('--namespace'))
    .option('--image <image>', 'image for the probe pods', nonEmpty('--image'))
    .option('--cleanup', "delete podreach's leftover probe pods in the namespace (by label) and exit")
    .addOption(noColorOption())
    .action(async (targetArgs, o) => {
      const { runFleet } = await import('./fleet.ts');
      const { terminal, color } = screen(o.color);
      const live = o.output === undefined && terminal;
      process.exitCode = await runFleet(targetArgs, { ...o, output: o.output ?? 'text', live, color, version: VERSION, env: process.env, signal: interrupted.signal });
    });
  cli
    .command('allowlist')
    .description('no packets: per node group, the source each destination sees and the CIDRs to allow (security groups, whitelists, peer routes), from the API')
    .argument('[targets...]', 'same-vpc, peered-vpc, managed-service, internet, IP, IP:PORT or [IPv6]:PORT (default: the four classes, per family on a cluster with IPv6 pods)')
    .option('--by <key>', 'group nodes by pool, zone, subnet or node', 'pool')
    .option('--node-subnet <cidr>', 'a node subnet, either family (repeatable, comma-separated): allow it instead of single node IPs', collect)
    .option('--vpc-cidr <cidr>', `the cluster's VPC CIDR (repeatable, comma-separated; at most ${MAX_VPC_CIDRS}): places an IP target in the same VPC or across a peering`, collect)
    .option('--container-cidr <cidr>', "the cluster's container CIDR (ENI: the container subnet); dual-stack: one per family")
    .option('--network-model <model>', 'tunnel, vpc, eni or auto (default: from the API)')
    .addOption(new Option('-o, --output <format>', 'text or json').choices(['text', 'json'] as const).default('text' as const))
    .option('--timeout <ms>', 'budget for the API reads in ms', budget, 10_000)
    .addOption(kubeconfigOption())
    .addOption(contextOption())
    .addOption(noColorOption())
    .action(async (targets, o) => {
      const { runAllowlist } = await import('./allowlist.ts');
      const { color } = screen(o.color);
      // Read-only, nothing to clean up: no abort signal, so Ctrl-C leaves at once with 130.
      process.stdout.write(await runAllowlist(targets, { ...o, color }, VERSION));
    });
  // --- peer (issue #15): on the target host ---
  cli
    .command('peer')
    .description('on the target host: where replies to each source go, which bridges cover it, the listener, the host firewall, and (--listen) whether its packets arrive; read-only')
    .requiredOption('--source <ips>', 'the address(es) the target sees for the pod (pod IP, or node IP under SNAT), comma-separated')
    .option('-p, --port <port>', 'the TCP port the pod connects to', wholeNumber('--port'))
    .option('--listen <seconds>', 'watch this long for the sources\' packets (run podreach diagnose in the pod meanwhile)', wholeNumber('--listen'))
    .addOption(new Option('-o, --output <format>', 'text or json').choices(['text', 'json'] as const).default('text'))
    .action(async (o) => {
      const { runPeer } = await import('./peer.ts');
      process.exitCode = await runPeer(o, VERSION, interrupted.signal);
    });
  // --- end peer ---
  cli
    .command('completion')
    .description('print the shell completion script: source <(podreach completion bash), zsh likewise, podreach completion fish | source')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish'] as const))
    .action(async (shell) => {
      const { completionScript } = await import('./completion.ts');
      process.stdout.write(completionScript(shell, cli));
    });
  return cli;
}

/**
 * --from-env: the pod's containers over the API (--pod, or our own pod), then this container's environment.
 * What does not parse as a target is skipped, one stderr line each, naming the variable only: a value may
 * hold a credential.
 */
type EnvFlags = { api: boolean; pod?: string; container?: string; kubeconfig?: string; context?: string; namespace?: string; secrets: boolean };
async function envDependencies(env: NodeJS.ProcessEnv, o: EnvFlags): Promise<{ found: { input: string; from: string }[]; pod?: PodObject }> {
  const { dependenciesFromEnv, mergeDependencies } = await import('../context/deps.ts');
  const { parseTarget } = await import('../probe/target.ts');
  if (!o.api && (o.pod !== undefined || o.secrets)) throw new UsageError(`--from-env${o.secrets ? '=secrets' : ''}${o.pod !== undefined ? ' --pod' : ''} reads the pod over the API: drop --no-api`);
  const kube = o.api ? await import('../kube/from-env.ts') : undefined;
  const pod = await kube?.podDependencies({ ...o, env, timeoutMs: kube.FROM_ENV_API_MS, signal: interrupted.signal });
  for (const note of pod?.notes ?? []) process.stderr.write(`podreach: --from-env: ${oneLine(note)}\n`);
  const found = mergeDependencies(pod?.deps ?? [], dependenciesFromEnv(env)).filter((d) => {
    try {
      parseTarget(d.input);
      return true;
    } catch {
      process.stderr.write(`podreach: --from-env: skipped ${d.from}: not a target podreach can probe (the value is not shown)\n`);
      return false;
    }
  });
  return { found, pod: pod?.pod };
}

/** The modules that render text, JSON and YAML. */
const loadViews = () => Promise.all([import('../render/text.ts'), import('../render/serialize.ts')]);

/** One target: its report; several: the sweep. JUnit either way. */
async function render(reports: PodreachReport[], output: 'text' | 'json' | 'yaml' | 'junit', color: boolean, totalMs: number): Promise<string> {
  if (output === 'junit') {
    const { renderJunit } = await import('../render/junit.ts');
    return renderJunit(reports, totalMs);
  }
  const [{ COLOR, PLAIN, renderText }, { serialize }] = await loadViews();
  const [only] = reports;
  if (reports.length === 1 && only) return output === 'text' ? renderText(only, color ? COLOR : PLAIN) : serialize(only, output);
  const { buildSweep, renderSweepText } = await import('../render/sweep.ts');
  const sweep = buildSweep(VERSION, reports, totalMs);
  return output === 'text' ? renderSweepText(sweep, color ? COLOR : PLAIN) : serialize(sweep, output);
}

/** Ctrl-C aborts what podreach created (the node-probe pod) before the process ends. */
const interrupted = new AbortController();

export async function main(argv: string[]): Promise<number> {
  const onSignal = (sig: NodeJS.Signals) => {
    const exitCode = 128 + (sig === 'SIGINT' ? 2 : sig === 'SIGHUP' ? 1 : 15);
    killProbeChildren(); // ping children die now, not when their deadline passes
    // Nothing listening means nothing to clean up: leave at once.
    if (interrupted.signal.aborted || getEventListeners(interrupted.signal, 'abort').length === 0) {
      process.exit(exitCode);
    }
    interrupted.abort(new Error(sig));
    // Give the cleanup a bounded moment, then leave with the conventional code.
    setTimeout(() => process.exit(exitCode), 5000).unref();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('SIGHUP', onSignal);
  try {
    await program().parseAsync(argv, { from: 'user' });
    return Number(process.exitCode ?? 0);
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and --version exit 0 (printed on stdout); everything else commander rejects is a usage error.
      if (e.exitCode === 0) return 0;
      process.stderr.write(`podreach: ${commanderMessage(e, argv)}\n`);
      return EXIT.usage;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`podreach: ${e.message}\n`);
      return EXIT.usage;
    }
    const err = e as Error;
    process.stderr.write(`podreach: failed: ${oneLine(err?.message ?? String(e))}\n`);
    if (process.env.PODREACH_DEBUG) process.stderr.write(`${err?.stack ?? ''}\n`);
    return EXIT.failed;
  }
}

/** Commander's complaint as one line; help it would print for a missing command becomes a pointer to it. */
function commanderMessage(e: InstanceType<typeof CommanderError>, argv: string[]): string {
  if (e.code === 'commander.help') {
    return argv[0] === 'help' && argv[1] !== undefined
      ? `help: unknown command ${quoted(oneLine(argv[1]))} (commands: diagnose, probe, fleet, allowlist, peer, completion)`
      : 'missing command (try podreach diagnose TARGET, or --help)';
  }
  if (e.code === 'commander.unknownCommand') {
    const name = /unknown command '([\s\S]*)'/.exec(e.message)?.[1] ?? '';
    return `unknown command ${quoted(oneLine(name))} (commands: diagnose, probe, fleet, allowlist, peer, completion)`;
  }
  return oneLine(e.message.replace(/^error: /, '').replace(/\n\(Did you mean/, ' (did you mean'));
}

const code = await main(process.argv.slice(2));
// Exit explicitly once stdout is flushed: a ping child left running after TCP settled must not hold us.
process.stdout.write('', () => process.exit(code));
