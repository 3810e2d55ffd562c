#!/usr/bin/env bash
# ceph-one-node.sh - throw-away single-host Ceph (Pacific 16.2, Debian 12) for the RBD interop
# tests (CephCluster starts and stops it; perf/bin/rbd-vs-fio-rbd uses it too).
#
# One monitor + one OSD, no mgr, loopback only, everything under one directory
# (nothing written to /etc/ceph or /var/lib/ceph). Bring-up is bounded in time.
#
# Usage:
#   ceph-one-node.sh start   # (default) bootstrap, create pool 'rbd' + image, probe I/O
#   ceph-one-node.sh status  # exit 0 if the cluster answers and rbd I/O works
#   ceph-one-node.sh env     # print 'export CEPH_CONF=...' for clients
#   ceph-one-node.sh bench   # fio (rbd engine) + rbd bench against the image
#   ceph-one-node.sh stop    # kill exactly the daemons started here, remove the dir
#
# Environment (all optional):
#   CEPH_ONE_NODE_DIR   cluster dir            (default /tmp/ceph-one-node)
#   CEPH_OBJECTSTORE    memstore | bluestore   (default memstore)
#   CEPH_STORE_SIZE     memstore bytes / bluestore sparse file size (default 4G)
#   CEPH_MON_PORT       msgr2 port of the mon on 127.0.0.1 (default 16789)
#   CEPH_IMAGE          image name             (default img)
#   CEPH_IMAGE_SIZE     image size             (default 1G)
#   CEPH_TIMEOUT        bring-up limit in s    (default 120)
#   CEPH_KEEP_ON_FAIL   1 = keep dir + daemons after a failed start (for debugging)
#
# Requires (Debian 12): ceph-mon ceph-osd ceph-common (python3-rbd comes with it);
# 'bench' also needs fio built with the rbd engine.
set -u -o pipefail

DIR=${CEPH_ONE_NODE_DIR:-/tmp/ceph-one-node}
STORE=${CEPH_OBJECTSTORE:-memstore}
STORE_SIZE=${CEPH_STORE_SIZE:-4G}
MON_PORT=${CEPH_MON_PORT:-16789}
IMAGE=${CEPH_IMAGE:-img}
IMAGE_SIZE=${CEPH_IMAGE_SIZE:-1G}
LIMIT=${CEPH_TIMEOUT:-120}
POOL=rbd
# The daemons fork from this shell: they must not inherit a caller's descriptors, such as the lock
# file of `flock LOCK ceph-one-node.sh start`, which they would then hold for their whole life.
for fd in $(ls /proc/$$/fd); do (( fd > 2 )) && eval "exec $fd>&-" 2>/dev/null; done
PY=/usr/bin/python3   # Debian python3: python3-rados/python3-rbd live there (a pyenv python3 on PATH lacks them)
CONF="$DIR/ceph.conf"
export CEPH_CONF="$CONF"

T0=$(date +%s%N)
DEADLINE=$(( T0 / 1000000000 + LIMIT ))
STEP=init

log()  { printf '[ceph-one-node %6.2fs] %s\n' "$(elapsed)" "$*" >&2; }
elapsed() { local ns=$(( $(date +%s%N) - T0 )); printf '%d.%02d' $(( ns / 1000000000 )) $(( ns % 1000000000 / 10000000 )); }
remaining() { local r=$(( DEADLINE - $(date +%s) )); (( r < 1 )) && r=1; echo "$r"; }
to_bytes() { numfmt --from=iec "$1"; }

