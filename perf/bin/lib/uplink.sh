# What the uplink benchmarks (perf/bin/uplink-tap, perf/bin/uplink-af-xdp) share, sourced after
# side_main: the namespace and the UDP flood from it, the testpmd VM (rxonly), vplane with one uplink
# before the VM, the kernel's own datapath (veth -> bridge -> TAP read by testpmd net_tap), and the
# figures' sources. Placement: the reader alone on CPU 1, sender and VM on CPU 0.
# Sets: seconds, testpmd, frame, payload, work, ns, tap, vm_mac, global_mac, label.
seconds=$(side_arg 1 8 3)
testpmd=${TESTPMD:-/usr/bin/dpdk-testpmd}
frame=${FRAME:-64}
payload=$((frame - 46))   # Ethernet 14 + FCS 4 + IPv4 20 + UDP 8
[ "$(id -u)" = 0 ] || { echo "$side_name needs root (TAP, veth, XDP, namespaces)" >&2; exit 1; }
[ -x "$testpmd" ] || { echo "dpdk-testpmd not found at $testpmd (Debian package dpdk)" >&2; exit 1; }
side_need_build
side_need_jar
side_workdir
work=$side_work
ns=vplbench$$
tap=vpb$$
vm_mac=52:54:00:00:00:0a
global_mac=02:ff:00:00:00:02
label="${frame}B namespace->VM"
side_on_exit 'ip netns del "$ns" 2>/dev/null; ip link del "vpbr$$" 2>/dev/null; ip link del "vpbv$$" 2>/dev/null'
# DPDK's runtime directory of this run's file prefix
side_on_exit 'rm -rf /var/run/dpdk/ub$$ "${XDG_RUNTIME_DIR:-/var/run}"/dpdk/ub$$ 2>/dev/null'

rx_total() { grep -o "RX-total: *[0-9]*" "$work/vm.log" | tail -1 | awk '{print $2}'; }

mpps() { # the VM's RX total at exit over the sender's seconds
  local secs
  secs=$(grep -o "seconds=[0-9.]*" "$work/flood.log" | cut -d= -f2)
  awk -v r="$(rx_total)" -v s="${secs:-0}" 'BEGIN {if (s > 0) printf "%.3f", r/s/1e6; else print "0"}'
}

cpu_ticks() { # pid thread-name-pattern -> utime+stime of that thread, in clock ticks
  local tid
  tid=$(ps -L -o tid=,comm= -p "$1" | awk -v p="$2" '$2 ~ p {print $1; exit}')
  [ -n "$tid" ] && awk '{print $14 + $15}' "/proc/$1/task/$tid/stat" 2>/dev/null || echo 0
}

per_cpu() { # Mpps per CPU-second of the reader thread during the flood
  awk -v r="$(rx_total)" -v t="$(cat "$work/ticks")" -v hz="$(getconf CLK_TCK)" \
    'BEGIN {if (t > 0) printf "%.3f", r/(t/hz)/1e6; else print "0"}'
}

stop_vm() { # pid: SIGINT makes testpmd print its totals (KILL after 5 s if it ignores it)
  side_stop "$1" 5 INT
}

flood() { # reader-pid reader-thread: namespace -> 10.0.0.2 for $seconds from CPU 0, timing the reader
  local before
  before=$(cpu_ticks "$1" "$2")
  side_run "$work/flood.log" ip netns exec "$ns" taskset -c 0 "$JAVA_HOME/bin/java" @"$side_top/bin/jvm.options" \
    -cp "$SIDE_JAR" io.vplane.perf.uplink.UdpFlood 10.0.0.2 9 "$payload" "$seconds" || { cat "$work/flood.log" >&2; return 1; }
  echo $(( $(cpu_ticks "$1" "$2") - before )) >"$work/ticks"
}

vm() { # vdev forwarding-cpu: testpmd rxonly in the background; sets vm_pid
  side_start "$work/vm.log" "$testpmd" --no-pci --no-huge -m 1024 --file-prefix=ub$$ -l $((1 - $2)),"$2" --main-lcore $((1 - $2)) \
    --vdev "$1" -- --total-num-mbufs=16384 --rxd=1024 -a --stats-period=1 --forward-mode=rxonly
  vm_pid=$SIDE_LAST_PID
}

vm_forwarding() { # waits until the VM forwards: a flood sent before that is never counted (its port
  # is not started; on a loaded machine testpmd's 1 GiB of --no-huge memory takes seconds to set up)
  side_wait_for "grep -q 'start packet forwarding\|Start automatic packet forwarding\|Press enter to exit' '$work/vm.log'" ||
    side_wait_for "grep -q 'start packet forwarding\|Start automatic packet forwarding\|Press enter to exit' '$work/vm.log'" ||
    { tail -20 "$work/vm.log" >&2; return 1; }
}

