"""End-to-end training throughput of the main job's two arms, with pair features (pairs) and without (nopairs):
masked beats per second and seconds per step, batch making, pair codes, forward, backward and AdamW included.

    python bench/train_step.py [--models tiny small] [--workers 0 1 2] [--steps 10] [--rounds 2] [--busy]
                               [--no-busy] [--wait-rounds 4] [--device cpu|cuda] [--threads T]

What runs: the main job's loop itself (`train` of 08_pretrain, its DataLoader and `workers` processes, the main job's
settings: `TrainConfig` defaults, batch 8, window 256, seed 0), evaluation and checkpoints switched off, on the bench
corpus (30 band songs, 48 music21 pieces spread over its corpus and the examples: a small default corpus, built once
into cache/bench-train-step in about a minute). Models: tiny (the main job's: d 32, 2 layers, pairs in layer 0) and
small (d 128, 4 layers, 4 heads). For every model and worker count the two arms alternate, `--rounds` times
`--steps` steps each, a fresh model and DataLoader per segment; a step's time is the loop's wall time from one step to
the next (the batch's wait included), the first `--warmup` steps of a segment dropped (worker start-up). Both arms
see the same batches (a function of seed and step), so their masked beats are the same and the beats/s ratio is the
inverse of the time ratio. ms/step is the median over the kept steps of all rounds; masked beats/s is all their
masked beats over all their seconds (throughput, as a run sees it), and the ratio's range over rounds is printed beside
it (a round: one segment of each arm, next to each other in time; this VM's speed drifts by a third between minutes).
Beside the ratio, a 95% interval from the rounds' ratios (a t interval on their logs): a target is met when the ratio
and the interval's low end both reach it; with few rounds the interval is wide. For a verdict use enough rounds and
steps: `--rounds 16 --steps 30` (about 3 minutes a worker count; eight rounds left an interval of 0.74-0.89 at stop 41).

The split (one arm at a time, in-process: workers 0, one thread): batch making (windows, masks, hidden inputs), pair
codes (`masked_index`: the batch's pair index, `songs_pair_index` of 07_model), the pair layer (the pair-attention kernels' forward
and backward) and the rest of the step (every other layer, the loss, AdamW), over the steps after `--warmup`, and the
median CPU time of a step (process time from one batch to the next): on a loaded machine wall times measure the queue,
CPU time the work, so the ratio of CPU times is printed too.

`--corpus cache/corpus-default` runs on the main job's own corpus (built by `make run`: its pop and band songs fill
256-beat windows, its many short music21 songs do not; the bench corpus's songs are mostly short). `--split-only` prints the split alone. `--busy` times everything again while a second torch job runs (a training of a small MLP on 2 threads, started here,
stopped at the end); by default only the main job's settings (tiny, 1 worker) are timed busy: the two target ratios,
idle >= 0.75 and busy >= 0.6, printed last. `--no-busy` skips it. `--wait-rounds` times the pairs arm at the main settings with its worker waiting for the
pair kernels (`WAIT_FOR_KERNELS` of 08_pretrain, the default) and not, alternating (CPU only). `--device cuda` runs on the GPU, or says it skipped
when there is none. Report the machine's load beside the figures (printed at the start and the end: `os.getloadavg`).
"""
from __future__ import annotations
import argparse, os, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np

ROOT = Path(__file__).resolve().parents[1]  # the repository root
sys.path.insert(0, str(ROOT))

BAND_SONGS, M21_PIECES = 30, 48   # songs of the bench corpus: band charts (MMA), music21 pieces spread over its corpus
MODELS = {'tiny': dict(), 'small': dict(d_model=128, n_layers=4, n_heads=4)}   # BeatBertConfig fields beside the defaults
TARGET_IDLE, TARGET_BUSY = 0.75, 0.6   # pairs beats/s over nopairs beats/s at the main job's settings
MAIN_WORKERS = 1                       # the main job's DataLoader workers (`TrainConfig.workers`)
BUSY_JOB = """
import torch, time
net = torch.nn.Sequential(torch.nn.Linear(256, 1024), torch.nn.GELU(), torch.nn.Linear(1024, 256))
opt = torch.optim.AdamW(net.parameters())
x = torch.randn(512, 256)
while True:
    loss = net(x).pow(2).mean(); opt.zero_grad(); loss.backward(); opt.step()
"""


