// The bundle's entry (dist/podreach.mjs): starts the live view's thread while the CLI loads.
import { prestartUi } from './prestart.ts';

prestartUi(new URL('./ui-worker.mjs', import.meta.url), process.argv.slice(2), process.stdout.isTTY === true);
await import('./main.ts');
