"""Benchmark pretraining in one process and in several (torchrun, DDP over gloo): beats per second, and the plan for 170,000 files.

    python bench/ddp.py [--corpus cache/corpus-default] [--steps 30] [--skip 5] [--batch 8] [--window 256]
                        [--model tiny|small] [--nproc 2] [--rounds 1] [--beats-per-file 400] [--bandwidth 1.25e9]

Each arm runs `beatbert.train.train` on the corpus (the default corpus, built if missing) in fresh processes, the
same global batch of --batch windows of --window beats every step, --steps steps (evaluation and checkpoint only at
the last step, after the timed rows):

- 1 rank, all cores: the one-process path, torch's threads = the machine's cores;
- 1 rank, 1 thread: the same with one thread (the scaling reference of one core);
- N ranks under torchrun (`--nproc`, default 2), OMP_NUM_THREADS = cores / N, each rank taking its share of the batch.

The arms run in turn, `--rounds` times. A step's time is the difference of `metrics.csv`'s `seconds` column (batch
waiting included); the first --skip steps (compilation, DataLoader start) are left out; beats/s is the global batch's
real beats over the median step time, the median over rounds. The load average is printed before every arm.

It also times `dist.all_reduce` (gloo, on this machine) of the model's gradient size and the making of one batch in
one process (what each DataLoader worker does: the pair codes and pair index are the costly part), and projects one epoch over
170,000 files (--beats-per-file, an assumption: Lakh songs are a few minutes long; the default corpus's own figure is
printed beside it) on 1, 8 and 64 machines like this one: N ranks per machine at the measured rate, plus a ring
all-reduce of the gradients per step over a network of --bandwidth bytes/s (10 GbE: 1.25e9) and 50 us latency per hop.
The last line printed is the headline.
"""
from __future__ import annotations
import argparse, json, os, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
MODELS = {'tiny': {}, 'small': dict(d_model=128, n_layers=4, n_heads=4)}


def worker(a):
    "Inside one process of an arm: train, or time all_reduce."
    import torch
    if a.worker == 'allreduce':
        import torch.distributed as dist
        from beatbert.train import ddp_start
        rank, world, _ = ddp_start('cpu')
        x, ts = torch.zeros(a.numel), []
        for i in range(a.steps + a.skip):
            dist.barrier(); t = time.perf_counter(); dist.all_reduce(x); ts.append(time.perf_counter() - t)
        if rank == 0: print(json.dumps({'allreduce_s': float(np.median(ts[a.skip:]))}))
        return
    from beatbert.train import train, TrainConfig
    from beatbert.model import BeatBertConfig
    tc = TrainConfig(corpus=a.corpus, steps=a.steps, batch_size=a.batch, window=a.window, eval_every=a.steps,
                     checkpoint_every=a.steps, workers=1)
    train(a.folder, tc, BeatBertConfig(**MODELS[a.model]), progress=False)


def launch(a, run: Path, nproc: int, threads: int) -> dict:
    "Run one arm in fresh processes; its beats/s and median step time from metrics.csv."
    env = os.environ | {'OMP_NUM_THREADS': str(threads)}
    args = [str(Path(__file__).resolve()), '--worker', 'train', '--folder', str(run), '--corpus', a.corpus, '--steps', str(a.steps),
            '--batch', str(a.batch), '--window', str(a.window), '--model', a.model]
    cmd = ([sys.executable, '-m', 'torch.distributed.run', '--standalone', f'--nproc_per_node={nproc}'] if nproc > 1 else [sys.executable]) + args
    t = time.time()
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if r.returncode: sys.exit(f'arm failed ({" ".join(cmd)}):\n{r.stderr[-3000:]}')
    m = pd.read_csv(run / 'metrics.csv')
    dt = np.diff(np.r_[0.0, m.seconds.to_numpy()])[a.skip:]
    return dict(step_s=float(np.median(dt)), beats_s=float(np.median(m.beats.to_numpy()[a.skip:] / dt)),
                beats_per_step=float(m.beats.mean()), wall_s=time.time() - t)


def allreduce_time(a, numel: int, nproc: int) -> float:
    "Median seconds of one all_reduce of `numel` float32 over `nproc` local processes (gloo)."
    cmd = [sys.executable, '-m', 'torch.distributed.run', '--standalone', f'--nproc_per_node={nproc}', str(Path(__file__).resolve()),
           '--worker', 'allreduce', '--numel', str(numel), '--steps', '50', '--skip', '5']
    r = subprocess.run(cmd, env=os.environ | {'OMP_NUM_THREADS': '1'}, capture_output=True, text=True)
    if r.returncode: sys.exit(f'all_reduce timing failed:\n{r.stderr[-3000:]}')
    return json.loads([l for l in r.stdout.splitlines() if l.startswith('{')][-1])['allreduce_s']


def batch_time(a, n: int = 5) -> float:
    "Median seconds of `make_batch` (windows, masks, pair codes, pair index) for one global batch, in this process."
    from beatbert.corpus import Corpus
    from beatbert.model import BeatBertConfig
    from beatbert.train import StepBatches, make_batch
    sb = StepBatches(Corpus(a.corpus), 'train', a.batch, a.window, 'random', 0.15, 0, True, 0, n + 1, BeatBertConfig(**MODELS[a.model]))
    make_batch(sb, 0)                                               # compiles what numba compiles
    ts = []
    for s in range(1, n + 1): t = time.perf_counter(); make_batch(sb, s); ts.append(time.perf_counter() - t)
    return float(np.median(ts))


