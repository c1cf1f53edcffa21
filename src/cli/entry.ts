// The bundle's entry (dist/podreach.mjs): starts the live view's thread while the CLI loads.
import { enableCompileCache } from 'node:module';

declare const PODREACH_VERSION: string;

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  // What main.ts would print, without loading it: --version costs Node's own start and nothing more.
  process.stdout.write(`${typeof PODREACH_VERSION === 'string' ? PODREACH_VERSION : '0.0.0-dev'}\n`);
} else {
  // V8's code cache for the chunks a run loads (in $TMPDIR/node-compile-cache; a read-only one is skipped).
  enableCompileCache();
  const { drawingTerminal, prestartUi } = await import('./prestart.ts');
  prestartUi(new URL('./ui-worker.mjs', import.meta.url), argv, drawingTerminal(process.stdout.isTTY === true, process.env));
  await import('./main.ts');
}
