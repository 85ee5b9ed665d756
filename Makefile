# govreports — `make demo` and `make test` are all a fresh Debian machine with Python 3.11 needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= archive.db

.PHONY: install system-deps demo demo-offline test lint portal sample-portal clean

install: $(BIN)/govreports

$(BIN)/govreports: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# Debian packages the readers need: LibreOffice turns DOC/WPS into DOCX; CJK fonts render test documents;
# chromium draws the lists only JavaScript builds (Playwright drives it: its own browser download is not used);
# redis-server carries the distributed crawl in tests/test_distributed.py.
APT_PACKAGES := libreoffice-writer-nogui python3-uno fonts-noto-cjk chromium redis-server
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
system-deps:
	@command -v soffice >/dev/null && fc-list :lang=zh | grep -q . && command -v chromium >/dev/null && command -v redis-server >/dev/null && /usr/bin/python3 -c 'import uno' 2>/dev/null || { \
		$(SUDO) apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $(APT_PACKAGES); }

# Crawl the bundled sample portal on 127.0.0.1, extract, summarise, then serve on 127.0.0.1:8001.
demo: install
	$(BIN)/govreports demo --db $(DB)

# The same without serving, for scripts: exits 0 on success.
demo-offline: install
	$(BIN)/govreports demo --db $(DB) --no-serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# pytest exits 5 when it collected no tests: say so rather than pass silently or fail obscurely.
test: install lint system-deps
	@$(BIN)/pytest -q; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$status

portal: install
	$(BIN)/govreports portal

# Rebuild sample_portal/site and sample_portal/expected.json (deterministic).
sample-portal: install
	$(BIN)/python sample_portal/generate.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache $(DB) $(DB)-wal $(DB)-shm
