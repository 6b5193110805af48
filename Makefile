# The two commands: `make run` (set up, demo hub, serve on localhost) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
# the base of every link in e-mails and guests' QR codes
SITE_ROOT ?= http://$(HOST):$(PORT)

.PHONY: setup run test test-postgres bench bench-coarse bench-network rehearse-bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/python manage.py demo_setup --url http://$(HOST):$(PORT)/
# the task worker (plans, messages) and the messaging clock ("still on tonight?" at each hub's hour)
# beside the web server; both stopped with it (Ctrl-C, or the server exiting)
	$(BIN)/python manage.py db_worker --no-startup-delay & worker=$$!; \
	SITE_ROOT=$(SITE_ROOT) $(BIN)/python manage.py messaging_clock & clock=$$!; \
	trap 'kill $$worker $$clock 2>/dev/null' EXIT INT TERM; \
	SITE_ROOT=$(SITE_ROOT) $(BIN)/python manage.py runserver --insecure $(HOST):$(PORT)  # --insecure: serve static files with DEBUG off

test: $(STAMP)
	$(BIN)/python -m pytest -n 2

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run
	$(BIN)/python -m benchmarks.compare --factor 1 --time-limits 1 2 5 --seeds 10 -o benchmarks/results/compare-equal-time.md

# what storing homes on a coarse grid costs the plan (benchmarks/results/coarse-locations.md)
bench-coarse: $(STAMP)
	$(BIN)/python -m benchmarks.coarse

# 20 hubs registering, planning and announcing on one PostgreSQL with 2 web processes and 2 workers
# (benchmarks/results/network-evening.md); DATABASE_URL names the PostgreSQL server to use
bench-network: $(STAMP)
	$(BIN)/python -m benchmarks.network_evening

# every demo scenario rehearsed with 20 seeds (a long run): benchmarks/results/rehearse-latest.md
rehearse-bench: $(STAMP)
	$(BIN)/python -m benchmarks.rehearse

clean:
	rm -rf $(VENV) var
