// The bundle's entry (dist/podreach.mjs): starts the live view's thread while the CLI loads.
import { drawingTerminal, prestartUi } from './prestart.ts';

prestartUi(new URL('./ui-worker.mjs', import.meta.url), process.argv.slice(2), drawingTerminal(process.stdout.isTTY === true, process.env));
await import('./main.ts');
