#!/usr/bin/env bash
# Stop the daemons of scripts/slurm/start.sh by the PIDs in their pidfiles, and only when that PID
# still runs the expected program (a stale pidfile must not kill an unrelated process).
set -u

stop() {  # pidfile program
  local pidfile=$1 program=$2 pid
  [ -s "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$program" ]; then
    kill "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
    echo "scripts/slurm/stop.sh: stopped $program ($pid)"
  fi
  rm -f "$pidfile"
}

for pidfile in /run/slurmd-*.pid; do [ -e "$pidfile" ] && stop "$pidfile" slurmd; done
stop /run/slurmctld.pid slurmctld
stop /run/munge/munged.pid munged
exit 0
