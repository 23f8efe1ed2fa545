# Two commands for a fresh machine: `make demo` and `make test`. Both bootstrap .venv.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: vendor demo test lint typecheck pytest postgres-test bench clean sysdeps test-sysdeps apt-install

# Debian packages the app needs beyond Python: pango for WeasyPrint (printable notices) and a CJK
# font (fonts-noto-cjk) so Chinese notices print. Installed only when missing (needs root).
SYSDEPS := libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk
sysdeps:
	@$(MAKE) -s apt-install PKGS="$(SYSDEPS)"

# Tests only: LibreOffice Calc, to round-trip the import template through a real office suite
# (tests/registry/test_libreoffice.py), and Chromium with its driver for the real-browser tests
# (Selenium, headless). Best effort: without them (no root, no apt) those tests skip.
TEST_SYSDEPS := libreoffice-calc-nogui chromium chromium-driver
test-sysdeps:
	@$(MAKE) -s apt-install PKGS="$(TEST_SYSDEPS)" APT_FLAGS=--no-install-recommends || \
	  echo "LibreOffice not installed: its round-trip test will skip / 未安装 LibreOffice，跳过其测试"

apt-install:
	@missing=$$(for p in $(PKGS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing / 安装: $$missing"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(APT_FLAGS) $$missing; \
	fi

# ECharts (Apache-2.0) for the dashboards, fetched from the npm registry into the package's static
# files (not committed: 1 MB minified); npm comes from Debian when missing.
ECHARTS_VERSION := 6.1.0
ECHARTS := lantu/stats/static/stats/vendor/echarts.min.js
$(ECHARTS):
	@command -v npm >/dev/null || $(MAKE) -s apt-install PKGS=npm APT_FLAGS=--no-install-recommends
	@mkdir -p $(@D)
	@tmp=$$(mktemp -d) && (cd $$tmp && npm pack --silent echarts@$(ECHARTS_VERSION) >/dev/null && \
	  tar xzf echarts-$(ECHARTS_VERSION).tgz) && \
	  cp $$tmp/package/dist/echarts.min.js $$tmp/package/LICENSE $$tmp/package/NOTICE $(@D)/ && \
	  rm -rf $$tmp && echo "ECharts $(ECHARTS_VERSION) → $(@D)"
vendor: $(ECHARTS)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP) sysdeps vendor
	$(BIN)/lantu demo

lint: $(STAMP)
	$(BIN)/ruff check lantu tests bench
	$(BIN)/ruff format --check lantu tests bench

typecheck: $(STAMP)
	$(BIN)/mypy lantu

pytest: $(STAMP) sysdeps test-sysdeps vendor
	$(BIN)/pytest -m "not slow"

test: lint typecheck pytest

# The same suite on PostgreSQL: make postgres-test PG=postgres://postgres@127.0.0.1:5432/lantu
# (the database must exist; pytest creates and drops test_<name> beside it). .ci/run does this.
PG ?= postgres://postgres@127.0.0.1:5432/lantu
postgres-test: $(STAMP) sysdeps vendor
	LANTU_DATABASE_URL=$(PG) $(BIN)/pytest -m "not slow and not spark"

clean:
	rm -rf $(VENV) var/*.sqlite3*
