"""What the music's metre verdict would do to the built-in sources of the default corpus, were they read with metre='auto'.

    python bench/builtin_verdicts.py [--sources cache/corpus-default/sources] [--grid file]

The default corpus reads its built-in sources (music21's 4/4 pieces, the MMA band songs, the examples) with
grid='file' and metre='file': they are sequenced, their signatures are the truth, so none is gained or lost by the
music's verdict. This script counts, per source and collection, how many would be rejected with metre='auto' and
metre='music' instead, with the reasons, and which grid auto mode would pick. Nothing is written.
"""
from __future__ import annotations
import argparse, sys, time
from collections import Counter
from pathlib import Path
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from beatbert.midi import read_midi, BeatbertError
from beatbert.song_grid import grid_verdict, beat_grid
from beatbert.metre import metre_verdict


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--sources', default=str(ROOT / 'cache' / 'corpus-default' / 'sources'))
    ap.add_argument('--grid', default='file', help="grid mode the verdict is taken on ('file': as the corpus builds them)")
    a = ap.parse_args(argv)
    root = Path(a.sources)
    files = sorted(p for p in root.rglob('*') if p.suffix.lower() in ('.mid', '.midi', '.kar'))
    rows, t0 = [], time.time()
    for p in files:
        parts = p.relative_to(root).parts
        src, coll = parts[0], '/'.join(parts[1:-1]) or parts[0]
        try:
            song = read_midi(p, reader='symusic')
            g = beat_grid(song, a.grid)
            auto, music = metre_verdict(song, g.times, 'auto'), metre_verdict(song, g.times, 'music')
            grid_auto = beat_grid(song, 'auto').source
            rows.append(dict(source=src, collection=coll, file=str(p.relative_to(root)), file_kept=song.verdict.kept,
                             auto_kept=auto.kept, music_kept=music.kept, reason=auto.reason, grid_auto=grid_auto))
        except BeatbertError as e:
            rows.append(dict(source=src, collection=coll, file=str(p.relative_to(root)), error=str(e)))
    df = pd.DataFrame(rows)
    print(f'{len(df)} files under {root} in {time.time() - t0:.0f} s')
    with pd.option_context('display.width', 200, 'display.max_rows', 200):
        print(df.groupby(['source', 'collection']).agg(files=('file', 'size'), file_kept=('file_kept', 'sum'),
                                                       auto_kept=('auto_kept', 'sum'), music_kept=('music_kept', 'sum'),
                                                       grid_file=('grid_auto', lambda s: (s == 'file').sum())).to_string())
        lost = df[df.file_kept.fillna(False).astype(bool) & ~df.auto_kept.fillna(True).astype(bool)]
        print(f'\nkept by the file, rejected by metre=auto: {len(lost)}; by bar length: '
              f"{dict(Counter(r.split('-beat')[0] for r in lost.reason))}")
        print(lost[['file', 'reason']].head(40).to_string(index=False))
        gained = df[~df.file_kept.fillna(True).astype(bool) & df.auto_kept.fillna(False).astype(bool)]
        print(f'\nrejected by the file, kept by metre=auto: {len(gained)}')


if __name__ == '__main__':
    main()
