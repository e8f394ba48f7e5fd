"""Benchmark BeatBert's pairwise attention layer against torch's TransformerEncoderLayer, its memory as N grows,
and the training throughput of the tiny and a small BeatBert.

    python bench/attention.py [--runs 9] [--batch 8] [--beats 512] [--threads T] [--device cpu|cuda]

With --device cuda on a machine without CUDA it prints one line saying it skipped, and exits 0.

Data: B windows of N beats cut from medleys of the example songs built in code (blues band, pop song, funk groove,
chorale, in a different order for every window), their real beat bits and pair codes, 15% of the beats masked with
`mask_pairs`; and for the layer time also B windows of N beats of the real pop songs (`data/pop600.tar.xz`, test
split, read through the real-MIDI path: the 4/4 songs in id order, each window from one song and the next until N
beats). The kernels were tuned on the medleys, never on the pop windows, whose joint vocabularies are larger; the
target must hold on both. Nothing is downloaded (`--no-pop` skips the pop windows).

1. Layer time: forward + backward (training mode, dropout 0.1) of ONE pairwise block of the tiny model (pre-norm:
   LayerNorm, attention with pair terms and the metrical rotary, LayerNorm, MLP; d_model 32, 4 heads, d_ff 128)
   against `nn.TransformerEncoderLayer(32, 4, 128, dropout=0.1, activation='gelu', norm_first=True)` — the same width,
   heads, feed-forward and dropout — and against the same block of ours without pair terms (torch's
   scaled_dot_product_attention), so the cost of the pair terms alone is visible. The three run interleaved, round after
   round, in one process, and each figure is the median over rounds: the machine's drift hits all three alike. The pair
   index (joint codes, computed once per batch, as the data loader does) is timed apart. Target: ratio <= 0.9 on the
   medleys and on the pop windows (issue 15: the pair block no slower than nine tenths of torch's layer; the first
   wave's target was 1.5).
2. Memory: bytes of the tensors one block keeps for its backward pass (what training holds per layer: counted with
   torch.autograd.graph.saved_tensors_hooks, each storage once) plus the pair index, for N = 128, 256, 512. The
   exponent is the least-squares slope of log(bytes) on log(N); bytes per pair per head (B·H·N²) staying flat shows
   the growth is N²·(a few numbers per pair and head, one index per block), not N²·d: the same figure at d_model 128
   is printed beside it, and the size an N×N×d_head tensor per head would take. Peak RSS is not used: on CPU the
   allocator keeps freed memory, so RSS deltas measure the allocator more than the layer. On CUDA the peak
   allocated memory of forward + backward is printed as well.
3. Throughput: beats per second of a full training step (forward, backward, AdamW) of the tiny model (d 32, 2 layers,
   pairs in layer 0) and a small one (d 128, 4 layers, 4 heads), N beats, batch B, index precomputed.

The last line printed is the headline.
"""
from __future__ import annotations
import argparse, os, sys, time
from pathlib import Path
import numpy as np
import torch
import torch.nn as nn

ROOT = Path(__file__).resolve().parents[1]  # the repository root
sys.path.insert(0, str(ROOT))
from beatbert.midi import midi_bytes
from beatbert.examples import blues_band, pop_song, funk_groove, chorale
from beatbert.beats import song_beats
from beatbert.features import beat_features, beat_descriptors
from beatbert.pairs import pair_codes, mask_pairs
from beatbert.model import BeatBertConfig, BeatBert, Block, pair_index, rotary
from beatbert.pop import pop_ids, pop_split, pop_midi
from beatbert.midi import RejectedSongError

TARGET_RATIO = 0.9   # pair block time / TransformerEncoderLayer time at N = 512, B = 8


def stitch(parts: list, N: int, masked: np.ndarray) -> tuple:
    "Bits (N, F) and masked pair codes (N, N, G) of the first N beats of songs (bits, descriptors) played one after another."
    desc, m0 = {k: [] for k in parts[0][1]}, 0
    for _, d in parts:
        for k, v in d.items(): desc[k].append(v - v[0] + m0 if k == 'measure' else v)
        m0 = desc['measure'][-1][-1] + 1
    desc = {k: np.concatenate(v)[:N] for k, v in desc.items()}
    desc['beat'] = np.arange(N)
    return np.concatenate([f for f, _ in parts])[:N], mask_pairs(pair_codes(desc, 0, N), masked)


