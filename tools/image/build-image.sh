#!/usr/bin/env bash
# tools/image/build-image.sh BUILD_DIR: the nq57 OCI image, from this build's
# binaries and Debian bookworm's own shared libraries; nothing is pulled from
# a container registry.
#
# The root filesystem holds exactly what the servers need to run: the four
# servers and nq57ctl (stripped) in /usr/local/bin, the shared-library
# closure ldd finds for them (from the Debian packages installed here, laid
# out merged-/usr as Debian does), their packages' copyright files,
# deploy/config in /usr/local/share/nq57/config, and /etc/passwd + group
# with the one user nq57 (uid/gid 10001). No shell, no package manager, no
# build tools. The image config runs as 10001:10001 and is labelled with the
# version and the git commit.
#
# Reproducible: every file's time is the commit's time (SOURCE_DATE_EPOCH),
# the layer tar is sorted with numeric root ownership, umoci writes the
# layout with that creation time and no history of "now", and the archive is
# a sorted tar of the layout; the same commit and the same installed
# packages give the same digest.
#
# Output: BUILD_DIR/image/oci (an OCI image layout, tag = version),
# BUILD_DIR/nq57-image.tar (the same as an oci-archive: `skopeo copy
# oci-archive:build/nq57-image.tar docker://REGISTRY/nq57:TAG`), and
# BUILD_DIR/image/digest (the manifest digest). Needs root only for nothing;
# needs umoci (make deps-image).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:?usage: tools/image/build-image.sh BUILD_DIR}
version=$(cat VERSION)
commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  commit="$commit-dirty"
fi
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
created=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
programs=(criteria-server publicservice-server eidentity-server aggregator-server nq57ctl)

work=$build/image
root=$work/rootfs
rm -rf "$work" "$build/nq57-image.tar"
mkdir -p "$root"/{usr/local/bin,usr/local/share/nq57,usr/lib,usr/lib64,etc,tmp,var/lib/nq57,var/lib/nq57-backups}
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"
chmod 1777 "$root/tmp"

for p in "${programs[@]}"; do
  bin=$build/bin/$p
  [ -x "$bin" ] || { echo "build-image: $bin is missing (build first)" >&2; exit 1; }
  strip --strip-unneeded -o "$root/usr/local/bin/$p" "$bin"
done

# The shared-library closure (ldd resolves it transitively), plus the
# dynamic loader. /lib and /lib64 paths land under usr/, as on Debian.
declare -A libs=()
for p in "${programs[@]}"; do
  while read -r path; do libs[$path]=1; done < <(
    ldd "$build/bin/$p" | awk '/=> \//{print $3} /^\t\/.*ld-linux/{print $1}')
done
packages=()
for path in "${!libs[@]}"; do
  real=$(readlink -f "$path")
  dest=${path#/}
  case $dest in lib/*|lib64/*) dest=usr/$dest ;; esac
  mkdir -p "$root/$(dirname "$dest")"
  cp "$real" "$root/$dest"
  pkg=$(dpkg-query -S "$real" 2>/dev/null | head -1 | cut -d: -f1 || true)
  [ -z "$pkg" ] && pkg=$(dpkg-query -S "$path" 2>/dev/null | head -1 | cut -d: -f1 || true)
  [ -n "$pkg" ] && packages+=("$pkg")
done
# What the image contains, by Debian package, with each one's licence.
mkdir -p "$root/usr/share/doc"
printf '%s\n' "${packages[@]}" | sort -u > "$work/packages"
while read -r pkg; do
  base=${pkg%%:*}
  if [ -f "/usr/share/doc/$base/copyright" ]; then
    mkdir -p "$root/usr/share/doc/$base"
    cp "/usr/share/doc/$base/copyright" "$root/usr/share/doc/$base/"
  fi
  dpkg-query -W -f='${Package} ${Version}\n' "$pkg"
done < "$work/packages" > "$root/usr/share/doc/nq57-image-packages.txt"

cp -r deploy/config "$root/usr/local/share/nq57/config"
rm -f "$root/usr/local/share/nq57/config/kustomization.yaml"
cat > "$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/usr/sbin/nologin
nq57:x:10001:10001:nq57:/var/lib/nq57:/usr/sbin/nologin
PASSWD
cat > "$root/etc/group" <<'GROUP'
root:x:0:
nq57:x:10001:
GROUP
echo "hosts: files dns" > "$root/etc/nsswitch.conf"
printf 'nq57 %s (%s)\n' "$version" "$commit" > "$root/etc/nq57-release"

# The layer: a sorted tar, root-owned, every time the commit's.
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
tar --sort=name --format=posix \
  --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
  --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
  -C "$root" -cf "$work/layer.tar" .

layout=$work/oci
umoci init --layout "$layout"
umoci new --image "$layout:$version"
umoci raw add-layer --image "$layout:$version" \
  --history.created="$created" --history.created_by="tools/image/build-image.sh" \
  --history.comment="nq57 $version: binaries, shared-library closure, config" \
  "$work/layer.tar"
umoci config --image "$layout:$version" --no-history \
  --created="$created" --os=linux --architecture=amd64 \
  --config.user=10001:10001 --config.workingdir=/var/lib/nq57 \
  --config.env=PATH=/usr/local/bin \
  --config.env=NQ57_CONFIG_DIR=/usr/local/share/nq57/config \
  --config.label=org.opencontainers.image.title=nq57 \
  --config.label=org.opencontainers.image.version="$version" \
  --config.label=org.opencontainers.image.revision="$commit" \
  --config.label=org.opencontainers.image.created="$created" \
  --config.label=org.opencontainers.image.source=nq57 \
  --manifest.annotation=org.opencontainers.image.version="$version" \
  --manifest.annotation=org.opencontainers.image.revision="$commit"
umoci gc --layout "$layout"

find "$layout" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
tar --sort=name --format=posix \
  --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
  --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
  -C "$layout" -cf "$build/nq57-image.tar" .
digest=$(sed -n 's/.*"digest":"\(sha256:[0-9a-f]*\)".*/\1/p' "$layout/index.json" | head -1)
echo "$digest" > "$work/digest"
size=$(du -b "$build/nq57-image.tar" | cut -f1)
echo "image nq57:$version ($commit): $build/nq57-image.tar, $size bytes, manifest $digest"
