#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for tests of the slurm fine-tuning provider.
#
#   bash scripts/slurm-dev.sh start    install slurm-wlm + munge if missing, start munged,
#                                      slurmctld and slurmd, wait until the node is idle
#   bash scripts/slurm-dev.sh stop     stop the daemons this script started (pid files)
#   bash scripts/slurm-dev.sh status   exit 0 when the cluster is up, 3 when it is not
#
# Runs as root (the daemons and jobs run as root; no systemd needed). State, spool, logs and
# pid files live in $LABOR_LLM_SLURM_DIR (default /tmp/labor-llm-slurm). The clients read
# /etc/slurm/slurm.conf, which this script writes with a marker line and never overwrites
# when someone else wrote it (set LABOR_LLM_SLURM_FORCE=1 to replace it anyway).
set -euo pipefail

DIR=${LABOR_LLM_SLURM_DIR:-/tmp/labor-llm-slurm}
CONF=/etc/slurm/slurm.conf
MARKER="# written by labor-llm scripts/slurm-dev.sh"
MUNGE_KEY=/etc/munge/munge.key
MUNGE_PID=/run/munge/munged.pid
WAIT_S=${LABOR_LLM_SLURM_WAIT_S:-60}

say() { printf 'slurm-dev: %s\n' "$*"; }
die() { printf 'slurm-dev: error: %s\n' "$*" >&2; exit 1; }

pid_alive() { # pid file -> 0 when its process runs
  [[ -s $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null
}

need_root() {
  [[ $(id -u) -eq 0 ]] || die "run as root: the dev cluster runs munged, slurmctld and slurmd as root (sudo bash $0 $1)"
}

install_packages() {
  if command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v munged >/dev/null && command -v sbatch >/dev/null; then
    return
  fi
  command -v apt-get >/dev/null || die "slurm-wlm/munge are not installed and apt-get is not available; install Slurm (slurmctld, slurmd, sbatch) and munge by hand"
  say "installing slurm-wlm and munge (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q slurm-wlm munge >"$DIR/apt.log" 2>&1; then
    say "apt-get install failed; refreshing the package lists and retrying"
    apt-get update -q >>"$DIR/apt.log" 2>&1 || true
    apt-get install -y -q slurm-wlm munge >>"$DIR/apt.log" 2>&1 || die "apt-get install slurm-wlm munge failed; see $DIR/apt.log"
  fi
  say "installed: $(slurmctld -V 2>/dev/null || echo slurm)"
}

start_munge() {
  if [[ ! -s $MUNGE_KEY ]]; then
    say "creating $MUNGE_KEY"
    mkdir -p /etc/munge
    dd if=/dev/urandom of="$MUNGE_KEY" bs=1024 count=1 status=none
  fi
  chown munge:munge "$MUNGE_KEY" && chmod 400 "$MUNGE_KEY"
  mkdir -p /run/munge /var/lib/munge /var/log/munge
  chown munge:munge /run/munge /var/lib/munge /var/log/munge /etc/munge
  chmod 755 /run/munge
  chmod 700 /var/lib/munge /var/log/munge /etc/munge
  if pid_alive "$MUNGE_PID"; then
    say "munged already running (pid $(cat "$MUNGE_PID"))"
  else
    say "starting munged as user munge"
    runuser -u munge -- munged
    touch "$DIR/munged.ours"
  fi
  munge -n | unmunge >/dev/null || die "munge credential round trip failed; see /var/log/munge/munged.log"
}

write_conf() {
  local host cpus mem conf
  host=$(hostname -s)
  cpus=$(nproc)
  mem=$(free -m | awk '/^Mem:/ { m = int($2 * 0.9); print (m > 256 ? m : $2) }')
  mkdir -p "$DIR/state" "$DIR/spool"
  conf=$(cat <<CONF
$MARKER
# Single-node dev cluster; state, logs and pid files in $DIR.
ClusterName=labor-llm-dev
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$DIR/jobcomp.txt
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
KillWait=10
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
)
  mkdir -p /etc/slurm
  if [[ -e $CONF ]] && ! grep -qxF "$MARKER" "$CONF" && [[ ${LABOR_LLM_SLURM_FORCE:-0} != 1 ]]; then
    die "$CONF exists and was not written by this script; leaving it alone (LABOR_LLM_SLURM_FORCE=1 replaces it)"
  fi
  printf '%s\n' "$conf" >"$DIR/slurm.conf"
  if ! cmp -s "$DIR/slurm.conf" "$CONF" 2>/dev/null; then
    say "writing $CONF (node $host, $cpus CPUs, ${mem} MB)"
    cp "$DIR/slurm.conf" "$CONF.tmp.$$" && mv -f "$CONF.tmp.$$" "$CONF"
  fi
}

node_state() { sinfo -h -N -o '%t' 2>/dev/null | head -n1; }

wait_idle() {
  local state="" i
  for ((i = 0; i < WAIT_S * 5; i++)); do
    state=$(node_state || true)
    case $state in
      idle | mix | alloc | comp) say "node $(hostname -s) is $state; cluster ready"; return 0 ;;
      down* | drain* | drng*) scontrol update nodename="$(hostname -s)" state=resume >/dev/null 2>&1 || true ;;
    esac
    sleep 0.2
  done
  die "node not idle after ${WAIT_S}s (state '${state:-unknown}'); see $DIR/slurmctld.log and $DIR/slurmd.log"
}

