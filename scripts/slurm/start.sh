#!/usr/bin/env bash
# Start a one-machine SLURM (munged, slurmctld, N slurmd) for tests and CI: no systemd, no
# slurmdbd, fake GPUs. Installs Debian's packages when they are missing. Root only.
# Idempotent: when the same cluster is already up and idle it returns at once.
# Stop it with scripts/slurm/stop.sh (by PID, never by process name).
#
#   XY_SLURM_NODES    slurmd daemons (= nodes) on this host          default 2
#   XY_SLURM_CPUS     CPUs each node advertises                      default $(nproc)
#   XY_SLURM_GPUS     fake GPUs per node (gres/gpu)                  default 2
#   XY_SLURM_MEM_MB   memory each node advertises                    default 80% of RAM / nodes
#   XY_SLURM_TIMEOUT  seconds to wait for every node to be idle      default 60
set -euo pipefail

nodes=${XY_SLURM_NODES:-2}
cpus=${XY_SLURM_CPUS:-$(nproc)}
gpus=${XY_SLURM_GPUS:-2}
timeout=${XY_SLURM_TIMEOUT:-60}
here=$(cd "$(dirname "$0")" && pwd)
conf_dir=/etc/slurm
state=/var/lib/slurm
logs=/var/log/slurm

fail() { echo "scripts/slurm/start.sh: $*" >&2; exit 1; }
note() { echo "scripts/slurm/start.sh: $*"; }

[ "$(id -u)" -eq 0 ] || fail "needs root (it installs packages and starts daemons); run it with sudo"
[ "$nodes" -ge 1 ] || fail "XY_SLURM_NODES must be >= 1, got $nodes"

# 1. Packages (Debian 12: SLURM 22.05).
missing=()
for tool in slurmctld slurmd sinfo munged; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ "${#missing[@]}" -gt 0 ]; then
  command -v apt-get >/dev/null || fail "missing ${missing[*]} and no apt-get to install them"
  note "installing slurmctld slurmd slurm-client munge"
  aptlog=$(mktemp)
  if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
         DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
           slurmctld slurmd slurm-client munge; } >"$aptlog" 2>&1; then
    tail -n 20 "$aptlog" >&2; fail "apt-get could not install the SLURM packages (log above)"
  fi
  rm -f "$aptlog"
fi

# 2. Configuration. Every node is a slurmd on this host with its own port; NodeAddr 127.0.0.1 so
# that no name resolution is needed.
if [ -z "${XY_SLURM_MEM_MB:-}" ]; then
  XY_SLURM_MEM_MB=$(awk -v n="$nodes" '/^MemTotal/ {print int($2 / 1024 * 0.8 / n)}' /proc/meminfo)
fi
host=$(hostname -s)
if [ "$nodes" -eq 1 ]; then node_names=node1; node_ports=17001
else node_names="node[1-$nodes]"; node_ports="[17001-$((17000 + nodes))]"; fi

new_conf=$(mktemp); new_gres=$(mktemp)
trap 'rm -f "$new_conf" "$new_gres"' EXIT
cat >"$new_conf" <<CONF
# Written by xuanyuan's scripts/slurm/start.sh: a one-machine test cluster.
ClusterName=xuanyuan-test
SlurmctldHost=${host}(127.0.0.1)
SlurmUser=slurm
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=${state}/slurmctld
SlurmdSpoolDir=${state}/slurmd/%n
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd-%n.pid
SlurmctldLogFile=${logs}/slurmctld.log
SlurmdLogFile=${logs}/slurmd-%n.log
MailProg=/bin/true
# No cgroups in a container: track processes by /proc, bind nothing.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
# No slurmdbd: sacct cannot answer, so the Snakemake profile polls squeue. squeue forgets a job
# MinJobAge seconds after it ends; the executor plugin wants >= 3 x its first-poll delay.
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
MinJobAge=300
# A job killed by scancel must not be requeued by SLURM: Snakemake's retries resubmit it.
JobRequeue=0
ReturnToService=2
# Declared CPUs/memory may differ from the hardware: several fake nodes share this host.
SlurmdParameters=config_overrides
GresTypes=gpu
NodeName=${node_names} NodeHostname=${host} NodeAddr=127.0.0.1 Port=${node_ports} CPUs=${cpus} RealMemory=${XY_SLURM_MEM_MB} Gres=gpu:${gpus} State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
if [ "$gpus" -gt 0 ]; then
  # SLURM only accepts GPUs backed by device files; character devices like /dev/null (1,3) do.
  gpu_files="${state}/fakegpu0"; [ "$gpus" -gt 1 ] && gpu_files="${state}/fakegpu[0-$((gpus - 1))]"
  printf 'AutoDetect=off\nNodeName=%s Name=gpu File=%s\n' "$node_names" "$gpu_files" >"$new_gres"
