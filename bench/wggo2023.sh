#!/usr/bin/env bash
# Builds wireguard-go as of December 2023 (commit 542e565, batched I/O, UDP GSO/GRO, TUN
# offloads), the comparison of issue 17, with Debian's Go 1.19 and without the network:
#
#   bench/wggo2023.sh [MIRROR [DEST]]
#     MIRROR  a git repository of wireguard-go (default /work/.mirror/WireGuard+wireguard-go/repo)
#     DEST    where it goes (default /work/wggo2023): DEST/src is the checkout,
#             DEST/x-sys a patched copy of golang.org/x/sys, DEST/wireguard-go the binary.
#   then:   WGGO=DEST/wireguard-go make bench   (or bench/run.sh latency)
#
# Its go.mod asks for x/crypto 0.13, x/net 0.15, x/sys 0.12 and Go 1.20. What Debian has
# instead (apt-get install golang-golang-x-crypto-dev golang-golang-x-net-dev
# golang-golang-x-sys-dev): x/crypto 0.4, x/net 0.7, x/sys 0.3. Three differences matter
# and are bridged here, outside the checkout's history (go.mod and two files edited):
#   - go.mod replaces the golang.org/x modules with Debian's source trees (no proxy);
#   - x/sys 0.3 predates the UDP GSO/GRO, TUN offload and virtio-net header constants:
#     a copy of it gets one file with them (values from the Linux UAPI headers);
#   - errors.Join is Go 1.20: package tun gets a stand-in, joinErrors.
# The binary is not committed; nothing here touches the wgrouter tree.
set -eu
MIRROR=${1:-/work/.mirror/WireGuard+wireguard-go/repo}
DEST=${2:-/work/wggo2023}
COMMIT=542e565
GOCODE=/usr/share/gocode/src/golang.org/x

for m in crypto net sys; do
	[ -f "$GOCODE/$m/go.mod" ] || { echo "missing $GOCODE/$m: apt-get install golang-golang-x-$m-dev" >&2; exit 1; }
done
mkdir -p "$DEST"
[ -d "$DEST/src/.git" ] || git clone -q "$MIRROR" "$DEST/src"
git -C "$DEST/src" checkout -q -f "$COMMIT"

rm -rf "$DEST/x-sys"
cp -r "$GOCODE/sys" "$DEST/x-sys"
chmod -R u+w "$DEST/x-sys"
cat >"$DEST/x-sys/unix/zoffload_linux.go" <<'EOF'
// Added by wgrouter's bench/wggo2023.sh: Debian's x/sys 0.3.0 predates these constants
// (linux/udp.h, linux/socket.h, linux/if_tun.h, linux/virtio_net.h).

//go:build linux

package unix

const (
	SOL_UDP     = 0x11
	UDP_SEGMENT = 0x67
	UDP_GRO     = 0x68

	TUN_F_CSUM = 0x1
	TUN_F_TSO4 = 0x2
	TUN_F_TSO6 = 0x4
	TUN_F_USO4 = 0x20
	TUN_F_USO6 = 0x40

	VIRTIO_NET_HDR_F_NEEDS_CSUM = 0x1
	VIRTIO_NET_HDR_GSO_NONE     = 0x0
	VIRTIO_NET_HDR_GSO_TCPV4    = 0x1
	VIRTIO_NET_HDR_GSO_TCPV6    = 0x4
	VIRTIO_NET_HDR_GSO_UDP_L4   = 0x5
)
EOF

cd "$DEST/src"
cat >tun/errors_join.go <<'EOF'
// Added by wgrouter's bench/wggo2023.sh: errors.Join is Go 1.20, Debian has Go 1.19.

package tun

import "strings"

type joinedErrors []error

func (e joinedErrors) Error() string {
	s := make([]string, len(e))
	for i, err := range e {
		s[i] = err.Error()
	}
	return strings.Join(s, "\n")
}

// Is lets errors.Is find any of the joined errors, as Go 1.20's Unwrap() []error does.
func (e joinedErrors) Is(target error) bool {
	for _, err := range e {
		if err == target {
			return true
		}
	}
	return false
}

func joinErrors(errs ...error) error {
	var out joinedErrors
	for _, err := range errs {
		if j, ok := err.(joinedErrors); ok {
			out = append(out, j...)
		} else if err != nil {
			out = append(out, err)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
EOF
sed -i 's/errors\.Join(/joinErrors(/' tun/offload_linux.go tun/tun_linux.go
go mod edit -replace "golang.org/x/crypto=$GOCODE/crypto" -replace "golang.org/x/net=$GOCODE/net" \
	-replace "golang.org/x/sys=$DEST/x-sys"
GOPROXY=off GOFLAGS=-mod=mod go build -o "$DEST/wireguard-go" .
echo "built $DEST/wireguard-go: $("$DEST/wireguard-go" --version | head -1) (commit $COMMIT)"
