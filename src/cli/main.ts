import { getEventListeners } from 'node:events';
import { Command, CommanderError, Option } from '@commander-js/extra-typings';
import { MAX_VPC_CIDRS } from '../context/flags.ts';
import { killProbeChildren } from '../probe/children.ts';
import { DEFAULT_TIMEOUT_MS } from '../probe/run.ts';
import { budget, collect, nonEmpty, wholeNumber } from './args.ts';
import { runDiagnose } from './diagnose.ts';
import { oneLine, quoted, UsageError } from './errors.ts';
import { EXIT } from './exit-codes.ts';
import { drawingTerminal } from './prestart.ts';

declare const PODREACH_VERSION: string;
const VERSION = typeof PODREACH_VERSION === 'string' ? PODREACH_VERSION : '0.0.0-dev';

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
    .description('probe TARGET from this pod and name the cause when it is unreachable')
    .argument('<target>', 'IP, IP:PORT, HOST:PORT, [v6]:PORT, or a URL (http://, redis://, mysql://, ...)')
    .option('-p, --port <port>', 'port to test (overrides TARGET)', wholeNumber('--port'))
    // No default: without -o, a terminal on stdout gets the live view (src/cli/tui.ts), anything else text.
    .addOption(new Option('-o, --output <format>', 'text or json (default: live view on a terminal, else text)').choices(['text', 'json'] as const))
    .option('--pod-ip <ip>', 'this pod\'s IP (env PODREACH_POD_IP, POD_IP)')
    .option('--node-ip <ip>', 'IP of the node running this pod (env PODREACH_NODE_IP, NODE_IP, HOST_IP)')
    .option('--container-cidr <cidr>', 'the cluster\'s container CIDR (ENI: the container subnet)')
    .option('--vpc-cidr <cidr>', `the node's VPC CIDR (repeatable, comma-separated; at most ${MAX_VPC_CIDRS})`, collect)
    .option('--service-cidr <cidr>', 'the cluster\'s service CIDR')
    .option('--network-model <model>', 'tunnel, vpc, eni or auto')
    .option('--node-report <file>', 'JSON from `podreach probe TARGET -o json` run on the node')
    .option('--timeout <ms>', 'overall probe budget in ms', budget, DEFAULT_TIMEOUT_MS)
    .option('--kubeconfig <file>', 'kubeconfig to read the pod, node and cluster from (default: service account, $KUBECONFIG, ~/.kube/config)', nonEmpty('--kubeconfig'))
    .option('--context <name>', 'kubeconfig context', nonEmpty('--context'))
    .option('-n, --namespace <ns>', 'namespace of the pod', nonEmpty('--namespace'))
    .option('--pod <name>', 'the pod to diagnose for (default: this pod, by hostname)', nonEmpty('--pod'))
    .option('--no-api', 'do not use the Kubernetes API')
    .option('--no-node-probe', 'do not start a short-lived pod on the node to probe from there')
    .option('--image <image>', 'image for the node-probe pod (default: the image podreach runs from)', nonEmpty('--image'))
    .option('--no-color', 'no colour (also NO_COLOR)')
    .action(async (targetInput, o) => {
      const terminal = drawingTerminal(process.stdout.isTTY === true, process.env);
      const color = o.color && !process.env.NO_COLOR && terminal;
      const diagnoseOpts = {
        port: o.port,
        timeoutMs: o.timeout,
        nodeReport: o.nodeReport,
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
        kube: o.api ? { kubeconfig: o.kubeconfig, context: o.context, namespace: o.namespace, pod: o.pod } : (false as const),
        nodeProbe: o.nodeProbe,
        image: o.image,
        signal: interrupted.signal,
      };
      // --- TUI (issue #5): no -o and stdout is a terminal ---
      if (o.output === undefined && terminal) {
        const { runTui } = await import('./tui.ts');
        process.exitCode = await runTui(targetInput, diagnoseOpts, { color });
        return;
      }
      // --- end TUI ---
      const report = await runDiagnose(targetInput, diagnoseOpts);
      if (o.output === 'json') process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else {
        const { renderText, COLOR, PLAIN } = await import('../render/text.ts');
        process.stdout.write(renderText(report, color ? COLOR : PLAIN));
      }
      process.exitCode = report.diagnosis.reachable ? EXIT.reachable : EXIT.notReachable;
    });

  cli
    .command('probe')
    .description('only probe TARGET and print the raw report (run it on the node, feed it to --node-report)')
    .argument('<target>', 'as for diagnose')
    .option('-p, --port <port>', 'port to test (overrides TARGET)', wholeNumber('--port'))
    .addOption(new Option('-o, --output <format>', 'text or json').choices(['text', 'json'] as const).default('json'))
    .option('--role <role>', 'pod or node: who is probing', 'node')
    .option('--timeout <ms>', 'overall probe budget in ms', budget, DEFAULT_TIMEOUT_MS)
    .action(async (targetInput, o) => {
      const { parseTarget } = await import('../probe/target.ts');
      const { runProbes } = await import('../probe/run.ts');
      if (o.role !== 'pod' && o.role !== 'node') throw new UsageError(`--role: ${quoted(o.role)} is not pod or node`);
      const target = parseTarget(targetInput, o.port);
      const report = await runProbes(target, { role: o.role, timeoutMs: o.timeout });
      if (o.output === 'json') process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else process.stdout.write(`${report.from.role} ${report.from.hostname}: ${report.target.input} icmp ${report.icmp.status}${report.tcp ? `, tcp/${report.tcp.port} ${report.tcp.status}` : ''}${report.app ? `, ${report.app.protocol} ${report.app.status}` : ''}${report.pmtu ? `, mtu ${report.pmtu.mtu} ${report.pmtu.status}` : ''}${report.dns ? `, dns ${report.dns.status}` : ''}\n`);
      const ok = report.tcp ? report.tcp.status === 'open' : report.icmp.status === 'reply';
      process.exitCode = ok ? EXIT.reachable : EXIT.notReachable;
    });
  return cli;
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
      ? `help: unknown command ${quoted(oneLine(argv[1]))} (commands: diagnose, probe)`
      : 'missing command (try podreach diagnose TARGET, or --help)';
  }
  if (e.code === 'commander.unknownCommand') {
    const name = /unknown command '([\s\S]*)'/.exec(e.message)?.[1] ?? '';
    return `unknown command ${quoted(oneLine(name))} (commands: diagnose, probe)`;
  }
  return oneLine(e.message.replace(/^error: /, '').replace(/\n\(Did you mean/, ' (did you mean'));
}

const code = await main(process.argv.slice(2));
// Exit explicitly once stdout is flushed: a ping child left running after TCP settled must not hold us.
process.stdout.write('', () => process.exit(code));