else
  sed -i -e '/^GresTypes=/d' -e 's/ Gres=gpu:0//' "$new_conf"
fi

pid_running() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
daemons_running() {
  pid_running /run/munge/munged.pid && pid_running /run/slurmctld.pid || return 1
  for i in $(seq 1 "$nodes"); do pid_running "/run/slurmd-node$i.pid" || return 1; done
}
idle_nodes() { sinfo -h -N -o '%N %T' 2>/dev/null | sort -u | grep -c ' idle$' || true; }
all_idle() { [ "$(idle_nodes)" -eq "$nodes" ] && [ "$(sinfo -h -N -o '%N' 2>/dev/null | sort -u | wc -l)" -eq "$nodes" ]; }

if cmp -s "$new_conf" "$conf_dir/slurm.conf" && cmp -s "$new_gres" "$conf_dir/gres.conf" && daemons_running && all_idle; then
  note "already up: $(sinfo -h -N -o '%N=%T' | sort -u | tr '\n' ' ')"; exit 0
fi
"$here/stop.sh" >/dev/null  # a half-started or differently configured cluster: start clean

install -d "$conf_dir" "$logs"
install -d -o slurm -g slurm "$state/slurmctld"
chown slurm:slurm "$logs"
for i in $(seq 1 "$nodes"); do install -d "$state/slurmd/node$i"; done
for g in $(seq 0 $((gpus - 1))); do
  [ -c "$state/fakegpu$g" ] || { rm -f "$state/fakegpu$g"; mknod -m 666 "$state/fakegpu$g" c 1 3; }
done
install -m 644 "$new_conf" "$conf_dir/slurm.conf"
install -m 644 "$new_gres" "$conf_dir/gres.conf"

# 3. munge: every SLURM message is signed with this host's key.
if [ ! -s /etc/munge/munge.key ]; then
  install -d -o munge -g munge -m 700 /etc/munge
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
install -d -o munge -g munge -m 755 /run/munge
install -d -o munge -g munge /var/log/munge /var/lib/munge
runuser -u munge -- /usr/sbin/munged || fail "munged did not start (see /var/log/munge/munged.log)"
for _ in $(seq 40); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
munge -n | unmunge >/dev/null 2>&1 || fail "munge does not round-trip (munge -n | unmunge)"

# 4. Controller, then one slurmd per node (-N picks the node's line and pidfile).
show_log() { tail -n 8 "$1" 2>/dev/null || true; }
/usr/sbin/slurmctld || fail "slurmctld did not start:
$(show_log $logs/slurmctld.log)"
for _ in $(seq 100); do scontrol ping 2>/dev/null | grep -q 'is UP' && break; sleep 0.1; done
scontrol ping 2>/dev/null | grep -q 'is UP' || fail "slurmctld does not answer scontrol ping:
$(show_log $logs/slurmctld.log)"
for i in $(seq 1 "$nodes"); do
  /usr/sbin/slurmd -N "node$i" || fail "slurmd node$i did not start:
$(show_log "$logs/slurmd-node$i.log")"
done

# 5. Ready when every node reports idle.
deadline=$((SECONDS + timeout))
until all_idle; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    sinfo -N -o '%N %T %E' >&2 || true
    fail "nodes not idle after ${timeout}s; logs in $logs"
  fi
  sleep 0.2
done
note "up: $(sinfo -h -N -o '%N=%T cpus=%c mem=%m %G' | sort -u | tr '\n' ' ')"
