"""The pair index of a training batch, two ways: `songs_pair_index` (07_model: from the songs' packed factors, one
compiled pass per block, what the training loader runs) against the path it replaced, `fill_codes` for every window
(the (N, N, G) codes) then `pair_index` (joint codes, window columns). Checks that both give the same index and times
both on the same batches.

    python bench/pair_index.py [--corpus cache/corpus-default] [--batches 40] [--per-source 48] [--seed 0]

The check (a property over the corpus, not the examples): for every source of the corpus (meta.csv), `--per-source`
windows of the main job's length (256 beats, shorter where the song is), on songs drawn at random from that source's
training split, each with 15 % of its beats masked at random, in batches of 8; every array of the index (joint codes,
vocabularies, window columns, their numbering and counts) must be equal. A difference exits 1.

The timing: the main job's own batches (`StepBatches` of 08_pretrain: seed 0, steps 0..`--batches`-1, batch 8,
window 256, the random masks of training), both paths on each batch in turn, one thread (the loader's process), the
songs' factors computed before (they are cached per process in training). Printed: the median ms a batch of the old
path, of the new one as training runs it (no joint codes: `ids=False`) and with the joint codes, and the ratio old /
new. The corpus defaults to the main job's (`make run` builds it); without it, the bench corpus of
bench/train_step.py (built once, about a minute). Report the machine's load beside the figures (printed).
"""
from __future__ import annotations
import argparse, os, sys, time
from pathlib import Path
import numpy as np

ROOT = Path(__file__).resolve().parents[1]  # the repository root
sys.path.insert(0, str(ROOT)); sys.path.insert(0, str(ROOT / 'bench'))
import torch
from beatbert.corpus import Corpus
from beatbert.model import BeatBertConfig, pair_index, songs_pair_index
from beatbert.pairs import fill_codes, PAIR_GROUPS
import beatbert.train as T

WINDOW, BATCH, RATE = 256, 8, 0.15   # the main job's window (beats), batch (windows) and mask rate


def filled_index(songs, starts, masked, config, lengths, ids: bool = True):
    "The path replaced: every window's masked codes by `fill_codes`, then `pair_index` of the batch."
    N = masked.shape[1]
    codes = np.zeros((len(songs), N, N, len(PAIR_GROUPS)), np.uint8)
    for b, (sp, a, n) in enumerate(zip(songs, starts, lengths)): fill_codes(sp, a, n, masked[b, :n], codes[b])
    idx = pair_index(codes, config, lengths)
    return idx if ids else idx.for_kernels()


def same(a, b) -> bool:
    "Every array of two pair indexes equal."
    if a.blocks != b.blocks or a.lengths != b.lengths or len(a.idx) != len(b.idx): return False
    return all(torch.equal(x, y) for x, y in zip(a.idx + a.vocab + a.cols, b.idx + b.vocab + b.cols))


def check_sources(corpus: Corpus, config: BeatBertConfig, per_source: int, seed: int) -> dict:
    "{source: windows checked}; raises SystemExit on the first window batch whose indexes differ."
    meta, rng, out = corpus.meta, np.random.default_rng(seed), {}
    train = set(corpus.split('train'))
    for source in sorted(meta.source.unique()):
        songs = [s for s in np.flatnonzero(meta.source.values == source) if s in train]
        if not songs: continue
        wins = []
        for s in rng.choice(songs, size=per_source):
            n = corpus.n_beats(int(s)); a = int(rng.integers(0, max(1, n - WINDOW + 1)))
            wins.append((int(s), a, min(n, a + WINDOW)))
        for k in range(0, len(wins), BATCH):
            ws = wins[k:k + BATCH]
            lengths = [e - a for _, a, e in ws]
            masked = np.zeros((len(ws), max(lengths)), bool)
            for j, n in enumerate(lengths): masked[j, :n] = rng.random(n) < RATE
            sps, starts = [T.corpus_song_pairs(corpus, s) for s, _, _ in ws], [a for _, a, _ in ws]
            if not same(songs_pair_index(sps, starts, masked, config, lengths), filled_index(sps, starts, masked, config, lengths)):
                sys.exit(f'DIFFERENT: source {source}, windows {ws}')
        out[source] = len(wins)
    return out


def time_batches(corpus: Corpus, config: BeatBertConfig, batches: int) -> dict:
    "Median ms a batch of the main job's first `batches` batches: {'old', 'new', 'new_ids'}."
    sb = T.StepBatches(corpus, 'train', BATCH, WINDOW, 'random', RATE, 0, False, steps=batches, model_config=config)
    ts = {'old': [], 'new': [], 'new_ids': []}
    for step in range(batches):
        b = T.make_batch(sb, step)
        wins = T.step_windows(sb, np.random.default_rng([sb.seed, step]))   # the step's windows, as make_batch draws them
        sps, starts, lengths = [T.corpus_song_pairs(corpus, s) for s, _, _ in wins], [a for _, a, _ in wins], [e - a for _, a, e in wins]
        masked = b['masked'].numpy()
        runs = {'old': lambda: filled_index(sps, starts, masked, config, lengths, ids=False),
                'new': lambda: songs_pair_index(sps, starts, masked, config, lengths, ids=False),
                'new_ids': lambda: songs_pair_index(sps, starts, masked, config, lengths)}
        got = {}
        for k, f in runs.items():
            t = time.perf_counter(); got[k] = f(); ts[k].append(time.perf_counter() - t)
        if not same(got['old'], got['new']): sys.exit(f'DIFFERENT: step {step}')
    return {k: 1e3 * float(np.median(v[2:])) for k, v in ts.items()}   # the first two: compilation and the caches


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--corpus', default=str(ROOT / 'cache' / 'corpus-default'))
    p.add_argument('--batches', type=int, default=40)
    p.add_argument('--per-source', type=int, default=48)
    p.add_argument('--seed', type=int, default=0)
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    path = Path(a.corpus)
    if not (path / 'corpus.npz').exists():
        from train_step import bench_corpus
        print(f'{path} is not built (make run builds it): the bench corpus instead')
        path = bench_corpus()
    corpus, config = Corpus(path), BeatBertConfig(pair_layers=(0,))
    print(f'corpus {path}; load {os.getloadavg()[0]:.2f}')
    checked = check_sources(corpus, config, a.per_source, a.seed)
    print('same index on ' + ', '.join(f'{n} windows of {s}' for s, n in checked.items()))
    t = time_batches(corpus, config, a.batches)
    print(f'load {os.getloadavg()[0]:.2f}')
    print(f"pair index of a batch of {BATCH} x {WINDOW} beats, median of {a.batches - 2} main-job batches, one thread: "
          f"fill_codes + pair_index {t['old']:.1f} ms; songs_pair_index {t['new']:.1f} ms ({t['old'] / t['new']:.2f}x faster), "
          f"with the joint codes {t['new_ids']:.1f} ms")


if __name__ == '__main__':
    main()
