#!/usr/bin/env bash
# A throw-away single-node Slurm cluster for the sweep tests: munged,
# slurmctld and slurmd from Debian's slurm-wlm and munge, with a fresh munge
# key, a generated slurm.conf and free ports, everything under DIR.
#   source tests/sweep/slurm-cluster.sh
#   cluster_start DIR     # exports SLURM_CONF; returns non-zero if it did not come up
#   cluster_stop          # kills the daemons it started (by pid), idempotent
# Works as root (CI) and as a normal user (the daemons then run as that user).

cluster_free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

CLUSTER_PIDS=()

cluster_start() {
    local dir=$1 user ncpu ctl_port d_port i
    user=$(id -un)
    ncpu=$(nproc)
    mkdir -p "$dir"/{munge,state,spool,log}
    chmod 711 "$dir/munge"
    # munged insists on a private key file and directories only its user can write.
    dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
    chmod 400 "$dir/munge/munge.key"
    /usr/sbin/munged --force --foreground --socket="$dir/munge/munge.socket" \
        --key-file="$dir/munge/munge.key" --pid-file="$dir/munge/munged.pid" \
        --seed-file="$dir/munge/munged.seed" --log-file="$dir/log/munged.log" 2>>"$dir/log/munged.log" &
    CLUSTER_PIDS+=($!)
    for ((i = 0; i < 50; i++)); do [[ -S $dir/munge/munge.socket ]] && break; sleep 0.1; done
    [[ -S $dir/munge/munge.socket ]] || { echo "slurm-cluster: munged did not start" >&2; cat "$dir/log/munged.log" >&2; return 1; }
    ctl_port=$(cluster_free_port)
    d_port=$(cluster_free_port)
    cat >"$dir/slurm.conf" <<EOF
ClusterName=flotsweep
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctl_port
SlurmdPort=$d_port
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/affinity
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
SlurmdTimeout=60
InactiveLimit=0
MinJobAge=300
MaxArraySize=10000
NodeName=sweepnode NodeHostname=$(hostname) NodeAddr=127.0.0.1 CPUs=$ncpu State=UNKNOWN
PartitionName=sweep Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
    export SLURM_CONF=$dir/slurm.conf
    /usr/sbin/slurmctld -D -i -f "$SLURM_CONF" >"$dir/log/slurmctld.out" 2>&1 &
    CLUSTER_PIDS+=($!)
    /usr/sbin/slurmd -D -N sweepnode -f "$SLURM_CONF" >"$dir/log/slurmd.out" 2>&1 &
    CLUSTER_PIDS+=($!)
    # Up when the node is idle (slurmd registered with slurmctld).
    for ((i = 0; i < 150; i++)); do
        [[ $(sinfo -h -N -o %t 2>/dev/null) == idle ]] && return 0
        sleep 0.2
    done
    echo "slurm-cluster: the node did not become idle; logs:" >&2
    tail -n 20 "$dir"/log/*.log "$dir"/log/*.out >&2
    return 1
}

cluster_stop() {
    local p
    if ((${#CLUSTER_PIDS[@]})); then
        [[ -n ${SLURM_CONF:-} ]] && scancel --user="$(id -un)" >/dev/null 2>&1
        # slurmd, slurmctld, munged: in reverse order of start.
        for ((p = ${#CLUSTER_PIDS[@]} - 1; p >= 0; p--)); do
            kill "${CLUSTER_PIDS[p]}" 2>/dev/null
            wait "${CLUSTER_PIDS[p]}" 2>/dev/null
        done
    fi
    CLUSTER_PIDS=()
}
