#!/usr/bin/env bash
# Builds release archives of okta-mcp for every supported platform into dist/,
# with sha256sums.txt. Usage: scripts/release.sh [VERSION]   (default: git describe)
set -euo pipefail
cd "$(dirname "$0")/.."

version=${1:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
ldflags="-s -w -X github.com/okta-mcp/okta-mcp/cli.version=${version} -X github.com/okta-mcp/okta-mcp/cli.commit=${commit}"

rm -rf dist && mkdir -p dist
for target in darwin/arm64 darwin/amd64 linux/amd64 linux/arm64 windows/amd64; do
  os=${target%/*} arch=${target#*/}
  name="okta-mcp_${version}_${os}_${arch}"
  stage="dist/${name}"
  mkdir -p "$stage"
  exe=okta-mcp; [ "$os" = windows ] && exe=okta-mcp.exe
  CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath -ldflags "$ldflags" -o "$stage/$exe" .
  cp README.md config.example.json "$stage/"
  if [ "$os" = windows ]; then
    if command -v zip >/dev/null; then (cd dist && zip -qr "${name}.zip" "$name"); else (cd dist && python3 -m zipfile -c "${name}.zip" "$name"); fi
  else
    tar -C dist -czf "dist/${name}.tar.gz" "$name"
  fi
  rm -rf "$stage"
  echo "built dist/${name}"
done
(cd dist && sha256sum okta-mcp_* > sha256sums.txt)
echo "checksums in dist/sha256sums.txt"
