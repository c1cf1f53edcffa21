// The bundle's entry (dist/podreach.mjs): starts the live view's worker while the CLI loads.
import { prestartWorker } from './prestart.ts';

prestartWorker(new URL('./diagnose-worker.mjs', import.meta.url), process.argv.slice(2), process.stdout.isTTY === true);
await import('./main.ts');
