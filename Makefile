# beatbert: two commands do everything, set-up included.
#   make run   -- the main job: build (once) the default corpus, pretrain BeatBert with and without pair features, print the comparison
#   make test  -- every notebook's tests (nbdev_test)
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed
KERNEL  = $(VENV)/share/jupyter/kernels/beatbert/kernel.json

.PHONY: run test setup lab browser-check clean-venv

run: $(STAMP)
	$(BIN)/beatbert pretrain

test: $(STAMP)
	$(BIN)/nbdev_test --n_workers 2 --timing $(TEST_FLAGS)

lab: $(KERNEL)
	$(BIN)/jupyter lab nbs/

# the tour run in JupyterLab by headless Chromium (Debian's chromium, playwright-core from npm); not part of `make test`
browser-check: $(KERNEL)
	$(BIN)/python tools/browser_check.py

setup: $(STAMP) $(KERNEL)

# A venv with the CPU build of torch that lies on this disk (a bare `torch` pulls a multi-GB CUDA build),
# the package in editable mode and its dev tools; redone when settings.ini or setup.py change.
$(STAMP): settings.ini setup.py
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "beatbert needs Python 3.10+"'
	@# Debian's mma renders the band corpus; installed where we can (root with apt), optional otherwise
	@command -v mma >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mma >/dev/null 2>&1 || \
	    { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mma >/dev/null 2>&1; }; }; } || \
	  echo "note: mma not installed (apt-get install mma); the default corpus will be built without its band part" 
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q torch==2.13.0 -e ".[dev]"
	@touch $(STAMP)

# the Jupyter kernel every notebook names (kernelspec `beatbert`, kept by nbdev_clean): the venv's Python, inside the venv
$(KERNEL): $(STAMP)
	$(BIN)/python -m ipykernel install --sys-prefix --name beatbert --display-name beatbert >/dev/null

clean-venv:
	rm -rf $(VENV)
