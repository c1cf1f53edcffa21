// Bundles the CLI for a fast start: start-up time is a product feature (see toolchain notes).
// Code splitting keeps ink/react (TUI) and @kubernetes/client-node out of the text/JSON path:
// dist/podreach.mjs is the entry; dist/chunks/ holds what it loads on demand.
import { build, type Plugin, transform } from 'esbuild';
import { readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import standaloneCode from 'ajv/dist/standalone/index.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

// ink imports react-devtools-core only when DEV=true; an empty stub keeps the bundle self-contained.
const stubDevtools: Plugin = {
  name: 'stub-react-devtools-core',
  setup(b) {
    b.onResolve({ filter: /^react-devtools-core$/ }, () => ({ path: 'react-devtools-core', namespace: 'stub' }));
    b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'export default { initialize() {}, connectToDevTools() {} };' }));
  },
};

// yoga-layout (ink's layout engine) loads its wasm from a base64 data: URL, and with a global fetch it
// fetches that URL: Node then loads undici, ~30 ms on the live view's first frame. Shadowed in that one
// module, it decodes the base64 itself.
const yogaWithoutFetch: Plugin = {
  name: 'yoga-without-fetch',
  setup(b) {
    b.onLoad({ filter: /yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/ }, (args) => ({
      contents: `const fetch = undefined;\n${readFileSync(args.path, 'utf8')}`,
      loader: 'js',
    }));
  },
};

// The probe-report validator (src/probe/report-schema.ts) compiles the schema with ajv when it loads; the
// bundle gets the compiled function instead, as ajv standalone code: no run pays for compiling it, and
// ajv stays a devDependency.
const standaloneValidator: Plugin = {
  name: 'probe-report-validator',
  setup(b) {
    b.onLoad({ filter: /src[\\/]probe[\\/]report-schema\.ts$/ }, async (args) => {
      const { ajv, default: validate } = await import(pathToFileURL(args.path).href);
      // Generated code is verbose (~100 kB as written): minified, the chunk loads in a third of the time.
      const { code } = await transform(standaloneCode.default(ajv, validate), { minify: true, format: 'esm', target: 'node24' });
      return { contents: code, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

// Build beside dist/ and swap it in, so a run that is using dist/ never sees it half-written.
const tmp = `dist.tmp-${process.pid}`;
await build({
  entryPoints: { podreach: 'src/cli/entry.ts', 'ui-worker': 'src/render/tui/ui-worker.tsx' },
  outdir: tmp,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  legalComments: 'none',
  logLevel: 'warning',
  define: { PODREACH_VERSION: JSON.stringify(pkg.version), 'process.env.DEV': '"false"', 'process.env.NODE_ENV': '"production"' },
  plugins: [stubDevtools, yogaWithoutFetch, standaloneValidator],
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
});
rmSync(`dist.old-${process.pid}`, { recursive: true, force: true });
try {
  renameSync('dist', `dist.old-${process.pid}`);
} catch {}
renameSync(tmp, 'dist');
rmSync(`dist.old-${process.pid}`, { recursive: true, force: true });