def medleys(B: int, N: int, seed: int = 0) -> tuple:
    "Bits (B, N, F) bool, masked pair codes (B, N, N, G) uint8, masks (B, N) of medleys of the example songs."
    songs = [song_beats(midi_bytes(f()), grid='file') for f in (blues_band, pop_song, funk_groove, chorale)]
    parts = [(beat_features(b), beat_descriptors(b)) for b in songs]
    rng = np.random.default_rng(seed)
    bits, codes, masks = [], [], []
    for w in range(B):
        order, n = [], 0
        while n < N:
            for i in rng.permutation(len(parts)): order.append(i); n += len(parts[i][1]['beat'])
        masked = rng.random(N) < 0.15
        b, c = stitch([parts[i] for i in order], N, masked)
        bits.append(b); codes.append(c); masks.append(masked)
    return torch.tensor(np.stack(bits)), np.stack(codes), torch.tensor(np.stack(masks))


def pop_windows(B: int, N: int, seed: int = 0) -> tuple:
    "Bits (B, N, F), masked pair codes (B, N, N, G), masks (B, N) of windows of the pop test songs, each from a song and the next."
    songs, ids = [], iter(sid for sid in pop_ids() if pop_split(sid) == 'test')
    def song(k):                                              # the k-th 4/4 test song, read once
        while len(songs) <= k:
            try: b = song_beats(pop_midi(next(ids)))
            except RejectedSongError: continue
            songs.append((beat_features(b), beat_descriptors(b)))
        return songs[k]
    rng = np.random.default_rng(seed)
    bits, codes, masks = [], [], []
    for w in range(B):
        parts, n, k = [], 0, w
        while n < N: parts.append(song(k)); n += len(parts[-1][1]['beat']); k += 1
        masked = rng.random(N) < 0.15
        b, c = stitch(parts, N, masked)
        bits.append(b); codes.append(c); masks.append(masked)
    return torch.tensor(np.stack(bits)), np.stack(codes), torch.tensor(np.stack(masks))


def sync(device):
    if device.type == 'cuda': torch.cuda.synchronize()


def interleaved(fns: dict, runs: int, device) -> dict:
    "Median seconds of each fn(), the fns called in turn, round after round, after one warm-up round."
    for f in fns.values(): f()
    ts = {k: [] for k in fns}
    for _ in range(runs):
        for k, f in fns.items():
            sync(device); t = time.perf_counter(); f(); sync(device); ts[k].append(time.perf_counter() - t)
    return {k: float(np.median(v)) for k, v in ts.items()}


def saved_bytes(fn, also=()) -> int:
    "Bytes of the distinct storages that autograd saves for backward while fn() runs, with those of `also`, each once."
    seen = {}
    def pack(t):
        s = t.untyped_storage()
        seen[(s.data_ptr(), t.device)] = s.nbytes()
        return t
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = fn()
    saved = sum(seen.values())
    for t in also: seen[(t.untyped_storage().data_ptr(), t.device)] = t.untyped_storage().nbytes()
    return saved, sum(seen.values()), out


def exponent(ns, ys) -> float:
    "Slope of the least-squares line through (log N, log y)."
    return float(np.polyfit(np.log(ns), np.log(ys), 1)[0])


def quadratic(ns, ys, B, H) -> tuple:
    "Least-squares a, c of y = a·B·H·N² + c·B·N: bytes per pair per head, bytes per beat."
    X = np.array([[B * H * n * n, B * n] for n in ns], float)
    return tuple(np.linalg.lstsq(X, np.asarray(ys, float), rcond=None)[0])


class Ours(nn.Module):
    "One block of BeatBert on its own: the rotary of the window, the batch's pair index."
    def __init__(self, cfg, pairs):
        super().__init__()
        self.cfg, self.block = cfg, Block(cfg, pairs)
    def forward(self, x, index, pad=None):
        rot = rotary(x.shape[1], self.cfg.d_head, self.cfg.rotary_periods, x.device)
        return self.block(x, rot, index, pad)


