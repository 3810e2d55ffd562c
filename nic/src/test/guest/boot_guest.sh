#!/usr/bin/env bash
# boot_guest.sh - boot a tiny Linux guest (Debian's kernel + busybox initramfs) under QEMU,
# as a real virtio driver peer for vhost-user backends. The net tests' copy: the guest also has
# iperf3 (cached apart, in /var/tmp/vplane-guest-net).
#
# Usage: boot_guest.sh [options] [-- COMMAND...]
#   With COMMAND: boots, runs COMMAND (sh -c) in the guest, powers off; exits with its status.
#   Without:      boots to a root shell on the serial console (Ctrl-A X quits QEMU).
# Options:
#   --build              only build the cached guest (kernel + initramfs) and exit
#   --rebuild            rebuild the cache even if it is up to date
#   --accel tcg|kvm      accelerator (default tcg, or $VP_ACCEL). See NOTE below.
#   --mem SIZE           guest RAM, memfd-backed and shared (default 512M)
#   --smp N              vCPUs (default 1)
#   --net-vu SOCK[,server]  vhost-user virtio-net-pci on SOCK (QEMU connects; ",server": QEMU listens)
#   --net-queues N       queue pairs for --net-vu devices (default 1)
#   --mac MAC            MAC of the first --net-vu device (default 52:54:00:00:00:01, then +1)
#   --ip CIDR            static address for guest eth0 (default 198.18.0.2/24)
#   --vsock-vu SOCK[,server]  vhost-user-vsock-pci on SOCK (guest CID is set by the backend)
#   --vsock-cid CID      kernel vhost-vsock-pci,guest-cid=CID (needs /dev/vhost-vsock on the host)
#   --blk-vu SOCK[,server]    vhost-user-blk-pci on SOCK (guest sees /dev/vda)
#   --qemu-arg ARG       extra QEMU argument (repeatable)
#   --append STR         extra kernel command line
#   --timeout SEC        kill QEMU after SEC seconds (default 180; 0 = none)
#   --log FILE           also write the serial console to FILE
#   --verbose            show kernel boot messages (default: quiet)
#   --msix               keep MSI-X on vhost-user net/vsock devices under TCG. Default under TCG:
#                        vectors=0 (INTx), because QEMU 7.2 + TCG + vhost-user-net + MSI-X segfaults
#                        (msix_set_vector_notifiers, at guest DRIVER_OK). vhost-user-blk keeps MSI-X
#                        (checked working with qemu-storage-daemon).
# Guest side: /init loads virtio_pci, virtio_net, virtio_blk, vsock, vmw_vsock_virtio_transport, ext4,
# brings up lo and eth0 (static IP), runs the command from vp.cmd64=BASE64 (what this script
# passes) or vp.cmd="..." (hand-written), prints VP-CMD-START / VP-CMD-EXIT rc=N markers, then
# powers off. Guest tools: busybox (ip, ping, nc, ...), socat (with VSOCK-LISTEN/CONNECT), iperf3,
# vp-netstat [IF] (rx/tx packets, bytes, drops from sysfs; busybox ip has no -s).
# Host side prints "VP-BOOT host_ms=N guest_uptime=S": QEMU start -> command start.
#
# NOTE: on machines of this kind /dev/kvm is PVM (kvm-pvm, no VMX/SVM): it only runs PVM-enabled guest
# kernels. Debian's kernel hangs under it in the real-mode setup, so the default is TCG.
set -euo pipefail

CACHE=${VP_GUEST_CACHE:-/var/tmp/vplane-guest-net}
HERE=$(cd "$(dirname "$0")" && pwd)
ACCEL=${VP_ACCEL:-tcg}
MEM=512M; SMP=1; TIMEOUT=180; IP=198.18.0.2/24; MAC0=52:54:00:00:00:01; NETQ=1
NET_VU=(); VSOCK_VU=""; VSOCK_CID=""; BLK_VU=""; EXTRA=(); APPEND=""; LOG=""; VERBOSE=0
BUILD_ONLY=0; REBUILD=0; CMD=""; MSIX=0
APT=(apt-get -o DPkg::Lock::Timeout=900 -o APT::Sandbox::User=root)

