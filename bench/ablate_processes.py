"""Is a plan faster in two processes than in one? Fine-tuning throughput of `beatbert ablate` on this machine.

    python bench/ablate_processes.py [--plan data/ablation.toml] [--arm nopairs_time] [--task tonic] [--steps 60]

The work is a fine-tuning of tier 8's kind: task `--task` from the finished run `ARM/seed0` of the plan, `--steps`
steps, the plan's threads (torch.set_num_threads), its examples read once before the clock starts. It runs once alone
(the peer), then twice at once in two processes (what two `beatbert ablate` on one plan do: `run_lock` keeps them on
different runs). Printed: seconds of the lone run, of the pair, and the throughput ratio (two runs' worth of work in the
pair's time, against one run in the lone run's time; above 1: two processes finish a plan sooner). Each run fine-tunes
into a temporary folder; nothing of the plan's folders is written. Stop other CPU work first (the load is printed).
"""
from __future__ import annotations
import argparse, os, shutil, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def one(plan_path: str, arm: str, task: str, steps: int, go: str | None) -> float:
    "Fine-tune `task` from ARM/seed0 for `steps` steps into a temporary folder; seconds, examples excluded (waits for file `go`)."
    import torch
    from beatbert.ablation import load_plan, calibrate, plan_runs
    from beatbert.corpus import Corpus
    from beatbert.finetune import FinetuneConfig, finetune
    from beatbert.tasks import get_task, task_examples
    plan = load_plan(plan_path)
    if plan.threads: torch.set_num_threads(plan.threads)
    r = next(r for r in plan_runs(plan, calibrate(plan, False)) if r.arm.name == arm and r.seed == 0 and r.part == 'pretrain')
    if not (r.folder / 'done.json').exists(): sys.exit(f'{r.folder}: not trained yet; choose a finished arm')
    t = get_task(task)
    ex = task_examples(Corpus(plan.corpus), t)[0]
    if go:                                                    # the pair starts its clocks together
        Path(go + f'.{os.getpid()}').touch()
        while not Path(go).exists(): time.sleep(0.01)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as d:
        finetune(t, ex, r.folder, Path(d) / task, False, FinetuneConfig(steps=steps, seed=0, device=plan.device), False)
    return time.perf_counter() - t0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--plan', default='data/ablation.toml')
    ap.add_argument('--arm', default='nopairs_time', help='a finished arm of the plan (its seed 0)')
    ap.add_argument('--task', default='tonic')
    ap.add_argument('--steps', type=int, default=60)
    ap.add_argument('--child', default=None, help=argparse.SUPPRESS)   # internal: one run of the pair, its start signal
    a = ap.parse_args(argv)
    if a.child is not None:
        print(f'{one(a.plan, a.arm, a.task, a.steps, a.child):.3f}'); return
    print(f'load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; {a.arm}/seed0, {a.task}, {a.steps} steps')
    alone = one(a.plan, a.arm, a.task, a.steps, None)
    print(f'one process:   {alone:7.1f} s')
    sync = tempfile.mkdtemp(prefix='ablate-go-'); go = os.path.join(sync, 'go')   # each child touches go.PID when ready
    cmd = [sys.executable, __file__, '--plan', a.plan, '--arm', a.arm, '--task', a.task, '--steps', str(a.steps), '--child', go]
    ps = [subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    while len(list(Path(sync).glob('go.*'))) < 2 and all(p.poll() is None for p in ps): time.sleep(0.05)
    Path(go).touch()
    pair = [float(p.communicate()[0].strip().splitlines()[-1]) for p in ps]
    shutil.rmtree(sync)
    print(f'two processes: {max(pair):7.1f} s for both ({pair[0]:.1f} and {pair[1]:.1f})')
    print(f'throughput of two processes over one: {2 * alone / max(pair):.2f} (above 1: a plan in two processes finishes sooner)')
    print(f'load average {os.getloadavg()[0]:.2f} at the end')


if __name__ == '__main__':
    main()