def bench_corpus(out: Path = ROOT / 'cache' / 'bench-train-step', progress: bool = False) -> Path:
    "Build (once) the bench corpus: band songs, music21 pieces and the examples, a small default corpus; its folder."
    from beatbert.corpus import materialize_band, materialize_examples, build_corpus
    from beatbert.m21 import materialize_music21, music21_paths
    if (out / 'corpus.npz').exists(): return out
    print(f'building the bench corpus into {out} (once, about a minute)', file=sys.stderr)
    src = out / 'sources'
    folders = [('examples', src / 'examples', 'file', 'file')]
    materialize_examples(src / 'examples')
    if materialize_band(src / 'band', n_songs=BAND_SONGS, progress=progress) is not None and (src / 'band').exists():
        folders.append(('band', src / 'band', 'file', 'file'))
    paths = music21_paths()
    materialize_music21(src / 'music21', progress=progress, paths=[paths[i] for i in np.linspace(0, len(paths) - 1, M21_PIECES).astype(int)])
    folders.append(('music21', src / 'music21', 'file', 'file'))
    build_corpus(folders, out, progress=progress)
    return out


def segment(corpus: Path, model: str, pairs: bool, workers: int, steps: int, device: str, count: bool = True) -> tuple:
    "Train one arm for `steps` steps with the main job's loop; (seconds of each step, masked beats of each step or None)."
    import torch
    import beatbert.train as T
    from beatbert.model import BeatBertConfig
    tc = T.TrainConfig(corpus=str(corpus), steps=steps, eval_every=10 ** 9, checkpoint_every=10 ** 9, workers=workers, device=device)
    mc = BeatBertConfig(pair_layers=(0,) if pairs else (), **MODELS[model])
    T.valid_loss, T.save_checkpoint = (lambda *a, **k: float('nan')), (lambda *a, **k: None)   # steps only: no evaluation, no checkpoint
    with tempfile.TemporaryDirectory() as run:
        df = T.train(Path(run) / 'arm', tc, mc, progress=False)
    sec = np.diff(np.r_[0.0, df.seconds.to_numpy()])
    if not count: return sec, None
    data = T.StepBatches(T.Corpus(str(corpus)), 'train', tc.batch_size, tc.window, tc.mask_strategy, tc.mask_rate, tc.seed, False, 0, steps, mc)
    scored = [int((b['masked'] & ~b['pad']).sum()) for b in (T.make_batch(data, s) for s in range(steps))]
    return sec, np.array(scored)


def throughput(corpus, model, workers, steps, rounds, warmup, device) -> dict:
    "Both arms alternating, `rounds` segments each: {arm: (median s/step, masked beats/s)}, 'rounds': each round's beats/s ratio."
    kept, per_round = {'pairs': ([], []), 'nopairs': ([], [])}, []
    for r in range(rounds):
        rate = {}
        for arm in (('pairs', 'nopairs') if r % 2 == 0 else ('nopairs', 'pairs')):
            sec, sc = segment(corpus, model, arm == 'pairs', workers, steps + warmup, device)
            kept[arm][0].extend(sec[warmup:]); kept[arm][1].extend(sc[warmup:])
            rate[arm] = np.sum(sc[warmup:]) / np.sum(sec[warmup:])
        per_round.append(rate['pairs'] / rate['nopairs'])       # two segments next to each other in time: the VM's drift cancels
    out = {arm: (float(np.median(s)), float(np.sum(b) / np.sum(s))) for arm, (s, b) in kept.items()}   # beats/s: all beats over all seconds
    return out | {'rounds': per_round}