die() {
  log "FAILED at step '$STEP': $*"
  if [[ -d "$DIR/log" ]]; then
    for f in "$DIR"/log/*.log; do
      [[ -s "$f" ]] || continue
      echo "---- last lines of $f" >&2; tail -n 15 "$f" >&2
    done
  fi
  if [[ "${CEPH_KEEP_ON_FAIL:-0}" != 1 ]]; then do_stop >&2; fi
  exit 1
}

# Run a command bounded by what is left of the overall deadline.
bounded() {
  local r; r=$(remaining)
  if (( $(date +%s) >= DEADLINE )); then die "time limit of ${LIMIT}s exceeded"; fi
  timeout --kill-after=3 "$r" "$@"
  local rc=$?
  if (( rc == 124 || rc == 137 )); then die "time limit of ${LIMIT}s exceeded (while running: $*)"; fi
  return $rc
}

ceph_() { bounded ceph --connect-timeout "$(remaining)" "$@"; }

# pid of a daemon we started, only if it is really ours (cmdline names our conf).
our_pid() {
  local pf="$DIR/run/$1.pid" pid
  [[ -r "$pf" ]] || return 1
  pid=$(tr -dc '0-9' < "$pf")
  [[ -n "$pid" && -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' < /proc/"$pid"/cmdline | grep -qF -- "-c $CONF" || return 1
  echo "$pid"
}

# I/O probe through librbd: write random data at both ends of the image, read back.
probe() {
  bounded "$PY" - "$CONF" "$POOL" "$IMAGE" <<'EOF'
import os, sys, rados, rbd
conf, pool, name = sys.argv[1:4]
with rados.Rados(conffile=conf, name="client.admin") as c:
    with c.open_ioctx(pool) as io:
        with rbd.Image(io, name) as img:
            size = img.size()
            for off in (0, size - 65536):
                data = os.urandom(65536)
                img.write(data, off)
                img.flush()
                if img.read(off, 65536) != data:
                    sys.exit("data mismatch at %d" % off)
EOF
}

do_stop() {
  local any=0 name pid i
  for name in osd.0 mon.a; do
    if pid=$(our_pid "$name"); then
      any=1; log "stopping $name (pid $pid)"
      kill -TERM "$pid" 2>/dev/null
      for i in $(seq 1 100); do [[ -d /proc/$pid ]] || break; sleep 0.1; done
      if [[ -d /proc/$pid ]]; then log "$name did not exit on TERM, sending KILL"; kill -KILL "$pid" 2>/dev/null; sleep 0.2; fi
    fi
  done
  # Safety net: a daemon of THIS cluster whose pid file is gone (identified by our conf path).
  for pid in $(pgrep -f -- "-c $CONF " 2>/dev/null); do
    [[ $pid == "$$" ]] && continue
    if tr '\0' ' ' < /proc/"$pid"/cmdline 2>/dev/null | grep -qE '^[^ ]*ceph-(mon|osd) '; then
      log "killing leftover daemon pid $pid of this cluster (no pid file)"; kill -KILL "$pid" 2>/dev/null; any=1
    fi
  done
  [[ -d "$DIR" ]] && rm -rf -- "$DIR"
  (( any )) || log "no daemon of this cluster was running"
  log "stopped; $DIR removed"
}

write_conf() {
  local fsid=$1
  cat > "$CONF" <<EOF
[global]
fsid = $fsid
mon initial members = a
mon host = [v2:127.0.0.1:$MON_PORT]
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind msgr1 = false
ms bind ipv6 = false
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
run dir = $DIR/run
crash dir = $DIR/crash
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon warn on insecure global id reclaim allowed = false
mon data avail warn = 2
mon data avail crit = 1

[mon]
mon data = $DIR/\$name
keyring = $DIR/\$name/keyring
log file = $DIR/log/\$name.log
mon cluster log file = $DIR/log/cluster.log
pid file = $DIR/run/\$name.pid
admin socket = $DIR/run/\$name.asok

[osd]
osd data = $DIR/\$name
keyring = $DIR/\$name/keyring
log file = $DIR/log/\$name.log
pid file = $DIR/run/\$name.pid
admin socket = $DIR/run/\$name.asok
osd objectstore = $STORE
osd crush initial weight = 1
memstore device bytes = $(to_bytes "$STORE_SIZE")
bluestore block create = true
bluestore block size = $(to_bytes "$STORE_SIZE")
bluestore fsck on mkfs = false
osd memory target = 1073741824

[client]
keyring = $DIR/keyring
EOF
}

do_start() {
  local fsid uuid secret id pid t

  if [[ -f "$CONF" ]] && our_pid mon.a >/dev/null && our_pid osd.0 >/dev/null; then
    STEP=reuse
    if probe 2>/dev/null; then log "already running and rbd I/O works (CEPH_CONF=$CONF)"; return 0; fi
    log "existing cluster in $DIR is not healthy; recreating"
  fi
  [[ -e "$DIR" ]] && do_stop

  STEP=preflight
  for b in ceph-mon ceph-osd ceph-authtool monmaptool ceph rbd "$PY"; do
    command -v "$b" >/dev/null || die "missing $b (apt-get install ceph-mon ceph-osd ceph-common)"
  done
  if ss -Hltn "sport = :$MON_PORT" | grep -q .; then die "port $MON_PORT is already in use (set CEPH_MON_PORT)"; fi
  mkdir -p "$DIR"/{run,log,crash,mon.a,osd.0} || die "cannot create $DIR"

  STEP=keys+monmap
  fsid=$(cat /proc/sys/kernel/random/uuid)
  write_conf "$fsid"
  ceph-authtool --create-keyring "$DIR/mon.keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null || die "ceph-authtool mon."
  ceph-authtool --create-keyring "$DIR/keyring" --gen-key -n client.admin \
      --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' --cap mds 'allow *' >/dev/null || die "ceph-authtool admin"
  ceph-authtool "$DIR/mon.keyring" --import-keyring "$DIR/keyring" >/dev/null || die "import admin key"
  monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$MON_PORT]" "$DIR/monmap" >/dev/null || die "monmaptool"

  STEP=mon-mkfs
  bounded ceph-mon -c "$CONF" --mkfs -i a --monmap "$DIR/monmap" --keyring "$DIR/mon.keyring" \
      >"$DIR/log/mon-mkfs.out" 2>&1 || die "ceph-mon --mkfs: $(tail -n 3 "$DIR/log/mon-mkfs.out")"
  STEP=mon-start
  bounded ceph-mon -c "$CONF" -i a >"$DIR/log/mon-start.out" 2>&1 || die "ceph-mon did not start: $(tail -n 3 "$DIR/log/mon-start.out")"
  our_pid mon.a >/dev/null || die "ceph-mon not running after start"
  log "mon.a up (pid $(our_pid mon.a)) on 127.0.0.1:$MON_PORT"

  STEP=osd-create
  uuid=$(cat /proc/sys/kernel/random/uuid)
  secret=$(ceph-authtool --gen-print-key)
  id=$(echo "{\"cephx_secret\": \"$secret\"}" | ceph_ osd new "$uuid" -i - 2>"$DIR/log/osd-new.err") \
      || die "ceph osd new: $(cat "$DIR/log/osd-new.err")"
  [[ "$id" == 0 ]] || die "unexpected osd id '$id'"
  ceph-authtool --create-keyring "$DIR/osd.0/keyring" --name osd.0 --add-key "$secret" >/dev/null || die "osd keyring"
  STEP=osd-mkfs
  bounded ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$uuid" >"$DIR/log/osd-mkfs.out" 2>&1 \
      || die "ceph-osd --mkfs ($STORE): $(tail -n 3 "$DIR/log/osd-mkfs.out")"
  STEP=osd-start
  bounded ceph-osd -c "$CONF" -i 0 >"$DIR/log/osd-start.out" 2>&1 || die "ceph-osd did not start: $(tail -n 3 "$DIR/log/osd-start.out")"
  our_pid osd.0 >/dev/null || die "ceph-osd not running after start"
  log "osd.0 started (pid $(our_pid osd.0), objectstore $STORE, $STORE_SIZE)"

  STEP=pool
  ceph_ osd pool create "$POOL" 8 8 >/dev/null 2>"$DIR/log/pool.err" || die "pool create: $(cat "$DIR/log/pool.err")"
  STEP=wait-osd-up
  until [[ "$(ceph_ osd dump -f json 2>/dev/null | "$PY" -c 'import json,sys;print(sum(o["up"] for o in json.load(sys.stdin)["osds"]))')" == 1 ]]; do
    our_pid osd.0 >/dev/null || die "ceph-osd exited"
    sleep 0.5
  done
  log "osd.0 is up"
  STEP=rbd-pool-init
  bounded rbd pool init "$POOL" 2>"$DIR/log/pool-init.err" || die "rbd pool init: $(cat "$DIR/log/pool-init.err")"
  STEP=rbd-create
  bounded rbd create --size "$IMAGE_SIZE" "$POOL/$IMAGE" 2>"$DIR/log/rbd-create.err" || die "rbd create: $(cat "$DIR/log/rbd-create.err")"
  STEP=io-probe
  probe || die "librbd write/read probe failed"
  t=$(elapsed)
  log "READY: rbd I/O works on $POOL/$IMAGE ($IMAGE_SIZE, $STORE) after ${t}s"
  echo "BRINGUP_SECONDS=$t"
  echo "export CEPH_CONF=$CONF"
}

do_bench() {
  local rt=${BENCH_RUNTIME:-10} j
  command -v fio >/dev/null || { echo "fio missing" >&2; exit 1; }
  # Write the whole image first: librbd answers reads of never-written objects from its object map
  # (zeros, no OSD I/O at all), so reads of a fresh image would measure nothing but the client.
  fio --name=prefill --ioengine=rbd --clientname=admin --pool="$POOL" --rbdname="$IMAGE" \
      --rw=write --bs=4M --iodepth=8 --output="$DIR/fio-prefill.txt" >/dev/null || { echo "fio prefill failed" >&2; exit 1; }
  for j in "randread 4k 32" "randwrite 4k 32" "read 1M 8" "write 1M 8"; do
    set -- $j
    fio --name="$1-$2" --ioengine=rbd --clientname=admin --pool="$POOL" --rbdname="$IMAGE" \
        --rw="$1" --bs="$2" --iodepth="$3" --direct=1 --time_based --runtime="$rt" --ramp_time=2 \
        --output-format=json --output="$DIR/fio-$1-$2.json" >/dev/null || { echo "fio $1 failed" >&2; exit 1; }
    "$PY" - "$DIR/fio-$1-$2.json" "$STORE" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))["jobs"][0]
d = j["read"] if j["read"]["io_bytes"] else j["write"]
lat = d.get("clat_ns", {}).get("percentile", {})
print("%-9s %-14s IOPS=%9.0f  BW=%8.1f MiB/s  mean lat=%8.2f ms  p99=%8.2f ms" % (
    sys.argv[2], j["jobname"], d["iops"], d["bw_bytes"] / 2**20, d["lat_ns"]["mean"] / 1e6,
    lat.get("99.000000", 0) / 1e6))
EOF
  done
  # random, not rbd bench's default seq: librbd merges sequential 4K writes (~1 OSD op per 30 writes)
  echo "rbd bench 4K randwrite, 16 threads: $(rbd bench --io-type write --io-size 4K --io-threads 16 \
      --io-pattern rand --io-total 200M "$POOL/$IMAGE" | tail -n 1)"
}

case "${1:-start}" in
  start)  do_start ;;
  stop)   do_stop ;;
  status) STEP=status; our_pid mon.a >/dev/null && our_pid osd.0 >/dev/null && probe && echo "running (CEPH_CONF=$CONF)" ;;
  env)    echo "export CEPH_CONF=$CONF" ;;
  bench)  do_bench ;;
  *) echo "usage: $0 start|stop|status|env|bench" >&2; exit 2 ;;
esac