def layer_time(bits, codes, a, device) -> dict:
    B, N = bits.shape[:2]
    cfg = BeatBertConfig(d_model=32, n_heads=4, dropout=0.1)
    torch.manual_seed(0)
    pair, plain = Ours(cfg, True).to(device).train(), Ours(cfg, False).to(device).train()
    enc = nn.TransformerEncoderLayer(cfg.d_model, cfg.n_heads, cfg.d_ff, dropout=cfg.dropout, activation='gelu',
                                     batch_first=True, norm_first=True).to(device).train()
    codes_t = torch.as_tensor(codes)
    index = pair_index(codes_t, cfg)                  # compiled on first use: timed after
    t_index = interleaved({'index': lambda: pair_index(codes_t, cfg)}, 3, torch.device('cpu'))['index']
    index = index.to(device)
    x = torch.randn(B, N, cfg.d_model, device=device, requires_grad=True)
    w = torch.randn(B, N, cfg.d_model, device=device)
    fns = {'pair': lambda: (pair(x, index) * w).sum().backward(),
           'plain': lambda: (plain(x, None) * w).sum().backward(),
           'torch': lambda: (enc(x) * w).sum().backward()}
    ts = interleaved(fns, a.runs, device)
    return dict(ts, index=t_index, vocab=[len(v) for v in index.vocab])


def memory(bits, codes, device, d_model=32) -> list:
    rows = []
    for n in (128, 256, 512):
        if n > codes.shape[1]: break
        cfg = BeatBertConfig(d_model=d_model, n_heads=4, dropout=0.1)
        torch.manual_seed(0)
        pair = Ours(cfg, True).to(device).train()
        enc = nn.TransformerEncoderLayer(cfg.d_model, cfg.n_heads, cfg.d_ff, dropout=cfg.dropout, activation='gelu',
                                         batch_first=True, norm_first=True).to(device).train()
        index = pair_index(torch.as_tensor(np.ascontiguousarray(codes[:, :n, :n])), cfg).to(device)
        B = codes.shape[0]
        x = torch.randn(B, n, cfg.d_model, device=device, requires_grad=True)
        saved, total, out = saved_bytes(lambda: pair(x, index), also=index.idx + index.cols)   # the window columns too
        peak = None
        if device.type == 'cuda':
            out.sum().backward(); del out
            torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats()
            base = torch.cuda.memory_allocated()
            pair(x, index).sum().backward(); torch.cuda.synchronize()
            peak = torch.cuda.max_memory_allocated() - base
        saved_enc, _, _ = saved_bytes(lambda: enc(x))
        pairs_heads = B * cfg.n_heads * n * n
        rows.append(dict(n=n, saved=saved, index=index.nbytes(), total=total, enc=saved_enc, peak=peak,
                         per_pair=total / pairs_heads, naive=pairs_heads * cfg.d_head * 4))
    return rows


