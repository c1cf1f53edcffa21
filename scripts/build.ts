// Bundles the CLI for a fast start: start-up time is a product feature (see toolchain notes).
// Code splitting keeps ink/react (TUI) and @kubernetes/client-node out of the text/JSON path:
// dist/podreach.mjs is the entry; dist/chunks/ holds what it loads on demand.
import { build, type Plugin, transform } from 'esbuild';
import { execFileSync } from 'node:child_process';
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

// Node materialises every export of a builtin imported as an ES module, lazy properties included: `import
// { existsSync } from 'node:fs'` also loads fs/promises and the readline behind fs.promises, node:util its
// diff and parseArgs; fs, util, process, child_process and net bring ~70 internal modules that way, ~10 ms
// of every start. The bundle takes builtins through process.getBuiltinModule, which loads the module alone,
// and exports only the properties that are there already: an import of a lazy one (fs.promises) fails the
// build ("No matching export") instead of loading it behind our back. Which are lazy is asked of a fresh
// Node (in this process, esbuild and ajv have loaded them already): reading one loads modules.
const LAZY_PROBE = `const out = {};
for (const name of JSON.parse(process.argv[1])) {
  const mod = process.getBuiltinModule(name);
  out[name] = Object.keys(mod).filter((k) => {
    const n = process.moduleLoadList.length;
    const d = Object.getOwnPropertyDescriptor(mod, k);
    return process.moduleLoadList.length === n && d !== undefined && 'value' in d;
  });
}
process.stdout.write(JSON.stringify(out));`;
const builtinsWithoutNamespace = (): Plugin => {
  const plainKeys = new Map<string, string[]>();
  return {
    name: 'builtins-without-namespace',
    setup(b) {
      // Static imports only: a bundled CommonJS require() keeps the real module, lazy properties and all.
      b.onResolve({ filter: /^node:[a-z_/]+$/ }, (args) => (args.kind === 'import-statement' ? { path: args.path, namespace: 'builtin' } : undefined));
      b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => {
        if (!plainKeys.has(args.path)) {
          const got = JSON.parse(execFileSync(process.execPath, ['-e', LAZY_PROBE, JSON.stringify([args.path])], { encoding: 'utf8' })) as Record<string, string[]>;
          plainKeys.set(args.path, got[args.path] ?? []);
        }
        const plain = (plainKeys.get(args.path) ?? []).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k) && k !== 'default');
        const contents = `const m = process.getBuiltinModule(${JSON.stringify(args.path)});\nexport default m;\nexport const { ${plain.join(', ')} } = m;\n`;
        return { contents, loader: 'js' };
      });
    },
  };
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
  plugins: [stubDevtools, yogaWithoutFetch, standaloneValidator, builtinsWithoutNamespace()],
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