start() {
  need_root start
  mkdir -p "$DIR"
  if pid_alive "$DIR/slurmctld.pid" && pid_alive "$DIR/slurmd.pid" && pid_alive "$MUNGE_PID"; then
    say "already running (slurmctld $(cat "$DIR/slurmctld.pid"), slurmd $(cat "$DIR/slurmd.pid"))"
    wait_idle
    return
  fi
  install_packages
  start_munge
  write_conf
  if pid_alive "$DIR/slurmctld.pid"; then
    say "slurmctld already running (pid $(cat "$DIR/slurmctld.pid"))"
  else
    say "starting slurmctld"
    slurmctld || die "slurmctld failed to start; see $DIR/slurmctld.log"
  fi
  if pid_alive "$DIR/slurmd.pid"; then
    say "slurmd already running (pid $(cat "$DIR/slurmd.pid"))"
  else
    say "starting slurmd"
    slurmd || die "slurmd failed to start; see $DIR/slurmd.log"
  fi
  wait_idle
}

stop_pidfile() { # name pidfile
  local name=$1 file=$2 pid i
  if ! pid_alive "$file"; then
    say "$name not running"
    rm -f "$file"
    return
  fi
  pid=$(cat "$file")
  say "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$file"; return; }
    sleep 0.1
  done
  say "$name did not stop in 10 s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$file"
}

stop() {
  need_root stop
  stop_pidfile slurmd "$DIR/slurmd.pid"
  stop_pidfile slurmctld "$DIR/slurmctld.pid"
  if [[ -e $DIR/munged.ours ]]; then
    stop_pidfile munged "$MUNGE_PID"
    rm -f "$DIR/munged.ours"
  elif pid_alive "$MUNGE_PID"; then
    say "leaving munged running (this script did not start it)"
  fi
}

status() {
  local up=0
  for d in slurmctld slurmd; do
    if pid_alive "$DIR/$d.pid"; then say "$d running (pid $(cat "$DIR/$d.pid"))"; else say "$d not running"; up=3; fi
  done
  if pid_alive "$MUNGE_PID"; then say "munged running (pid $(cat "$MUNGE_PID"))"; else say "munged not running"; up=3; fi
  if [[ $up -eq 0 ]]; then
    sinfo 2>&1 | sed 's/^/  /'
  fi
  return $up
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: bash $0 start|stop|status" >&2; exit 2 ;;
esac
