// Open a notebook in JupyterLab in headless Chromium, run all cells, and report what rendered (JSON on stdout).
// Usage: node tools/browser_check.js URL SCREENSHOT USER_DATA_DIR TIMEOUT_S
// Called by tools/browser_check.py, which starts JupyterLab and judges the report.
const { chromium } = require('playwright-core');

const [url, shot, userDataDir, timeoutS] = process.argv.slice(2);
const deadline = Date.now() + 1000 * Number(timeoutS || 300);
const left = () => Math.max(1000, deadline - Date.now());
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
               '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const PLOTLY = '.jp-OutputArea-output.jp-RenderedPlotly';            // a plotly mime output (jupyterlab-plotly's renderer)
const WIDGET = '.jp-OutputArea-output .jupyter-widgets';               // a widget view (FigureWidgets inside)
const STDERR = '.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]';

(async () => {
  const report = { steps: [] };
  const step = (s) => { report.steps.push(s); process.stderr.write(`browser_check: ${s}\n`); };
  const ctx = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium', headless: true, args: FLAGS, viewport: { width: 1400, height: 1000 } });
  const page = ctx.pages()[0] || await ctx.newPage();
  const consoleErrors = [];
  page.on('pageerror', (e) => consoleErrors.push(String(e).slice(0, 300)));
  try {
    await page.goto(url, { timeout: left() });
    await page.waitForSelector('.jp-Notebook .jp-Cell', { timeout: left() });
    step('notebook open');
    // the tour names the kernel `beatbert` (make browser-check registers it); where it is not registered JupyterLab asks: take the default
    const until = Date.now() + 90000;
    for (;;) {
      const accept = page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-accept');
      if (await accept.count()) { await accept.first().click(); step('kernel dialog: Select'); }
      const ready = await page.evaluate(() => {
        const name = document.querySelector('.jp-KernelName'), ind = document.querySelector('.jp-Notebook-ExecutionIndicator');
        return !!(name && !/No Kernel/.test(name.textContent) && ind && ind.dataset.status === 'idle');
      });
      if (ready) break;
      if (Date.now() > until) throw new Error('no kernel became idle within 90 s');
      await page.waitForTimeout(500);
    }
    step('kernel idle');
    await page.click('.jp-Notebook .jp-Cell');                       // focus the notebook, then the menu
    await page.click('.lm-MenuBar-itemLabel:text-is("Run")', { timeout: 30000 });
    await page.click('.lm-Menu-itemLabel:text-is("Run All Cells")', { timeout: 30000 });
    step('Run → Run All Cells');
    // done: the kernel is idle and no prompt shows "[*]" (queued or running), twice in a row. Run All stops at an
    // error, so cells after it keep an empty prompt: they are counted, not waited for.
    const settled = () => page.evaluate(() => {
      const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')].map((p) => p.textContent.trim());
      const ind = document.querySelector('.jp-Notebook-ExecutionIndicator');
      return !!(ind && ind.dataset.status === 'idle') && prompts.some((p) => /^\[\d+\]:$/.test(p)) && !prompts.includes('[*]:');
    });
    for (let n = 0; n < 2;) {
      if (Date.now() > deadline) throw new Error(`the cells did not finish within ${timeoutS} s`);
      await page.waitForTimeout(1500);
      n = (await settled()) ? n + 1 : 0;
    }
    step('all cells ran');
    await page.waitForTimeout(3000);                                // let the last figures and widgets draw
    Object.assign(report, await page.evaluate(([PLOTLY, WIDGET, STDERR]) => {
      const plots = [...document.querySelectorAll(PLOTLY)];
      const rendered = plots.filter((o) => o.querySelector('.main-svg'));   // plotly.js drew it
      const wplots = [...document.querySelectorAll(WIDGET + ' .js-plotly-plot')].filter((p) => p.querySelector('.main-svg'));
      const titles = [...document.querySelectorAll('.js-plotly-plot')].map((p) => (p.querySelector('.gtitle') || {}).textContent || '');
      const errs = [...document.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')];
      const all = [...document.querySelectorAll('.js-plotly-plot')].filter((p) => p.querySelector('.main-svg'));
      return {
        code_cells: document.querySelectorAll('.jp-CodeCell').length,
        not_run: [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')].filter((p) => !/^\[\d+\]:$/.test(p.textContent.trim())).length,
        plotly_outputs: plots.length, plotly_rendered: rendered.length,
        widget_plots: wplots.length, plots_drawn: all.length, titles,
        stderr: [...document.querySelectorAll(STDERR)].map((e) => e.textContent.slice(0, 400)),
        error_outputs: errs.length,
      };
    }, [PLOTLY, WIDGET, STDERR]));
    // the attention map: the first figure titled "... attention weights, layer ..." and its heatmap image
    const map = page.locator('.js-plotly-plot', { has: page.locator('.gtitle', { hasText: 'attention weights, layer' }) }).first();
    report.attention_map = (await map.count()) > 0;
    report.attention_heatmap = report.attention_map ? (await map.locator('.heatmaplayer .hm image').count()) > 0 : false;
    if (report.attention_map) {                                    // in view, with a cell's hover label showing
      await map.scrollIntoViewIfNeeded();
      const box = await map.locator('.nsewdrag').first().boundingBox();
      if (box) { await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.4); await page.waitForTimeout(800); }
      report.hover_label = await map.locator('.hoverlayer .hovertext').count() > 0;
    }
    await page.screenshot({ path: shot });
    step(`screenshot ${shot}`);
  } catch (e) {
    report.failure = String(e).split('\n')[0].slice(0, 400);
    try { await page.screenshot({ path: shot }); } catch (_) {}
  }
  report.page_errors = consoleErrors;
  await ctx.close();
  process.stdout.write(JSON.stringify(report) + '\n');
})();