def ring(nbytes: float, machines: int, bandwidth: float, latency: float = 50e-6) -> float:
    "Seconds of a ring all-reduce of `nbytes` over `machines` (bandwidth term plus latency per hop)."
    if machines == 1: return 0.0
    return 2 * (machines - 1) / machines * nbytes / bandwidth + 2 * (machines - 1) * latency


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--corpus', default=str(ROOT / 'cache' / 'corpus-default'), help='a built corpus (the default one is built if missing)')
    ap.add_argument('--steps', type=int, default=30, help='training steps per arm')
    ap.add_argument('--skip', type=int, default=5, help='first steps left out of the timing')
    ap.add_argument('--batch', type=int, default=8, help='windows per step (the global batch)')
    ap.add_argument('--window', type=int, default=256, help='beats per window')
    ap.add_argument('--model', choices=list(MODELS), default='tiny')
    ap.add_argument('--nproc', type=int, default=2, help='ranks of the torchrun arm')
    ap.add_argument('--rounds', type=int, default=1, help='rounds of the arms (median)')
    ap.add_argument('--beats-per-file', type=float, default=400., help='beats a file of the 170,000 (assumed) for the plan')
    ap.add_argument('--bandwidth', type=float, default=1.25e9, help='network bytes/s between machines for the plan (10 GbE)')
    ap.add_argument('--worker', help=argparse.SUPPRESS); ap.add_argument('--folder', help=argparse.SUPPRESS)
    ap.add_argument('--numel', type=int, default=0, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.worker: return worker(a)
    if not (Path(a.corpus) / 'corpus.npz').exists():
        from beatbert.corpus import build
        build(['default'], a.corpus, progress=True)
    from beatbert.model import BeatBert, BeatBertConfig
    import torch
    cores = os.cpu_count() or 1
    n_params = BeatBert(BeatBertConfig(**MODELS[a.model])).n_params()
    arms = {'1 rank, all cores': (1, cores), '1 rank, 1 thread': (1, 1), f'{a.nproc} ranks (torchrun, gloo)': (a.nproc, max(1, cores // a.nproc))}
    print(f'{a.model} model ({n_params:,} parameters), global batch {a.batch} x {a.window} beats, {a.steps} steps (first {a.skip} '
          f'not timed), corpus {a.corpus}; {cores} cores, torch {torch.__version__}; {a.rounds} round(s)')
    work, res = Path(tempfile.mkdtemp()), {k: [] for k in arms}
    for rnd in range(a.rounds):
        for name, (nproc, threads) in arms.items():
            load = os.getloadavg()
            r = launch(a, work / f'{len(res[name])}-{nproc}-{threads}', nproc, threads)
            res[name].append(r)
            print(f'  round {rnd + 1} {name:28} ({threads} thread(s) each): {r["beats_s"]:8,.0f} beats/s, step {r["step_s"] * 1e3:6.0f} ms, '
                  f'wall {r["wall_s"]:.0f} s (load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f})')
    med = {k: {f: float(np.median([r[f] for r in v])) for f in v[0]} for k, v in res.items()}
    one, one1, many = (med[k] for k in arms)
    t_ar = allreduce_time(a, n_params, a.nproc)
    t_batch = batch_time(a)
    print(f'  one batch made in one process (windows, masks, pair codes and their index: what a DataLoader worker does), '
          f'{a.batch} windows of {a.window}: {t_batch * 1e3:.0f} ms, {one["beats_per_step"] / t_batch:,.0f} beats/s per data process')
    print(f'  all_reduce of {n_params:,} float32 ({n_params * 4 / 1e6:.2f} MB) over {a.nproc} local ranks (gloo): {t_ar * 1e3:.2f} ms '
          f'({t_ar / many["step_s"] * 100:.1f} % of a step)')
    print(f'  {a.nproc} ranks / 1 rank on all cores: {many["beats_s"] / one["beats_s"]:.2f}; '
          f'/ 1 rank on 1 thread: {many["beats_s"] / one1["beats_s"]:.2f} (ideal {a.nproc})')
    # the plan: one epoch over 170,000 files, a machine like this one running the N-rank arm, a per-rank batch as here
    meta = pd.read_csv(Path(a.corpus) / 'meta.csv')
    total = 170_000 * a.beats_per_file
    per_machine, step = many['beats_s'], many['step_s']
    print(f'  plan, one epoch over 170,000 files x {a.beats_per_file:.0f} beats = {total / 1e6:.0f} M beats (this corpus: '
          f'{meta.beats.mean():.0f} beats a file), {a.batch} windows of {a.window} beats per machine per step, '
          f'ring all-reduce of {n_params * 4 / 1e6:.2f} MB at {a.bandwidth / 1e9:.2f} GB/s + 50 us a hop:')
    for m in (1, 8, 64):
        ar = ring(n_params * 4, m, a.bandwidth)
        eff = step / (step + ar)
        print(f'    {m:3} machine(s): {total / (per_machine * m * eff) / 3600:7.2f} h  (all-reduce {ar * 1e3:.2f} ms a step, '
              f'efficiency {eff:.3f})')
    print(f'ddp ({a.model}): 1 rank {one["beats_s"]:,.0f} beats/s, {a.nproc} ranks {many["beats_s"]:,.0f} beats/s '
          f'(ratio {many["beats_s"] / one["beats_s"]:.2f}; 1 rank on 1 thread {one1["beats_s"]:,.0f}); '
          f'one epoch of 170,000 files: {total / per_machine / 3600:.1f} h on 1 machine, '
          f'{total / (per_machine * 64 * step / (step + ring(n_params * 4, 64, a.bandwidth))) / 3600:.2f} h on 64; '
          f'load average {os.getloadavg()[0]:.2f}')


if __name__ == '__main__':
    main()