uplink_vplane() { # uplink-yaml-line attach-command: vplane with that uplink, the VM, then attach-command joins
  # the namespace to the uplink; floods and stops both
  cat >"$work/vplane.yaml" <<YAML
daemon: {runDir: $work/run, socketDir: $work, logLevel: WARN}
management: {enabled: false}
pools:
  net: {workers: 1, cpus: [1], batch: 64, idle: {strategy: busy-spin}}
devices:
  vhostUser:
    - {name: pa, socketPath: '$work/pa.sock', mac: "$vm_mac", guestTx: switch, vswitch: vs0}
$1
vswitch:
  enabled: true
  name: vs0
  table:
    - {ip: 10.0.0.2, localMac: "$vm_mac", globalMac: "$global_mac", port: pa}
YAML
  side_start "$work/vplane.log" "$side_top/bin/vplane" run -c "$work/vplane.yaml"
  local vplane=$SIDE_LAST_PID   # the JVM itself (bin/vplane execs java)
  # a JVM on a loaded machine can take longer than one wait to come up
  side_wait_for "[ -S $work/pa.sock ]" || side_wait_for "[ -S $work/pa.sock ]" || side_wait_for "[ -S $work/pa.sock ]" ||
    { cat "$work/vplane.log" >&2; return 1; }
  vm "net_virtio_user0,path=$work/pa.sock,mac=$vm_mac,queue_size=1024" 0
  ip netns list | grep -qw "$ns" || ip netns add "$ns"
  $2 || { cat "$work/vplane.log" >&2; return 1; }
  vm_forwarding || return 1
  side_sleep 2
  flood "$vplane" net || return 1
  "$side_top/bin/vplane" stat --once --run-dir "$work/run" >"$work/stat.txt" 2>&1
  stop_vm "$vm_pid"
  side_stop "$vplane" 10
  ip netns del "$ns"
}

run_kernel() { # veth (namespace) -> bridge -> TAP read by testpmd net_tap
  ip netns add "$ns"
  ip link add "vpbv$$" type veth peer name vpbn$$
  ip link add "vpbr$$" type bridge
  ip link set "vpbv$$" master "vpbr$$"; ip link set "vpbv$$" up; ip link set "vpbr$$" up
  ip link set "vpbn$$" netns "$ns"
  ip -n "$ns" addr add 10.0.0.1/24 dev "vpbn$$"; ip -n "$ns" link set "vpbn$$" up
  ip -n "$ns" neigh add 10.0.0.2 lladdr "$global_mac" dev "vpbn$$"
  vm "net_tap0,iface=$tap" 1
  side_wait_for "ip link show $tap >/dev/null 2>&1" || { cat "$work/vm.log" >&2; return 1; }
  ip link set "$tap" master "vpbr$$"; ip link set "$tap" up txqueuelen 10000
  # the bridge learns nothing from the TAP: make the VM's MAC known so frames are not flooded
  bridge fdb add "$global_mac" dev "$tap" master static 2>/dev/null
  vm_forwarding || return 1
  side_sleep 2
  flood "$vm_pid" rte-worker || return 1
  stop_vm "$vm_pid"
  ip link del "vpbr$$"; ip link del "vpbv$$" 2>/dev/null
  ip netns del "$ns"
}

share() { # zero-copy share of the vplane side from its stat snapshot
  awk '/vplane_uplink_rx_path_total/ && /zero_copy/ {z=$(NF-1)} /vplane_uplink_frames_total/ && /dir="rx"/ {r=$(NF-1)}
       END {if (r > 0) printf "%.1f", 100*z/r; else print "0"}' "$work/stat.txt"
}

per_call() { # frames per receive system call that brought frames, from the vplane side's stat snapshot
  awk '/vplane_uplink_rx_calls_total/ && /result="frames"/ {c=$(NF-1)} /vplane_uplink_frames_total/ && /dir="rx"/ {r=$(NF-1)}
       END {if (c > 0) printf "%.1f", r/c; else print "0"}' "$work/stat.txt"
}

take_tap() { # the TAP vplane made, into the namespace
  side_wait_for "ip link show $tap >/dev/null 2>&1" || return 1
  ip link set "$tap" netns "$ns"
  ip -n "$ns" addr add 10.0.0.1/24 dev "$tap"
  ip -n "$ns" link set "$tap" up txqueuelen 10000
  ip -n "$ns" neigh add 10.0.0.2 lladdr "$global_mac" dev "$tap"
}
