#!/usr/bin/env bash
# Regenerates Sources/RustDeskWire/Generated/*.pb.swift from the .proto files next to this script.
# The output is committed, so normal builds need neither protoc nor the plugin; run this only after
# editing a .proto. The plugin is pinned to the same swift-protobuf release as Package.swift so the
# generated code matches the runtime library. Safe to re-run: the output is byte-identical.
set -euo pipefail

readonly plugin_version="1.39.0"
protos_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
package_dir="$(cd "$protos_dir/../../.." && pwd)"
out_dir="$package_dir/Sources/RustDeskWire/Generated"
tools_dir="$package_dir/.build-tools/swift-protobuf"

if ! command -v protoc >/dev/null 2>&1; then
    echo "generate.sh: protoc not found; install it (Debian: apt-get install -y protobuf-compiler)" >&2
    exit 1
fi

if [ ! -d "$tools_dir" ]; then
    git clone --quiet --branch "$plugin_version" https://github.com/apple/swift-protobuf.git "$tools_dir"
fi
(cd "$tools_dir" && swift build --product protoc-gen-swift >&2)
plugin="$(cd "$tools_dir" && swift build --product protoc-gen-swift --show-bin-path)/protoc-gen-swift"

mkdir -p "$out_dir"
# Relative proto paths keep absolute directories out of the generated files.
cd "$protos_dir"
protoc \
    --plugin=protoc-gen-swift="$plugin" \
    --swift_out="$out_dir" \
    --swift_opt=Visibility=Public \
    --swift_opt=FileNaming=DropPath \
    rendezvous.proto message.proto
echo "generate.sh: wrote $out_dir/rendezvous.pb.swift and message.pb.swift" >&2
