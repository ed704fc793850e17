#!/usr/bin/env bash
# Runs examples/slurm on a one-node Slurm cluster on this machine and checks that
# the merged sweep equals the same sweep run locally. Needs root (installs
# Debian's slurm-wlm and munge if missing). Called by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
WORK=$(mktemp -d /tmp/credsim-slurm-XXXX)
HOST=$(hostname)

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
fi

# munge: a key and the daemon
if [ ! -s /etc/munge/munge.key ]; then
  mkdir -p /etc/munge
  dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
fi
chown -R munge:munge /etc/munge 2>/dev/null || true
chmod 400 /etc/munge/munge.key
mkdir -p /run/munge /var/lib/munge /var/log/munge
chown -R munge:munge /run/munge /var/lib/munge /var/log/munge 2>/dev/null || true
pgrep -x munged >/dev/null || munged --force

# a one-node cluster, everything as root
CPUS=$(nproc)
MEM=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
mkdir -p /etc/slurm /var/spool/slurmd /var/spool/slurmctld /var/log/slurm
cat > /etc/slurm/slurm.conf <<EOF
ClusterName=credsim
SlurmctldHost=$HOST
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
MpiDefault=none
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
NodeName=$HOST CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
pkill -x slurmctld 2>/dev/null || true
pkill -x slurmd 2>/dev/null || true
sleep 1
slurmctld
slurmd
for _ in $(seq 1 60); do
  if sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then break; fi
  sleep 1
done
sinfo

# The sweep: a small one, so the check takes seconds.
cat > "$WORK/sweep.yaml" <<EOF
name: slurm-check
base: $ROOT/presets/city-cameras.yaml
seed: 11
replicates: 2
agents: 5000
design: { type: grid }
vary:
  review.rate.red-light-crossing: [0, 0.9]
  sources.face-recognition-cameras.groupFalseMult.b: [1, 30]
EOF
CREDSIM="node $ROOT/bin/credsim.js"
cd "$WORK"
failed=0
# Waits until the queue is empty (at most 10 minutes), then shows the jobs' output.
wait_for_queue() {
  for _ in $(seq 1 600); do
    if [ -z "$(squeue -h 2>/dev/null)" ]; then break; fi
    sleep 1
  done
  cat slurm-*.out 2>/dev/null || true
}
# same_as_local WHAT CLUSTER_DIR LOCAL_DIR FILE...: byte comparison, counted in $failed.
same_as_local() {
  local what=$1 cluster=$2 local_dir=$3
  shift 3
  for f in "$@"; do
    if cmp -s "$cluster/$f" "$local_dir/$f"; then echo "Slurm check: $what $f identical to the local run"
    else echo "Slurm check: $what $f differs from the local run"; failed=$((failed + 1)); fi
  done
}
jid=$(sbatch --parsable --array=1-3 --export=ALL,SWEEP="$WORK/sweep.yaml",OUT="$WORK/shards",CREDSIM="$CREDSIM" "$ROOT/examples/slurm/sweep-array.sbatch")
mid=$(sbatch --parsable --kill-on-invalid-dep=yes --dependency=afterok:"$jid" --export=ALL,OUT="$WORK/shards",CREDSIM="$CREDSIM" "$ROOT/examples/slurm/merge.sbatch")
echo "submitted array $jid and merge $mid"
wait_for_queue
test -f "$WORK/shards/merged/runs.parquet" || { echo "Slurm check: the merged sweep is missing"; exit 1; }

$CREDSIM sweep "$WORK/sweep.yaml" --out "$WORK/local" --quiet
same_as_local sweep "$WORK/shards/merged" "$WORK/local" runs.parquet groups.parquet
scancel "$jid" "$mid" 2>/dev/null || true

# A country as regions: three array tasks, each a shard of whole regions, merged
# into one run folder that must equal the local single-process run.
# (with the scripts' own way to find credsim: the project folder, here given as PROJECT)
cjid=$(sbatch --parsable --array=1-3 --export=ALL,SCENARIO=reference,REGIONS=china-31,AGENTS=60000,OUT="$WORK/country",PROJECT="$ROOT" "$ROOT/examples/slurm/country-array.sbatch")
cmid=$(sbatch --parsable --kill-on-invalid-dep=yes --dependency=afterok:"$cjid" --export=ALL,OUT="$WORK/country",PROJECT="$ROOT" "$ROOT/examples/slurm/merge.sbatch")
echo "submitted country array $cjid and merge $cmid"
wait_for_queue
test -f "$WORK/country/merged/summary.json" || { echo "Slurm check: the merged country is missing"; exit 1; }
$CREDSIM run reference --regions china-31 --agents 60000 --workers 1 --out "$WORK/country-local" --quiet
same_as_local country "$WORK/country/merged" "$WORK/country-local" summary.json daily.parquet
scancel "$cjid" "$cmid" 2>/dev/null || true
echo "$((4 - failed)) passed, $failed failed"
[ "$failed" = 0 ]
