// The image's build arguments, from package.json and git: what the OCI labels in image/Containerfile say.
//   node scripts/image-args.ts podman build -f image/Containerfile -t podreach .
// runs that build with the arguments inserted after `build` (docker works the same way); with no command it
// prints them, one `--build-arg=NAME=VALUE` a line.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const REPO = join(import.meta.dirname, '..');

interface Pkg {
  version: string;
  description: string;
  license: string;
  author?: string | { name: string };
  homepage?: string;
  repository?: string | { url: string };
}

/** git+https://host/x.git, github:x/y or a plain URL → the https URL a browser opens. */
export function sourceUrl(repository: Pkg['repository']): string | undefined {
  const raw = typeof repository === 'string' ? repository : repository?.url;
  if (!raw) return undefined;
  const gh = /^(?:github:)?([\w.-]+\/[\w.-]+)$/.exec(raw);
  if (gh) return `https://github.com/${gh[1]}`;
  return raw.replace(/^git\+/, '').replace(/^git:\/\//, 'https://').replace(/\.git$/, '');
}

function gitRevision(): string {
  try {
    return execFileSync('git', ['-C', REPO, 'rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || 'unknown';
  } catch {
    return 'unknown';
  }
}

export function imageBuildArgs(opts: { created?: Date; revision?: string } = {}): Record<string, string> {
  const pkg: Pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
  const source = sourceUrl(pkg.repository);
  if (!source) throw new Error('package.json: no "repository" to label the image with');
  const url = (pkg.homepage ?? source).replace(/#.*$/, '');
  const author = typeof pkg.author === 'string' ? pkg.author : pkg.author?.name;
  return {
    VERSION: pkg.version,
    REVISION: opts.revision ?? gitRevision(),
    // RFC 3339, as the OCI annotation asks; whole seconds.
    CREATED: (opts.created ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    SOURCE: source,
    URL: url,
    DOCUMENTATION: `${source}/blob/v${pkg.version}/README.md`,
    VENDOR: author ?? 'podreach',
    AUTHORS: author ?? 'podreach',
  };
}

export const buildArgFlags = (args: Record<string, string>): string[] => Object.entries(args).map(([k, v]) => `--build-arg=${k}=${v}`);

if (import.meta.main) {
  const [tool, sub, ...rest] = process.argv.slice(2);
  const flags = buildArgFlags(imageBuildArgs());
  if (!tool) {
    process.stdout.write(`${flags.join('\n')}\n`);
  } else {
    const r = spawnSync(tool, [sub ?? 'build', ...flags, ...rest], { stdio: 'inherit' });
    process.exitCode = r.status ?? 1;
  }
}
