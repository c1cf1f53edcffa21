// Packages the kubectl plugin for krew: dist/krew/kubectl-podreach-vVERSION.tar.gz (the plugin and its
// completion, byte-for-byte reproducible) and plugins/podreach.yaml with that archive's sha256.
//   node scripts/krew.ts            writes both
//   kubectl krew install --manifest=plugins/podreach.yaml --archive=dist/krew/kubectl-podreach-v0.1.0.tar.gz
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sourceUrl } from './image-args.ts';

const REPO = join(import.meta.dirname, '..');
export const PLUGIN_FILES = ['kubectl-podreach', 'kubectl_complete-podreach'] as const;
export const MANIFEST = join(REPO, 'plugins', 'podreach.yaml');

const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string; repository?: { url: string } };
export const archiveName = (version = pkg.version) => `kubectl-podreach-v${version}.tar.gz`;

/** The archive, always the same bytes for the same files: sorted, epoch mtimes, root-owned, gzip without a name or time. */
export function buildArchive(outDir: string): { file: string; sha256: string } {
  const plugin = readFileSync(join(REPO, 'image', 'kubectl-podreach'), 'utf8');
  if (!plugin.includes(`\nVERSION=${pkg.version}\n`)) throw new Error(`image/kubectl-podreach: VERSION is not package.json's ${pkg.version}`);
  const stage = mkdtempSync(join(tmpdir(), 'podreach-krew-'));
  try {
    for (const f of PLUGIN_FILES) {
      writeFileSync(join(stage, f), readFileSync(join(REPO, 'image', f)), { mode: 0o755 });
    }
    mkdirSync(outDir, { recursive: true });
    const tar = execFileSync('tar', ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '--mode=go-w', '-C', stage, '-cf', '-', ...PLUGIN_FILES]);
    const gz = execFileSync('gzip', ['-n', '-9'], { input: tar });
    const file = join(outDir, archiveName());
    writeFileSync(file, gz);
    return { file, sha256: createHash('sha256').update(gz).digest('hex') };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

export function manifest(sha256: string): string {
  const source = sourceUrl(pkg.repository);
  if (!source) throw new Error('package.json: no "repository" for the archive URL');
  const v = `v${pkg.version}`;
  return `# Made by scripts/krew.ts (do not edit: run \`node scripts/krew.ts\` after changing the plugin).
apiVersion: krew.googlecontainertools.github.com/v1alpha2
kind: Plugin
metadata:
  name: podreach
spec:
  version: ${v}
  homepage: ${source}
  shortDescription: Explain why a pod cannot reach an address
  description: |
    Runs podreach in an ephemeral debug container that shares the pod's network
    namespace: it works out the pod's network model, container, VPC and service
    CIDRs, probes the target (ICMP, TCP, DNS, path MTU, one application
    exchange) and names the cause (security group, whitelist, route, Docker
    bridge conflict, network policy, ...) with the fix to apply.
      kubectl podreach POD TARGET...
      kubectl podreach node NODE TARGET...
  caveats: |
    The plugin runs the podreach image (podreach:${pkg.version} by default; set
    PODREACH_IMAGE or --image to your registry's copy). It needs kubectl 1.27 or
    later (kubectl debug --profile) and ephemeral containers on the cluster.
    In namespaces enforcing Pod Security baseline/restricted it uses
    --profile=restricted: ICMP then needs the pod's net.ipv4.ping_group_range.
    Completion: link kubectl_complete-podreach next to kubectl-podreach, e.g.
      ln -s "\${KREW_ROOT:-$HOME/.krew}/store/podreach/${v}/kubectl_complete-podreach" "\${KREW_ROOT:-$HOME/.krew}/bin/"
  platforms:
    - selector:
        matchExpressions:
          - { key: os, operator: In, values: [linux, darwin] }
      uri: ${source}/releases/download/${v}/${archiveName()}
      sha256: ${sha256}
      files:
${PLUGIN_FILES.map((f) => `        - { from: ${f}, to: . }`).join('\n')}
      bin: kubectl-podreach
`;
}

if (import.meta.main) {
  const { file, sha256 } = buildArchive(join(REPO, 'dist', 'krew'));
  mkdirSync(join(REPO, 'plugins'), { recursive: true });
  writeFileSync(MANIFEST, manifest(sha256));
  process.stdout.write(`${file}\n${MANIFEST} (sha256 ${sha256})\n`);
}
