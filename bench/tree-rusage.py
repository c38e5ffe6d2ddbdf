"""Runs a command and reports the CPU time of its whole process tree, for the PySpark comparison.

    python3 bench/tree-rusage.py <out.json> <command> [args...]

PySpark's driver starts the JVM as its own child and exits without waiting for it (the JVM quits when
its stdin closes), so the JVM is orphaned and a plain wait4() on the driver would miss its CPU time.
This process makes itself the child subreaper (Linux prctl), so orphans of the tree are re-parented
here; it reaps every one of them and then reads RUSAGE_CHILDREN: user + system CPU of the whole tree,
and the largest peak RSS of any one process in it. Writes one JSON object to <out.json>; the
command's stdout, stderr and exit code pass through.
"""
import ctypes
import json
import os
import resource
import subprocess
import sys
import time

PR_SET_CHILD_SUBREAPER = 36
# After the command exits, how long orphans (the JVM shutting down) may take before they are killed.
ORPHAN_GRACE_S = 60


def main():
    out, cmd = sys.argv[1], sys.argv[2:]
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise SystemExit(f'tree-rusage: prctl(PR_SET_CHILD_SUBREAPER) failed: {os.strerror(ctypes.get_errno())}')
    t0 = time.monotonic()
    code = subprocess.call(cmd)
    command_ms = (time.monotonic() - t0) * 1000
    deadline = time.monotonic() + ORPHAN_GRACE_S
    killed = 0
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break  # none left
        if pid == 0:
            if time.monotonic() > deadline:
                for p in orphans():
                    os.kill(p, 9)
                    killed += 1
                deadline = float('inf')
            time.sleep(0.05)
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(out, 'w') as fh:
        json.dump({'exit_code': code, 'wall_ms': round((time.monotonic() - t0) * 1000), 'command_wall_ms': round(command_ms),
                   'user_ms': round(r.ru_utime * 1000), 'sys_ms': round(r.ru_stime * 1000), 'max_rss_kb': r.ru_maxrss,
                   'orphans_killed': killed}, fh)
    sys.exit(code)


def orphans():
    """Our remaining children (after the grace period): processes whose parent is this one."""
    me = os.getpid()
    for d in os.listdir('/proc'):
        if d.isdigit():
            try:
                with open(f'/proc/{d}/stat') as fh:
                    if int(fh.read().rsplit(')', 1)[1].split()[1]) == me:
                        yield int(d)
            except (OSError, ValueError, IndexError):
                pass


if __name__ == '__main__':
    main()
