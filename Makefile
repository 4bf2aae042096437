# One entry point for set-up: `make setup` creates .venv/ and installs videokit with every
# dependency pinned by requirements/constraints.txt. `make demo` and `make test` set up first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup browser labelstudio demo test test-fast fuzz annotations bench clean

setup: $(STAMP)

# pip's own chatter (registry notices, build warnings) goes to $(VENV)/install.log, shown only on failure.
$(STAMP): setup.cfg pyproject.toml requirements/constraints.txt
	@echo "setting up $(VENV) (pinned by requirements/constraints.txt; log: $(VENV)/install.log)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@( $(BIN)/python -m pip install -q --upgrade "pip>=23.2" && \
	   $(BIN)/python -m pip install -q --only-binary=av,decord -c requirements/constraints.txt -e ".[test]" && \
	   $(BIN)/python -c "from mmaction.utils import register_all_modules; register_all_modules(); import mmaction.models, videokit" \
	 ) > $(VENV)/install.log 2>&1 || { tail -40 $(VENV)/install.log; echo "set-up failed: see $(VENV)/install.log"; exit 1; }
	@touch $(STAMP)
	@echo "set up $(VENV)"

demo: setup
	@$(BIN)/videokit demo

# The review page's browser tests drive Debian's Chromium; install it when this machine can (root + apt-get).
# Where it cannot, those tests skip with the reason and everything else runs.
browser:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing chromium + chromium-driver (Debian) for the browser tests; log: $(VENV)/browser.log"; \
	  mkdir -p $(VENV); \
	  ( apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver ) \
	    > $(VENV)/browser.log 2>&1 || echo "could not install chromium: the browser tests will skip (see $(VENV)/browser.log)"; \
	else echo "no chromium and no root apt-get: the browser tests will skip"; fi

# The live Label Studio the tests drive (tests/labelstudio): its own environment, so its pins never touch
# videokit's; every package of it pinned by requirements/labelstudio.txt (label-studio leaves its dependencies
# open, and a new release of one can stop it). Where it cannot be installed, those tests skip with the reason and
# everything else runs.
LS_VENV := .venv-labelstudio
LABEL_STUDIO ?= label-studio==1.23.2
labelstudio:
	@if [ -x $(LS_VENV)/bin/label-studio ]; then :; else \
	  echo "installing $(LABEL_STUDIO) into $(LS_VENV) for the live Label Studio tests; log: $(LS_VENV).log"; \
	  ( $(PYTHON) -m venv $(LS_VENV) && \
	    $(LS_VENV)/bin/python -m pip install -q -c requirements/labelstudio.txt "$(LABEL_STUDIO)" ) > $(LS_VENV).log 2>&1 \
	    || { rm -rf $(LS_VENV); echo "could not install Label Studio: its tests will skip (see $(LS_VENV).log)"; }; fi
	@# a migrated empty database, copied into each test server's fresh data folder (its start: 8 s instead of 70);
	@# init asks for a first user unless the environment names one; the organization it makes takes the tests'
	@# legacy API tokens (tests/labelstudio/conftest.py)
	@if [ -x $(LS_VENV)/bin/label-studio ] && [ ! -f $(LS_VENV)/template/label_studio.sqlite3 ]; then \
	  LABEL_STUDIO_BASE_DATA_DIR=$(LS_VENV)/template LABEL_STUDIO_USERNAME=template@localhost \
	  LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN=true \
	  LABEL_STUDIO_PASSWORD=$$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n') \
	  $(LS_VENV)/bin/label-studio init --data-dir $(LS_VENV)/template </dev/null >> $(LS_VENV).log 2>&1 \
	    || rm -rf $(LS_VENV)/template; fi

# Two workers (pytest-xdist), one compute thread each (two cores, no spinning OpenMP threads fighting over
# them); the live Label Studio tests share one server, so they run on one worker.
TEST_ENV := OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
# The three set-ups are independent: they run side by side.
test:
	@$(MAKE) --no-print-directory -j3 setup browser labelstudio
	$(BIN)/ruff check .
	$(TEST_ENV) $(BIN)/python -m pytest -q -n 2 --dist loadgroup --durations=30

test-fast: setup browser
	$(BIN)/ruff check .
	$(TEST_ENV) $(BIN)/python -m pytest -q -n 2 --dist loadgroup -m "not slow"

# The long fuzz profile: random cases until FUZZ_EXAMPLES per reader format (hours at the default), every failing
# input and its traceback in fuzz-failures/, the outcome counts in fuzz-failures/stats.json; then as many hostile
# requests per service (review API, ML backend) on 127.0.0.1, their counts per route in fuzz-failures/http.json.
FUZZ_EXAMPLES ?= 20000
fuzz: setup
	@mkdir -p fuzz-failures
	VIDEOKIT_FUZZ=long VIDEOKIT_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) VIDEOKIT_FUZZ_FAILURES=fuzz-failures \
	  VIDEOKIT_FUZZ_STATS=fuzz-failures/stats.json $(BIN)/python -m pytest -q -p no:cacheprovider tests/fuzz -k mutation
	VIDEOKIT_FUZZ=long VIDEOKIT_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q -p no:cacheprovider \
	  tests/fuzz/test_other_readers.py
	VIDEOKIT_FUZZ=long VIDEOKIT_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) VIDEOKIT_FUZZ_STATS=fuzz-failures/http.json \
	  $(BIN)/python -m pytest -q -p no:cacheprovider tests/services/test_http_fuzz.py -k under_fire

annotations: setup
	VIDEOKIT=$(BIN)/videokit bash annotations/regenerate.sh

bench: setup
	$(BIN)/python -m benchmarks.bench_annotations

clean:
	rm -rf $(VENV) $(LS_VENV) build *.egg-info .pytest_cache
