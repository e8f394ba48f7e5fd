"""A real-browser check of the tour: JupyterLab on localhost, nbs/000_tour.ipynb opened in headless Chromium, every
cell run from the Run menu, then a verdict on what the page shows.

    .venv/bin/python tools/browser_check.py [--notebook nbs/000_tour.ipynb] [--out runs/browser_check] [--timeout 300]

Fails (exit 1) when a cell shows a traceback or an error output, when a plotly figure output does not render (fewer
rendered than expected: 10 figures in the tour and the 3 figures of its explorer widget), or when the attention map's
heatmap is missing. Writes a screenshot with the attention map scrolled into view (runs/browser_check/tour.png) and
report.json beside it, and prints one line: the verdict.

Needs Debian's chromium (`apt-get install -y chromium`, done here when missing and running as root) and node with npm
(playwright-core is installed into tools/node_modules, git-ignored, on first run). JupyterLab runs from this venv with
no token, on a free port of 127.0.0.1, with its own settings folder: autosave off (the tour on disk stays clean, and is
restored if anything wrote to it), no news or update checks, every cell rendered (no windowing). Nothing else is
reached over the network. Takes about a minute; not part of `make test`.
"""
from __future__ import annotations
import argparse, json, os, re, shutil, signal, socket, subprocess, sys, tempfile, time, urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / 'tools'
CHROMIUM = '/usr/bin/chromium'
EXPECTED = {'figures': 10, 'widget_figures': 3}     # in nbs/000_tour.ipynb: plotly outputs, figures inside the explorer

def say(msg: str): print(f'browser_check: {msg}', file=sys.stderr, flush=True)

def ensure_chromium():
    "Debian's chromium, installed with apt when missing."
    if Path(CHROMIUM).exists(): return
    if os.geteuid() != 0 or not shutil.which('apt-get'):
        raise SystemExit(f'browser_check: FAIL: {CHROMIUM} missing; install it with: apt-get install -y chromium')
    say('installing chromium with apt-get (once)')
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    if subprocess.run(['apt-get', 'install', '-y', '-qq', 'chromium'], env=env, capture_output=True).returncode:
        subprocess.run(['apt-get', 'update', '-qq'], env=env, capture_output=True)
        subprocess.run(['apt-get', 'install', '-y', '-qq', 'chromium'], env=env, check=True, capture_output=True)

def ensure_playwright():
    "playwright-core in tools/node_modules, installed with npm when missing."
    if (TOOLS / 'node_modules' / 'playwright-core' / 'package.json').exists(): return
    if not shutil.which('npm'): raise SystemExit('browser_check: FAIL: npm missing (apt-get install -y npm)')
    say('installing playwright-core into tools/node_modules (once)')
    subprocess.run(['npm', 'install', '--no-audit', '--no-fund', '--no-package-lock'], cwd=TOOLS, check=True,
                   capture_output=True)

def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def lab_settings(folder: Path):
    "JupyterLab user settings for an unattended run: no autosave, no news, no windowing."
    plugins = {'@jupyterlab/docmanager-extension/plugin': {'autosave': False},
               '@jupyterlab/apputils-extension/notification': {'fetchNews': 'false', 'checkForUpdates': False},
               '@jupyterlab/notebook-extension/tracker': {'windowingMode': 'none'}}
    for name, value in plugins.items():
        pkg, plugin = name.rsplit('/', 1)
        p = folder / pkg / f'{plugin}.jupyterlab-settings'
        p.parent.mkdir(parents=True, exist_ok=True); p.write_text(json.dumps(value))

def start_lab(port: int, tmp: Path) -> subprocess.Popen:
    "JupyterLab of this venv on 127.0.0.1:port, no token, in a process group of its own; returns once it answers."
    lab_settings(tmp / 'settings')
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp / 'runtime'))
    cmd = [str(Path(sys.executable).parent / 'jupyter-lab'), '--no-browser', f'--port={port}', '--ServerApp.ip=127.0.0.1',
           '--ServerApp.port_retries=0', "--IdentityProvider.token=", '--ServerApp.password=', f'--ServerApp.root_dir={ROOT}',
           f'--LabApp.user_settings_dir={tmp / "settings"}', f'--LabApp.workspaces_dir={tmp / "workspaces"}',
           '--LabApp.news_url=None', '--ServerApp.allow_root=True']
    log = open(tmp / 'lab.log', 'w')
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    t0 = time.time()
    while time.time() - t0 < 90:
        if proc.poll() is not None: raise RuntimeError(f'JupyterLab exited ({proc.returncode}); see {tmp / "lab.log"}')
        try:
            with urllib.request.urlopen(f'http://127.0.0.1:{port}/api/status', timeout=2) as r:
                if r.status == 200: return proc
        except OSError: time.sleep(0.5)
    raise RuntimeError('JupyterLab did not answer within 90 s')

