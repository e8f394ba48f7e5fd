"""Time `beatbert finetune --all` (every task, its baselines, four arms, one table) against its budget.

    python bench/finetune.py [--corpus cache/corpus-default] [--pretrained runs/default] [--out runs/finetune] [--steps 150] [--seed 0]

Needs the default corpus and the main job's pretrained run (`make run`); builds nothing itself. Runs exactly what the CLI
runs (`finetune_all`), prints its table, the seconds spent per task, and the total against the 30-minute budget of issue
8 on this machine; the peer it is measured against, in the same run, is one full forward pass of the pretrained
BeatBert over every beat of the corpus (what any use of the model costs at least), so the ratio says how many such passes
the whole fine-tuning job is worth. The last printed line is the headline.
"""
from __future__ import annotations
import argparse, os, sys, time
from pathlib import Path
import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from beatbert.corpus import Corpus
from beatbert.layout import DEFAULT_CORPUS, DEFAULT_RUN, FINETUNE_RUN, PAIRS, NOPAIRS
from beatbert.model import pair_index
from beatbert.pairs import pair_codes
from beatbert.train import BeatWindows, load_model
from beatbert.finetune import FinetuneConfig, finetune_all
from beatbert.tasks import TASKS

BUDGET = 30 * 60  # seconds


@torch.no_grad()
def corpus_pass(corpus: Corpus, run: Path, window: int = 128, batch: int = 16) -> tuple:
    "Seconds of one forward pass of the pretrained model over every beat of the corpus, and the beats."
    model, _ = load_model(run)
    model.eval()
    tiles = BeatWindows(corpus, 'train', window, 'tile', pairs=False).items
    tiles += BeatWindows(corpus, 'valid', window, 'tile', pairs=False).items + BeatWindows(corpus, 'test', window, 'tile', pairs=False).items
    t0, beats = time.perf_counter(), 0
    for k in range(0, len(tiles), batch):
        w = [(s, a, min(corpus.n_beats(s), a + window)) for s, a in tiles[k:k + batch]]
        N = max(e - a for _, a, e in w)
        bits = torch.zeros(len(w), N, model.config.n_features)
        pad = torch.ones(len(w), N, dtype=torch.bool)
        codes = np.zeros((len(w), N, N, len(model.config.pair_sizes)), np.uint8)
        for j, (s, a, e) in enumerate(w):
            bits[j, :e - a] = torch.from_numpy(corpus.features(s, a, e).astype(np.float32)); pad[j, :e - a] = False
            codes[j, :e - a, :e - a] = pair_codes(corpus.descriptors(s), a, e - a)
        model(bits, pair_index(codes, model.config), None, pad)
        beats += int((~pad).sum())
    return time.perf_counter() - t0, beats


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--corpus', default=str(ROOT / DEFAULT_CORPUS))
    ap.add_argument('--pretrained', default=str(ROOT / DEFAULT_RUN))
    ap.add_argument('--out', default=str(ROOT / FINETUNE_RUN))
    ap.add_argument('--steps', type=int, default=None, help='optimizer steps per arm (default: FinetuneConfig)')
    ap.add_argument('--seed', type=int, default=0, help="FinetuneConfig.seed: the tasks' shifted grids, lifted songs, batches, heads")
    a = ap.parse_args(argv)
    for p in (Path(a.corpus) / 'corpus.npz', Path(a.pretrained) / PAIRS / 'checkpoint.json', Path(a.pretrained) / NOPAIRS / 'checkpoint.json'):
        if not p.exists(): sys.exit(f'{p} missing: run `make run` (the main job) first')
    print(f'{os.cpu_count()} CPUs, torch {torch.__version__} ({torch.get_num_threads()} threads), '
          f'load average {os.getloadavg()[0]:.1f} at the start')
    c = Corpus(a.corpus)
    peer, beats = corpus_pass(c, Path(a.pretrained) / PAIRS)
    print(f'peer: one forward pass of the pretrained BeatBert over the corpus ({beats:,} beats): {peer:.1f} s')
    fc = FinetuneConfig(seed=a.seed, **({'steps': a.steps} if a.steps else {}))
    t0 = time.perf_counter()
    finetune_all(a.corpus, a.pretrained, a.out, fc=fc, progress=False)
    total = time.perf_counter() - t0
    print(f'\nfinetune --all: {total / 60:.1f} min for {len(TASKS)} tasks x 4 arms, {fc.steps} steps each '
          f'(budget {BUDGET / 60:.0f} min: {"met" if total <= BUDGET else "MISSED"}; ratio to budget {total / BUDGET:.2f}); '
          f'{total / peer:.0f}x one forward pass over the corpus ({peer:.0f} s); load average {os.getloadavg()[0]:.1f} at the end')


if __name__ == '__main__':
    main()