die() { echo "boot_guest: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD_ONLY=1;;
    --rebuild) REBUILD=1;;
    --accel) ACCEL=$2; shift;;
    --mem) MEM=$2; shift;;
    --smp) SMP=$2; shift;;
    --net-vu) NET_VU+=("$2"); shift;;
    --net-queues) NETQ=$2; shift;;
    --mac) MAC0=$2; shift;;
    --ip) IP=$2; shift;;
    --vsock-vu) VSOCK_VU=$2; shift;;
    --vsock-cid) VSOCK_CID=$2; shift;;
    --blk-vu) BLK_VU=$2; shift;;
    --qemu-arg) EXTRA+=("$2"); shift;;
    --append) APPEND=$2; shift;;
    --timeout) TIMEOUT=$2; shift;;
    --log) LOG=$2; shift;;
    --verbose) VERBOSE=1;;
    --msix) MSIX=1;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0;;
    --) shift; CMD="$*"; break;;
    *) die "unknown option $1 (see --help)";;
  esac
  shift
done

need_pkgs() {  # install missing Debian packages
  local miss=() p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || miss+=("$p"); done
  [ ${#miss[@]} -eq 0 ] && return 0
  echo "boot_guest: installing ${miss[*]}" >&2
  "${APT[@]}" install -y --no-install-recommends "${miss[@]}" >&2 \
    || { "${APT[@]}" update >&2 && "${APT[@]}" install -y --no-install-recommends "${miss[@]}" >&2; }
}

# ---------------------------------------------------------------- guest /init
INIT_SCRIPT='#!/bin/sh
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root
mount -t proc proc /proc; mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /tmp /run; mount -t devpts devpts /dev/pts; mount -t tmpfs tmpfs /tmp
up() { cut -d" " -f1 /proc/uptime; }
for m in $(cat /etc/vp-modules); do insmod /lib/modules/$m 2>/dev/null || echo "VP: insmod $m failed"; done
CMDLINE=$(cat /proc/cmdline); IP=; GW=; CMD=
for t in $CMDLINE; do
  case "$t" in
    vp.ip=*) IP=${t#vp.ip=};; vp.gw=*) GW=${t#vp.gw=};;
    vp.cmd64=*) CMD=$(echo "${t#vp.cmd64=}" | base64 -d);;
    vp.cmd=*) [ -z "$CMD" ] && CMD=${t#vp.cmd=};;
  esac
done
case "$CMDLINE" in *vp.cmd=\"*) CMD=$(echo "$CMDLINE" | sed -n "s/.*vp\.cmd=\"\([^\"]*\)\".*/\1/p");; esac
hostname vpguest; ip link set lo up
if [ -e /sys/class/net/eth0 ]; then
  ip link set eth0 up
  [ -n "$IP" ] && ip addr add "$IP" dev eth0
  [ -n "$GW" ] && ip route add default via "$GW"
fi
if [ -n "$CMD" ]; then
  echo "VP-CMD-START uptime=$(up)"
  sh -c "$CMD"; rc=$?
  echo "VP-CMD-EXIT rc=$rc uptime=$(up)"
  sync; poweroff -f; reboot -f
fi
echo "VP-SHELL uptime=$(up) (poweroff -f to quit)"
setsid cttyhack sh -l
poweroff -f; reboot -f
'
NETSTAT_SCRIPT='#!/bin/sh
for i in ${1:-$(ls /sys/class/net)}; do d=/sys/class/net/$i/statistics
  echo "$i rx_packets=$(cat $d/rx_packets) tx_packets=$(cat $d/tx_packets) rx_bytes=$(cat $d/rx_bytes) tx_bytes=$(cat $d/tx_bytes) rx_dropped=$(cat $d/rx_dropped) tx_dropped=$(cat $d/tx_dropped)"
done
'
WANT_MODS="virtio_pci virtio_net virtio_blk virtio_console vmw_vsock_virtio_transport ext4"
STAMP_IN="v2|$INIT_SCRIPT|$NETSTAT_SCRIPT|$WANT_MODS|iperf3"

