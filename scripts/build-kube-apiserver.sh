#!/usr/bin/env bash
# Build a real kube-apiserver v1.20.2 from Debian bookworm's `kubernetes`
# source package (1.20.5+really1.20.2) and cache it outside the checkout, for
# the integration tests (testkit/auditor_testkit/kubeapi.py). Also installs Debian's
# etcd-server, whose /usr/bin/etcd the tests start on a free port themselves.
#
# Idempotent and non-interactive: when the cached binary already exists and
# answers --version, it prints the path and exits at once. The build (about
# 13 minutes on 2 cores) happens in a temp dir under the cache dir and the
# binary is moved into place only after it built and reported the right
# version. The binary path is always the last line printed.
#
# Environment:
#   AUDITOR_CACHE_DIR  cache root (default: $HOME/.cache/auditor)
set -euo pipefail

KUBE_VERSION=v1.20.2
KUBE_MAJOR=1
KUBE_MINOR=20
SRC_PACKAGE=kubernetes

# The build's name in the cache: bump it whenever the build changes, so a machine holding an older
# binary builds the new one (kube-apiserver-v1.20.2, the first build, crashed on custom resources).
BUILD_NAME="kube-apiserver-$KUBE_VERSION-reflect2"

CACHE_DIR="${AUDITOR_CACHE_DIR:-$HOME/.cache/auditor}"
DEST_DIR="$CACHE_DIR/$BUILD_NAME"
DEST="$DEST_DIR/kube-apiserver"

log() { printf '[build-kube-apiserver] %s\n' "$*" >&2; }

binary_ok() {
    [[ -x "$1" ]] && "$1" --version >/dev/null 2>&1
}

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
    SUDO=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive

# Keep apt from starting etcd as a system service: the tests run their own
# etcd on a free port and must not depend on (or collide with) a service.
POLICY_RC=/usr/sbin/policy-rc.d
POLICY_RC_CREATED=0
block_service_starts() {
    if [[ ! -e $POLICY_RC ]]; then
        printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee "$POLICY_RC" >/dev/null
        "${SUDO[@]}" chmod 755 "$POLICY_RC"
        POLICY_RC_CREATED=1
    fi
}
unblock_service_starts() {
    if [[ $POLICY_RC_CREATED -eq 1 ]]; then
        "${SUDO[@]}" rm -f "$POLICY_RC"
        POLICY_RC_CREATED=0
    fi
}

apt_install() {
    # Installs the given packages if any is missing.
    local missing=()
    local pkg
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$pkg")
        fi
    done
    if [[ ${#missing[@]} -eq 0 ]]; then
        return 0
    fi
    log "apt-get install ${missing[*]}"
    block_service_starts
    "${SUDO[@]}" apt-get update -qq
    "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
    unblock_service_starts
}

ensure_etcd() {
    if ! command -v etcd >/dev/null 2>&1; then
        apt_install etcd-server
    fi
    # If a service manager is running, make sure a packaged etcd service
    # neither runs now nor starts at boot; harmless when there is none.
    if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; then
        "${SUDO[@]}" systemctl disable --now etcd >/dev/null 2>&1 || true
    fi
    command -v etcd >/dev/null 2>&1 || { log "etcd not found after installing etcd-server"; exit 1; }
}

# Fast path: already built.
if binary_ok "$DEST"; then
    ensure_etcd
    log "cached: $("$DEST" --version)"
    echo "$DEST"
    exit 0
fi

ensure_deb_src() {
    local f=/etc/apt/sources.list.d/debian-src.sources
    if grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ \
        || grep -qs '^deb-src ' /etc/apt/sources.list; then
        return 0
    fi
    log "enabling deb-src in $f"
    sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
        | "${SUDO[@]}" tee "$f" >/dev/null
    "${SUDO[@]}" apt-get update -qq
}

ensure_deb_src
apt_install golang-go dpkg-dev rsync jq etcd-server make
ensure_etcd

mkdir -p "$CACHE_DIR"
WORK="$(mktemp -d "$CACHE_DIR/kube-apiserver-build.XXXXXX")"
cleanup() {
    unblock_service_starts
    rm -rf "$WORK"
}
trap cleanup EXIT

log "building in $WORK"
cd "$WORK"
apt-get source --download-only "$SRC_PACKAGE" >&2
DSC=$(ls "$SRC_PACKAGE"_*.dsc | head -n1)
dpkg-source -x --skip-patches "$DSC" src >&2

# Kubernetes 1.20 vendors github.com/modern-go/reflect2 1.0.1, which breaks under Go >= 1.18: the
# first map json-iterator encodes through it (the object of every custom resource a client creates
# or lists) kills the server with "unexpected fault address" in UnsafeMapType.UnsafeIterate.
# reflect2 1.0.2 fixes it with the same API; Debian ships its source, so swap it into vendor/.
log "vendoring reflect2 1.0.2 (golang-github-modern-go-reflect2-dev)"
apt-get download golang-github-modern-go-reflect2-dev >&2
dpkg -x golang-github-modern-go-reflect2-dev_*.deb reflect2-deb
REFLECT2="reflect2-deb/usr/share/gocode/src/github.com/modern-go/reflect2"
grep -q 'go1.18' "$REFLECT2/go_above_118.go" || { log "reflect2 package lacks the Go 1.18 fix"; exit 1; }
rsync -a --delete --exclude '*_test.go' "$REFLECT2/" src/vendor/github.com/modern-go/reflect2/

# GOPATH-mode build, as the Debian package does it.
mkdir -p .go/src/k8s.io
ln -s "$WORK/src" .go/src/k8s.io/kubernetes
export GOPATH="$WORK/.go"
export GOCACHE="$WORK/.gocache"
export GO111MODULE=off
export CGO_ENABLED=0
export GOFLAGS=
cd "$GOPATH/src/k8s.io/kubernetes"

log "make gen_openapi"
make gen_openapi >&2

# Stamp the version into both version packages, as hack/lib/version.sh does:
# component-base serves `kube-apiserver --version` and the kube-apiserver's
# Version, but /version is answered by the aggregator, which reads
# client-go's copy. With only the former set, /version says v0.0.0-master.
BUILD_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS="-s -w"
for pkg in component-base/version client-go/pkg/version; do
    p="k8s.io/kubernetes/vendor/k8s.io/$pkg"
    LDFLAGS+=" -X $p.gitVersion=$KUBE_VERSION"
    LDFLAGS+=" -X $p.gitMajor=$KUBE_MAJOR"
    LDFLAGS+=" -X $p.gitMinor=$KUBE_MINOR"
    LDFLAGS+=" -X $p.gitTreeState=clean"
    LDFLAGS+=" -X $p.buildDate=$BUILD_DATE"
done

log "go build ./cmd/kube-apiserver"
start=$(date +%s)
go build -ldflags "$LDFLAGS" -o "$WORK/kube-apiserver" ./cmd/kube-apiserver >&2
log "go build took $(( $(date +%s) - start ))s"

got="$("$WORK/kube-apiserver" --version)"
if [[ "$got" != "Kubernetes $KUBE_VERSION" ]]; then
    log "unexpected version output: '$got' (want 'Kubernetes $KUBE_VERSION')"
    exit 1
fi
log "built: $got"

# Same filesystem as $WORK, so mv is an atomic rename.
mkdir -p "$DEST_DIR"
mv -f "$WORK/kube-apiserver" "$DEST"
echo "$DEST"
