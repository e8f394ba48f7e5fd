"""Training curves of the main job's two arms on the bench corpus, saved to JSON, and compared with a saved run:
the check that making the pairs cheap left the training unchanged (same seed, same metrics to --tol).

    python bench/curves.py [--steps 60] [--threads 1] [--out FILE] [--against FILE] [--tol 1e-4]

Both arms (pairs: the tiny model with pair terms in layer 0; nopairs: the same model without) train with the main
job's settings (`TrainConfig` defaults: batch 8, window 256, lr 3e-3 with warm-up and cosine decay, seed 0) except
`--steps` (the schedule follows it), on the bench corpus of bench/train_step.py (band songs, music21 pieces and the
examples, built once into cache/bench-train-step), with no DataLoader worker (batches are a function of (seed, step)
either way). Recorded per arm: the training loss of every step, the valid loss every `--steps // 3` steps, and the
test split's metrics of the final model (`compare`: BCE per beat, micro-F1, macro-AUC, F1 per group) beside the
baselines that learn nothing. `--against` prints the largest difference of each figure from the saved run and exits 1
when one exceeds `--tol`.

The reference run is bench/curves_main.json (default arguments, one thread, main at 54ee15b: before the vectorised exp
of 07a; the one of a66bd0f, before issue 18, was made on an older corpus).
Rounding differs between machines and thread counts (BLAS, the kernels' row chunks), so compare runs made on the same
machine with the same `--threads` (torch's and the pair kernels'); the last line printed is the verdict.
"""
from __future__ import annotations
import argparse, json, sys, time
from pathlib import Path
import numpy as np

ROOT = Path(__file__).resolve().parents[1]  # the repository root
sys.path.insert(0, str(ROOT)); sys.path.insert(0, str(ROOT / 'bench'))
import torch
from beatbert.train import TrainConfig, train, compare
from beatbert.model import BeatBertConfig
from beatbert.corpus import Corpus
from train_step import bench_corpus


def run_arms(corpus: Path, steps: int, out: Path) -> dict:
    "Train both arms from scratch into `out`; their losses and test metrics."
    tc = TrainConfig(corpus=str(corpus), steps=steps, eval_every=max(1, steps // 3), checkpoint_every=steps, workers=0)
    res, runs = {}, {}
    for arm, pl in (('pairs', (0,)), ('nopairs', ())):
        run = out / arm
        for f in ('checkpoint.json', 'model.safetensors', 'optimizer.safetensors', 'metrics.csv'): (run / f).unlink(missing_ok=True)
        t = time.perf_counter()
        df = train(run, tc, BeatBertConfig(pair_layers=pl), progress=False)
        print(f'{arm}: {steps} steps in {time.perf_counter() - t:.0f} s', file=sys.stderr)
        res[arm] = {'train_loss': df.train_loss.tolist(), 'valid_loss': df.valid_loss.dropna().tolist()}
        runs[arm] = run
    tab = compare(runs, Corpus(corpus), tc).loc['all']   # rows (source, model): the whole test split's
    for name, row in tab.iterrows():   # the metrics, not the run's cost (wall time and beats/s differ run to run)
        res.setdefault(name, {})['test'] = {k: float(v) for k, v in row.items() if k not in ('wall_s', 'beats_per_s')}
    return res


def differences(a: dict, b: dict) -> dict:
    "Largest absolute difference of every figure of run `a` from run `b`: {arm/figure: value}."
    out = {}
    for arm in b:
        for k, v in b[arm].items():
            w = a.get(arm, {}).get(k, {} if isinstance(v, dict) else [])
            if isinstance(v, dict):   # the saved run's figures (a newer table has more columns: wall time, beats/s)
                x, y = np.array(list(v.values()), float), np.array([w.get(f, np.inf) for f in v], float)
            else: x, y = np.array(v, float), np.array(w, float)
            out[f'{arm}/{k}'] = float(np.nanmax(np.abs(x - y))) if x.shape == y.shape and len(x) else float('inf')
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--steps', type=int, default=60, help='optimizer steps of each arm')
    ap.add_argument('--threads', type=int, default=1, help="torch's threads and the pair kernels'")
    ap.add_argument('--out', type=Path, default=None, help='write the curves to this JSON file')
    ap.add_argument('--against', type=Path, default=None, help='a saved run to compare with')
    ap.add_argument('--tol', type=float, default=1e-4, help='largest difference allowed')
    a = ap.parse_args(argv)
    from beatbert.pair_attention import kernel_threads
    torch.set_num_threads(a.threads); kernel_threads(a.threads)
    res = run_arms(bench_corpus(), a.steps, ROOT / 'cache' / 'bench-curves')
    res['_settings'] = {'steps': [a.steps], 'threads': [torch.get_num_threads()]}
    for arm in ('pairs', 'nopairs'):
        t = res[arm]
        print(f'{arm}: train loss {t["train_loss"][0]:.4f} -> {t["train_loss"][-1]:.4f}, valid {t["valid_loss"]}, '
              f'test BCE {t["test"]["bce"]:.5f}, micro-F1 {t["test"]["micro_f1"]:.5f}, macro-AUC {t["test"]["macro_auc"]:.5f}')
    if a.out: a.out.write_text(json.dumps(res, indent=1)); print(f'wrote {a.out}', file=sys.stderr)
    if a.against:
        d = differences(res, json.loads(a.against.read_text()))
        worst = max(d, key=d.get)
        for k, v in d.items(): print(f'{k:<32} max |difference| {v:.2e}')
        ok = d[worst] <= a.tol
        print(f'curves: {"SAME" if ok else "DIFFERENT"} as {a.against.name} to {a.tol:g} (largest difference {d[worst]:.2e}, {worst})')
        sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