build() {
  need_pkgs qemu-system-x86 busybox-static socat kmod iperf3
  mkdir -p "$CACHE/dl"
  local stamp; stamp=$(printf %s "$STAMP_IN" | sha256sum | cut -c1-16)
  if [ $REBUILD = 0 ] && [ -s "$CACHE/vmlinuz" ] && [ -s "$CACHE/initramfs.gz" ] \
     && [ "$(cat "$CACHE/stamp" 2>/dev/null)" = "$stamp" ]; then return 0; fi
  echo "boot_guest: building guest in $CACHE" >&2
  local kdeb kroot kver
  kroot="$CACHE/kpkg"
  if [ $REBUILD = 1 ] || ! ls "$kroot"/boot/vmlinuz-* >/dev/null 2>&1; then
    local kpkg
    kpkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
    [ -n "$kpkg" ] || { "${APT[@]}" update >&2;
      kpkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}'); }
    [ -n "$kpkg" ] || die "cannot resolve linux-image-amd64"
    (cd "$CACHE/dl" && rm -f ./*.deb && "${APT[@]}" download "$kpkg" >&2)
    kdeb=$(ls "$CACHE"/dl/"$kpkg"_*.deb | head -1)
    rm -rf "$kroot"; mkdir -p "$kroot"; dpkg-deb -x "$kdeb" "$kroot"
  fi
  kver=$(ls "$kroot/lib/modules" | head -1)
  depmod -b "$kroot" "$kver"
  cp "$kroot/boot/vmlinuz-$kver" "$CACHE/vmlinuz"
  echo "$kver" > "$CACHE/kernel-version"

  local st="$CACHE/stage"; rm -rf "$st"
  mkdir -p "$st"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,root,lib/modules}
  cp /bin/busybox "$st/bin/busybox"
  for a in $(/bin/busybox --list); do [ -e "$st/bin/$a" ] || ln -s busybox "$st/bin/$a"; done
  # modules: dependency closure, in load order; built-ins are skipped
  : > "$st/etc/vp-modules"; : > "$CACHE/modules.txt"
  local m line f
  for m in $WANT_MODS; do
    while read -r line; do
      case "$line" in
        insmod\ *) f=${line#insmod }; f=${f%% *}
          if ! grep -qx "$(basename "$f")" "$st/etc/vp-modules"; then
            cp "$f" "$st/lib/modules/"; basename "$f" >> "$st/etc/vp-modules"; fi;;
        builtin\ *) echo "$line" >> "$CACHE/modules.txt";;
      esac
    done < <(modprobe -d "$kroot" -S "$kver" --show-depends "$m")
  done
  cat "$st/etc/vp-modules" >> "$CACHE/modules.txt"
  # socat and iperf3 with their shared libraries
  local tool
  for tool in /usr/bin/socat /usr/bin/iperf3; do
    cp "$tool" "$st$tool"
    for f in $(ldd "$tool" | awk '{for(i=1;i<=NF;i++) if ($i ~ /^\//) print $i}'); do
      mkdir -p "$st$(dirname "$f")"; cp -L "$f" "$st$f"
    done
  done
  printf 'root:x:0:0:root:/root:/bin/sh\n' > "$st/etc/passwd"
  printf 'root:x:0:\n' > "$st/etc/group"
  printf '%s' "$INIT_SCRIPT" > "$st/init"; chmod 755 "$st/init"
  printf '%s' "$NETSTAT_SCRIPT" > "$st/bin/vp-netstat"; chmod 755 "$st/bin/vp-netstat"
  (cd "$st" && find . | /bin/busybox cpio -o -H newc 2>/dev/null) | gzip -1 > "$CACHE/initramfs.gz.tmp"
  mv "$CACHE/initramfs.gz.tmp" "$CACHE/initramfs.gz"
  echo "$stamp" > "$CACHE/stamp"
  echo "boot_guest: kernel $kver, initramfs $(du -h "$CACHE/initramfs.gz" | cut -f1)" >&2
}

build
[ $BUILD_ONLY = 1 ] && { echo "$CACHE/vmlinuz $CACHE/initramfs.gz"; exit 0; }

# ---------------------------------------------------------------- QEMU command line
sockopt() { # SOCK[,server] -> chardev options
  local s=${1%%,*} o=""; [ "$1" != "${1%,server}" ] && o=",server=on,wait=on"
  if [ -z "$o" ]; then  # QEMU is the client: wait for the backend's socket
    local i=0; while [ ! -S "$s" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
    [ -S "$s" ] || die "no socket at $s"
  fi
  printf 'path=%s%s' "$s" "$o"
}
KAPPEND="console=ttyS0 panic=-1 mitigations=off random.trust_cpu=on i8042.noaux i8042.nokbd vp.ip=$IP"
[ $VERBOSE = 1 ] || KAPPEND="$KAPPEND quiet loglevel=3"
[ -n "$CMD" ] && KAPPEND="$KAPPEND vp.cmd64=$(printf %s "$CMD" | base64 -w0)"
[ -n "$APPEND" ] && KAPPEND="$KAPPEND $APPEND"
RUN=$(mktemp -d /tmp/vpguest.XXXXXX)
cleanup() {
  local p; p=$(cat "$RUN/qemu.pid" 2>/dev/null || true)
  [ -n "$p" ] && kill -0 "$p" 2>/dev/null && kill "$p" 2>/dev/null
  rm -rf "$RUN"
}
trap cleanup EXIT
Q=(qemu-system-x86_64 -name vpguest -M pc -accel "$ACCEL" -m "$MEM" -smp "$SMP"
   -nodefaults -no-user-config -nographic -no-reboot -bios /usr/share/qemu/qboot.rom
   -kernel "$CACHE/vmlinuz" -initrd "$CACHE/initramfs.gz" -append "$KAPPEND"
   -object "memory-backend-memfd,id=mem,size=$MEM,share=on" -numa node,memdev=mem
   -pidfile "$RUN/qemu.pid")
[ "$ACCEL" = kvm ] && Q+=(-cpu host)
VEC=""; [ "$ACCEL" = tcg ] && [ $MSIX = 0 ] && VEC=",vectors=0"
i=0; mac=$MAC0
for n in "${NET_VU[@]}"; do
  so=$(sockopt "$n") || exit 2
  Q+=(-chardev "socket,id=vun$i,$so" -netdev "vhost-user,id=vun$i,chardev=vun$i,queues=$NETQ")
  d="virtio-net-pci,netdev=vun$i,mac=$mac"; [ "$NETQ" -gt 1 ] && d="$d,mq=on"
  if [ -n "$VEC" ]; then d="$d$VEC"; elif [ "$NETQ" -gt 1 ]; then d="$d,vectors=$((2*NETQ+2))"; fi
  Q+=(-device "$d")
  last=$(( 0x${mac##*:} + 1 )); mac=$(printf '%s:%02x' "${mac%:*}" $last); i=$((i+1))
done
[ -n "$VSOCK_VU" ] && { so=$(sockopt "$VSOCK_VU") || exit 2; } && Q+=(-chardev "socket,id=vuvs,$so" -device "vhost-user-vsock-pci,chardev=vuvs$VEC")
[ -n "$VSOCK_CID" ] && Q+=(-device "vhost-vsock-pci,guest-cid=$VSOCK_CID$VEC")
[ -n "$BLK_VU" ] && { so=$(sockopt "$BLK_VU") || exit 2; } && Q+=(-chardev "socket,id=vublk,$so" -device vhost-user-blk-pci,chardev=vublk)
Q+=("${EXTRA[@]}")
TO=(); [ "$TIMEOUT" != 0 ] && TO=(timeout -k 5 "$TIMEOUT")

echo "boot_guest: ${Q[*]}" >&2

if [ -z "$CMD" ]; then  # interactive
  Q+=(-serial mon:stdio)
  [ "$TIMEOUT" != 0 ] && TO=(timeout --foreground -k 5 "$TIMEOUT")  # keep the tty usable
  "${TO[@]}" "${Q[@]}"; exit $?
fi

Q+=(-serial stdio -monitor none)
T0=$(date +%s%N)
set +e
"${TO[@]}" "${Q[@]}" </dev/null 2>&1 | while IFS= read -r line; do
  line=${line%$'\r'}
  printf '%s\n' "$line"; [ -n "$LOG" ] && printf '%s\n' "$line" >> "$LOG"
  case "$line" in
    *VP-CMD-START*) ms=$(( ($(date +%s%N) - T0) / 1000000 ))
      echo "VP-BOOT host_ms=$ms guest_uptime=${line##*uptime=} accel=$ACCEL" | tee -a "$RUN/markers" ${LOG:+-a "$LOG"};;
    *VP-CMD-EXIT*) echo "$line" >> "$RUN/markers";;
  esac
done
qrc=${PIPESTATUS[0]}
set -e
rc=$(sed -n "s/.*VP-CMD-EXIT rc=\([0-9]*\).*/\1/p" "$RUN/markers" 2>/dev/null | tail -1 || true)
if [ -z "$rc" ]; then echo "boot_guest: guest command did not finish (qemu rc=$qrc)" >&2; exit 125; fi
exit "$rc"
