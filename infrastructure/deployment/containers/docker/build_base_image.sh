#!/usr/bin/env bash
# Build a local Python 3.11 base image without any image registry:
#   debootstrap a minimal Debian bookworm (its python3 is 3.11, so the host's
#   cp311 manylinux wheels install in it) and `docker import` the folder.
#
#   infrastructure/deployment/containers/docker/build_base_image.sh [--force] [--tag IMAGE]
#
# Idempotent: when the image already exists it says so and does nothing
# (--force rebuilds it). Needs root (debootstrap), a Docker Engine and the
# Debian mirror (MIRROR, default http://deb.debian.org/debian).
set -Eeuo pipefail
trap 'echo "build_base_image.sh FAILED at line $LINENO: $BASH_COMMAND" >&2' ERR

TAG="${BASE_IMAGE_TAG:-mlops-workbench/python-base:3.11-bookworm}"
SUITE="bookworm"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
FORCE=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --force) FORCE=1 ;;
        --tag) TAG="$2"; shift ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) echo "unknown argument '$1' (expected --force or --tag IMAGE)" >&2; exit 2 ;;
    esac
    shift
done

if ! docker info >/dev/null 2>&1; then
    echo "no Docker Engine reachable (${DOCKER_HOST:-unix:///var/run/docker.sock}): start one with 'sudo dockerd &'" >&2
    exit 1
fi
if [[ $FORCE -eq 0 ]] && docker image inspect "$TAG" >/dev/null 2>&1; then
    echo "base image $TAG already exists ($(docker image inspect --format '{{.Id}}' "$TAG" | cut -c1-19)); --force rebuilds it"
    exit 0
fi
for tool in debootstrap tar; do
    command -v "$tool" >/dev/null || { echo "'$tool' is not installed: apt-get install -y $tool" >&2; exit 1; }
done
if [[ $(id -u) -ne 0 ]]; then
    echo "debootstrap needs root: run this script with sudo" >&2
    exit 1
fi

ROOTFS="$(mktemp -d /tmp/python-base-rootfs.XXXXXX)"
cleanup() { rm -rf "$ROOTFS"; }
trap cleanup EXIT

echo "== debootstrap $SUITE (minbase + python3) into $ROOTFS from $MIRROR"
start=$(date +%s)
debootstrap --variant=minbase --include=python3,python3-venv,python3-pip,ca-certificates \
    "$SUITE" "$ROOTFS" "$MIRROR"

# Smaller image: no package lists, caches, docs or translations.
rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/var/cache/apt/archives/*.deb \
       "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/locale/* "$ROOTFS"/tmp/* \
       "$ROOTFS"/var/log/*.log
"$ROOTFS"/usr/bin/python3 --version >/dev/null 2>&1 || chroot "$ROOTFS" python3 --version

echo "== docker import -> $TAG"
tar --numeric-owner -C "$ROOTFS" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV PYTHONDONTWRITEBYTECODE=1' \
    --change 'CMD ["python3"]' \
    --message "Debian $SUITE minbase + python3 (debootstrap, mlops-workbench)" \
    - "$TAG"
echo "== $TAG: $(docker run --rm "$TAG" python3 --version), $(docker image inspect --format '{{.Size}}' "$TAG" | awk '{printf "%.0f MB", $1/1e6}'), built in $(( $(date +%s) - start )) s"