def split(corpus, model, steps, warmup, device) -> dict:
    "Per arm, in-process and on one thread: ms of batch making, pair codes, the pair layer and the rest in a step, and CPU ms a step."
    import torch
    import beatbert.train as T
    import beatbert.pair_attention as PA
    acc, marks, now = {}, [], [-1]
    def timed(key, fn):
        def g(*a, **kw):
            t = time.perf_counter(); r = fn(*a, **kw)
            if now[0] >= warmup: acc[key] = acc.get(key, 0.0) + time.perf_counter() - t
            return r
        return g
    def batch(sb, step):                      # workers 0: step k's batch is made just before step k runs
        now[0] = step; marks.append((time.process_time(), time.perf_counter()))
        return timed_batch(sb, step)
    saved = (T.make_batch, T.masked_index, PA._PairAttentionCPU.forward, PA._PairAttentionCPU.backward)
    timed_batch, T.masked_index = timed('batch', T.make_batch), timed('codes', T.masked_index)
    T.make_batch = batch
    PA._PairAttentionCPU.forward = staticmethod(timed('layer', saved[2]))
    PA._PairAttentionCPU.backward = staticmethod(timed('layer', saved[3]))
    out, threads = {}, torch.get_num_threads()
    torch.set_num_threads(1); PA.kernel_threads(1)   # one thread: CPU time is work done, not threads spinning
    try:
        for arm in ('pairs', 'nopairs'):
            acc.clear(); marks.clear(); now[0] = -1
            segment(corpus, model, arm == 'pairs', 0, steps + warmup, device, count=False)
            cpu, wall = (np.diff(np.array(marks)[warmup:], axis=0) * 1e3).T   # step k: from its batch to the next one's
            ms = {k: v * 1e3 / steps for k, v in acc.items()}
            b, c, l, total = ms.get('batch', 0.0), ms.get('codes', 0.0), ms.get('layer', 0.0), float(np.mean(wall))
            out[arm] = {'step': total, 'batch making': b - c, 'pair codes': c, 'pair layer': l, 'rest': total - b - l, 'CPU': float(np.median(cpu))}
    finally:
        T.make_batch, T.masked_index = saved[:2]
        PA._PairAttentionCPU.forward, PA._PairAttentionCPU.backward = staticmethod(saved[2]), staticmethod(saved[3])
        torch.set_num_threads(threads); PA.kernel_threads(threads)
    return out


def wait_ab(corpus, model, workers, steps, rounds, warmup, device) -> dict:
    "The pairs arm with its workers waiting for the pair kernels (`WAIT_FOR_KERNELS`, the default) and not, alternating: mean s/step of each, and each round's ratio."
    import beatbert.train as T
    kept, per_round = {True: [], False: []}, []
    try:
        for r in range(rounds):
            mean = {}
            for wait in ((True, False) if r % 2 == 0 else (False, True)):
                T.WAIT_FOR_KERNELS = wait
                sec, _ = segment(corpus, model, True, workers, steps + warmup, device, count=False)
                kept[wait].extend(sec[warmup:]); mean[wait] = np.mean(sec[warmup:])
            per_round.append(mean[True] / mean[False])                  # two segments next to each other in time
    finally: T.WAIT_FOR_KERNELS = True
    return {w: float(np.mean(s)) for w, s in kept.items()} | {'rounds': per_round}   # mean: throughput, a late batch included