def stop(proc: subprocess.Popen):
    "Stop JupyterLab and its kernels (its own process group)."
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try: proc.wait(15)
        except subprocess.TimeoutExpired: os.killpg(proc.pid, signal.SIGKILL)

def verdict(r: dict, expected: dict) -> tuple[bool, str]:
    "Pass or fail, and why, from the driver's report."
    if 'failure' in r: return False, f"the page did not finish: {r['failure']}"
    errors = [s for s in r['stderr'] if 'Traceback' in s or 'Error' in s]
    if errors:
        line = next((l.strip() for l in errors[0].splitlines() if re.match(r'\s*\w*(Error|Exception)\b', l)), errors[0][:120])
        return False, f"{len(errors)} cell(s) show an error ({' '.join(line.split())[:160]}); {r['not_run']} cell(s) after it did not run"
    if r['not_run']: return False, f"{r['not_run']} code cell(s) did not run"
    if r['plotly_rendered'] < r['plotly_outputs']:
        return False, f"{r['plotly_outputs'] - r['plotly_rendered']} of {r['plotly_outputs']} plotly outputs did not render"
    if r['plotly_rendered'] < expected['figures']:
        return False, f"{r['plotly_rendered']} figures rendered, {expected['figures']} expected"
    if r['widget_plots'] < expected['widget_figures']:
        return False, f"{r['widget_plots']} figures rendered in the explorer widget, {expected['widget_figures']} expected"
    if r['plots_drawn'] < expected['figures'] + expected['widget_figures']:
        return False, f"{r['plots_drawn']} plotly plots drawn on the page, {expected['figures'] + expected['widget_figures']} expected"
    if not (r['attention_map'] and r['attention_heatmap']): return False, 'the attention map or its heatmap is missing'
    return True, (f"{r['code_cells']} code cells ran without error; {r['plotly_rendered']}/{r['plotly_outputs']} figures and "
                  f"{r['widget_plots']} explorer figures rendered; the attention map's heatmap is drawn"
                  + (' (hover label shown)' if r.get('hover_label') else ''))

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--notebook', default='nbs/000_tour.ipynb', help='notebook to run, relative to the repository')
    ap.add_argument('--out', default='runs/browser_check', help='folder for tour.png and report.json')
    ap.add_argument('--timeout', type=int, default=300, help='seconds for the page to open and every cell to run')
    ap.add_argument('--figures', type=int, default=EXPECTED['figures'], help='plotly figure outputs expected')
    ap.add_argument('--widget-figures', type=int, default=EXPECTED['widget_figures'], help='figures expected inside widgets')
    a = ap.parse_args(argv)
    t0 = time.time()
    nb = ROOT / a.notebook
    out = ROOT / a.out; out.mkdir(parents=True, exist_ok=True)
    shot = out / f"{nb.stem.lstrip('0123456789_') or nb.stem}.png"     # 000_tour.ipynb: tour.png
    ensure_chromium(); ensure_playwright()
    before = nb.read_bytes()
    tmp = Path(tempfile.mkdtemp(prefix='browser_check-'))
    proc = None
    try:
        port = free_port()
        proc = start_lab(port, tmp)
        say(f'JupyterLab on 127.0.0.1:{port}')
        url = f'http://127.0.0.1:{port}/lab/tree/{nb.relative_to(ROOT).as_posix()}'
        r = subprocess.run(['node', str(TOOLS / 'browser_check.js'), url, str(shot), str(tmp / 'chromium-profile'), str(a.timeout)],
                           cwd=TOOLS, capture_output=True, text=True, timeout=a.timeout + 120)
        try: report = json.loads(r.stdout.strip().splitlines()[-1])
        except (json.JSONDecodeError, IndexError): report = {'failure': f'the driver failed: {(r.stderr or r.stdout)[-400:]}'}
    finally:
        if proc is not None: stop(proc)
        if nb.read_bytes() != before: nb.write_bytes(before); say(f'{nb.name} was written during the run: restored')
    ok, why = verdict(report, {'figures': a.figures, 'widget_figures': a.widget_figures})
    report |= {'ok': ok, 'verdict': why, 'seconds': round(time.time() - t0, 1), 'screenshot': str(shot)}
    (out / 'report.json').write_text(json.dumps(report, indent=1))
    if ok: shutil.rmtree(tmp, ignore_errors=True)
    else: say(f'JupyterLab log and browser profile kept in {tmp}')
    print(f"browser check {'PASS' if ok else 'FAIL'}: {why} ({report['seconds']} s; screenshot {shot.relative_to(ROOT)})")
    return 0 if ok else 1

if __name__ == '__main__': sys.exit(main())