def throughput(bits, codes, masks, cfg, a, device) -> float:
    "Beats per second of training steps (forward, backward, AdamW) on one batch, pair index precomputed."
    torch.manual_seed(0)
    model = BeatBert(cfg).to(device).train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    index = pair_index(torch.as_tensor(codes), cfg).to(device) if cfg.pair_layers else None
    bits, masks = bits.to(device), masks.to(device)
    def step():
        _, loss = model(bits, index, masks, targets=bits)
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
    t = interleaved({'step': step}, max(3, a.runs // 2), device)['step']
    return bits.shape[0] * bits.shape[1] / t, model.n_params()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--runs', type=int, default=9, help='timed rounds (median)')
    ap.add_argument('--batch', type=int, default=8, help='windows per batch')
    ap.add_argument('--beats', type=int, default=512, help='beats per window, N')
    ap.add_argument('--threads', type=int, default=None, help='torch CPU threads (default: torch chooses)')
    ap.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    ap.add_argument('--no-pop', action='store_true', help='skip the layer time on the pop windows')
    a = ap.parse_args(argv)
    if torch.device(a.device).type == 'cuda' and not torch.cuda.is_available():
        print(f'attention (cuda): skipped: no CUDA device here (torch {torch.__version__}, '
              f'{"built with CUDA " + torch.version.cuda if torch.version.cuda else "a CPU-only build"}); run it on a GPU machine')
        return
    if a.threads: torch.set_num_threads(a.threads)
    device = torch.device(a.device)
    bits, codes, masks = medleys(a.batch, a.beats)
    B, N = bits.shape[:2]
    print(f'device {device} ({torch.get_num_threads()} CPU threads of {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}), '
          f'torch {torch.__version__}; {B} windows of {N} beats, '
          f'{bits.shape[2]} beat features, {codes.shape[3]} pair groups, 15% of beats masked; median of {a.runs} rounds')

    data = {'medleys of the example songs (the kernels were tuned on these)': (bits, codes)}
    if not a.no_pop: data['pop test songs (never tuned on)'] = pop_windows(a.batch, a.beats)[:2]
    print(f'\n1. one block, forward + backward, N={N} B={B}, d_model 32, 4 heads, dropout 0.1')
    ratios = {}
    for name, (bt_, ct_) in data.items():
        lt = layer_time(bt_, ct_, a, device)
        ratio, plain_ratio = lt['pair'] / lt['torch'], lt['plain'] / lt['torch']
        ratios[name.split(' (')[0]] = ratio
        print(f'   {name}:')
        print(f'   pair block (3 fused pair blocks, joint vocabularies {lt["vocab"]}): {lt["pair"] * 1e3:8.1f} ms')
        print(f'   same block without pair terms (SDPA):                 {lt["plain"] * 1e3:8.1f} ms  ({plain_ratio:.2f}x torch)')
        print(f'   nn.TransformerEncoderLayer (norm_first, gelu):        {lt["torch"] * 1e3:8.1f} ms')
        print(f'   ratio pair / TransformerEncoderLayer: {ratio:.2f} (target <= {TARGET_RATIO}); pair terms add '
              f'{(lt["pair"] - lt["plain"]) * 1e3:.1f} ms; pair index once per batch: {lt["index"] * 1e3:.1f} ms (CPU)')
    ratio = max(ratios.values())

    rows = memory(bits, codes, device)
    wide = {r['n']: r for r in memory(bits, codes, device, d_model=128)}
    print(f'\n2. memory one pair block keeps for backward, B={B}, 4 heads (MB = 1e6 bytes)')
    print('   saved: what autograd keeps (the pair index among it); total: saved and index, each storage once')
    print(f'{"N":>6} {"saved MB":>9} {"index MB":>9} {"total MB":>9} {"B/pair/head":>12} {"d=128":>7} '
          f'{"torch layer MB":>15} {"NxNxd_head MB":>14}' + ('  cuda peak MB' if device.type == 'cuda' else ''))
    for r in rows:
        print(f'{r["n"]:>6} {r["saved"] / 1e6:>9.1f} {r["index"] / 1e6:>9.1f} {r["total"] / 1e6:>9.1f} {r["per_pair"]:>12.1f} '
              f'{wide[r["n"]]["per_pair"]:>7.1f} {r["enc"] / 1e6:>15.1f} {r["naive"] / 1e6:>14.1f}'
              + (f'  {r["peak"] / 1e6:>12.1f}' if r['peak'] is not None else ''))
    mem_exp = exponent([r['n'] for r in rows], [r['total'] for r in rows])
    quad = {d: quadratic([r['n'] for r in rs], [r['total'] for r in rs], B, 4) for d, rs in ((32, rows), (128, list(wide.values())))}
    print(f'   memory exponent in N: {mem_exp:.2f}; fit total = a·B·H·N² + c·B·N: a = {quad[32][0]:.1f} bytes per pair per head, '
          f'c = {quad[32][1]:,.0f} bytes per beat at d_model 32; a = {quad[128][0]:.1f}, c = {quad[128][1]:,.0f} at d_model 128 '
          f'(a vector of d_head floats per pair and head would add 32 and 128 bytes to a)')

    tiny, small = BeatBertConfig(), BeatBertConfig(d_model=128, n_layers=4, n_heads=4)
    bt, pt = throughput(bits, codes, masks, tiny, a, device)
    bs, ps = throughput(bits, codes, masks, small, a, device)
    print(f'\n3. training throughput, N={N} B={B}, forward + backward + AdamW, pair index precomputed')
    print(f'   tiny  (d 32, 2 layers, {pt:,} parameters): {bt:9,.0f} beats/s')
    print(f'   small (d 128, 4 layers, {ps:,} parameters): {bs:9,.0f} beats/s')

    print(f'\nattention ({device.type}): N={N} B={B} pair layer / TransformerEncoderLayer '
          + ', '.join(f'{r:.2f} on {k}' for k, r in ratios.items())
          + f' (the larger {ratio:.2f}, target <= {TARGET_RATIO}: {"met" if ratio <= TARGET_RATIO else "MISSED"}); '
          f'memory exponent {mem_exp:.2f} ({quad[32][0]:.0f} bytes per pair per head at d 32, {quad[128][0]:.0f} at d 128); '
          f'tiny {bt:,.0f} beats/s, small {bs:,.0f} beats/s')


if __name__ == '__main__':
    main()