def interval(ratios, level: float = 0.95) -> tuple:
    "The rounds' ratios as (geometric mean, low, high): a t interval on their logs (a ratio's noise is a factor); (r, nan, nan) for one round."
    from scipy import stats
    x = np.log(np.asarray(ratios, float))
    if len(x) < 2: return float(np.exp(x.mean())), float('nan'), float('nan')
    h = stats.t.ppf((1 + level) / 2, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
    return float(np.exp(x.mean())), float(np.exp(x.mean() - h)), float(np.exp(x.mean() + h))


def report(tag, model, workers, res) -> tuple:
    "Print one line of figures and the ratio; (ratio of beats/s, the rounds' 95% interval's low end)."
    (sp, bp), (sn, bn) = res['pairs'], res['nopairs']
    ratio, rr = bp / bn, res['rounds']
    _, lo, hi = interval(rr)
    print(f'{tag:<5} {model:<5} workers {workers}: pairs {sp * 1e3:7.1f} ms/step {bp:8.0f} masked beats/s | '
          f'nopairs {sn * 1e3:7.1f} ms/step {bn:8.0f} masked beats/s | pairs/nopairs beats/s {ratio:.2f} '
          f'(rounds {min(rr):.2f}-{max(rr):.2f}; 95% interval {lo:.2f}-{hi:.2f} over {len(rr)} rounds)', flush=True)
    return ratio, lo


def verdict(r: float, lo: float, target: float) -> str:
    "met: the ratio and its rounds' interval at or above the target; met by the ratio alone (the interval reaches below: more rounds); MISSED."
    return 'met' if r >= target and lo >= target else f'met by the ratio, not by its interval (low end {lo:.2f}: run more rounds)' if r >= target else 'MISSED'


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--models', nargs='+', default=list(MODELS), choices=list(MODELS))
    ap.add_argument('--workers', nargs='+', type=int, default=[0, 1, 2], help='DataLoader worker counts')
    ap.add_argument('--steps', type=int, default=10, help='timed steps per segment')
    ap.add_argument('--warmup', type=int, default=3, help='steps dropped at the start of each segment')
    ap.add_argument('--rounds', type=int, default=2, help='segments of each arm, alternating')
    ap.add_argument('--busy', action='store_true', help='time every model and worker count with a second torch job too')
    ap.add_argument('--no-busy', action='store_true', help='skip the busy measurement of the main settings')
    ap.add_argument('--wait-rounds', type=int, default=4, help="rounds of the pairs arm's workers waiting for the kernels or not (main settings; 0: skip)")
    ap.add_argument('--split-only', action='store_true', help='only the split and its CPU times (on a loaded machine)')
    ap.add_argument('--device', default='cpu', help='cpu or cuda')
    ap.add_argument('--threads', type=int, default=None, help="torch's threads (default: torch's choice)")
    ap.add_argument('--corpus', default=None, help="a built corpus folder instead of the bench corpus, e.g. the main job's "
                                                   "(cache/corpus-default)")
    a = ap.parse_args(argv)
    import torch
    if a.device.startswith('cuda') and not torch.cuda.is_available():
        print(f'train_step: --device {a.device}: no CUDA device here; skipped'); return
    if a.threads: torch.set_num_threads(a.threads)
    corpus = Path(a.corpus) if a.corpus else bench_corpus()
    if not (corpus / 'corpus.npz').exists(): sys.exit(f'train_step: {corpus}: no built corpus there')
    from beatbert.corpus import Corpus
    c = Corpus(corpus)
    print(f'{c}; device {a.device}, torch threads {torch.get_num_threads()}, cores {os.cpu_count()}; '
          f'load average {os.getloadavg()[0]:.2f} at the start', flush=True)
    t0 = time.time()
    idle = {}
    for model in a.models if not a.split_only else ():
        for w in a.workers:
            idle[model, w] = report('idle', model, w, throughput(corpus, model, w, a.steps, a.rounds, a.warmup, a.device))
    if a.wait_rounds and not a.split_only and a.device == 'cpu':
        w = wait_ab(corpus, 'tiny', MAIN_WORKERS, a.steps, a.wait_rounds, a.warmup, a.device)
        print(f'wait  tiny  workers {MAIN_WORKERS}: pairs arm, its worker waiting for the pair kernels {w[True] * 1e3:.1f} ms/step, '
              f'not waiting {w[False] * 1e3:.1f} ms/step (x{w[True] / w[False]:.2f}; {a.wait_rounds} rounds alternating, a round\'s '
              f'x{min(w["rounds"]):.2f}-{max(w["rounds"]):.2f}: a verdict needs rounds that agree)', flush=True)
    for model in a.models:
        sp = split(corpus, model, a.steps, a.warmup, a.device)
        for arm, ms in sp.items():
            print(f'split {model:<5} {arm:<7} (in-process, 1 thread, ms/step): ' + ', '.join(f'{k} {v:.1f}' for k, v in ms.items()), flush=True)
        print(f'split {model:<5} CPU ms/step nopairs / pairs {sp["nopairs"]["CPU"] / sp["pairs"]["CPU"]:.2f} (the beats/s ratio on '
              f'a quiet machine if both arms used its cores alike; load-robust: work done, not waiting)', flush=True)
    busy = {}
    if (not a.no_busy or a.busy) and not a.split_only:
        job = subprocess.Popen([sys.executable, '-c', BUSY_JOB], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(2)
            todo = [(m, w) for m in a.models for w in a.workers] if a.busy else [('tiny', MAIN_WORKERS)]
            for model, w in todo:
                busy[model, w] = report('busy', model, w, throughput(corpus, model, w, a.steps, a.rounds, a.warmup, a.device))
        finally:
            job.kill(); job.wait()
    print(f'{time.time() - t0:.0f} s; load average {os.getloadavg()[0]:.2f} at the end')
    main_key = ('tiny', MAIN_WORKERS)
    if main_key in idle:
        r, lo = idle[main_key]
        print(f'TARGET idle: pairs/nopairs masked beats/s at the main job\'s settings (tiny, {MAIN_WORKERS} worker) '
              f'{r:.2f} (target >= {TARGET_IDLE}: {verdict(r, lo, TARGET_IDLE)})')
    if main_key in busy:
        r, lo = busy[main_key]
        print(f'TARGET busy: the same while a second torch job runs {r:.2f} (target >= {TARGET_BUSY}: {verdict(r, lo, TARGET_BUSY)})')


if __name__ == '__main__':
    main()
