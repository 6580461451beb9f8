#!/bin/sh
# bpftrace for hosts (containers, minimal VMs) where tracefs is not mounted at
# /sys/kernel/tracing: bpftrace then cannot find any tracepoint. This runs it in a private
# mount namespace with tracefs mounted there, so the host's mounts are left exactly as they are
# (nothing to undo: the namespace ends with bpftrace).
#
# Use:   LANDFALL_OPS__PROBE__BPFTRACE=$PWD/deploy/bpf/bpftrace-tracefs.sh landfall probe --pid P
# Needs: root (CAP_SYS_ADMIN for the mount, CAP_BPF + CAP_PERFMON for bpftrace), util-linux unshare.
set -eu
if [ -d /sys/kernel/tracing/events ]; then
  exec bpftrace "$@"
fi
exec unshare --mount --propagation private \
  sh -c 'mount -t tracefs nodev /sys/kernel/tracing && exec bpftrace "$@"' bpftrace-tracefs "$@"
