# The two commands a newcomer runs: `make demo` and `make test`. Both install what they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO_DB := data/demo
OUT    := out

BENCH_SCALE ?= 1

.PHONY: demo test bench install lint-deps browser pango clean assets

$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "partnermap needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node.js 18+) is needed for Neo4j's Cypher linter"; exit 1; }
	npm ci --no-audit --no-fund
	@touch $@

# Debian's chromium for the end-to-end map tests (root on these machines; elsewhere install it yourself).
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is not installed: the browser tests will be skipped (sudo apt-get install chromium)"; fi; }

# Pango for WeasyPrint, which prints the review pack to PDF (`make demo` writes one; the pack tests print).
pango:
	@ldconfig -p | grep -q libpangoft2-1.0.so.0 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; \
	  else echo "Pango is not installed: review packs cannot be printed to PDF (sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0)"; fi; }

install: $(BIN)/.installed

lint-deps: node_modules/.installed

demo: $(BIN)/.installed pango
	@rm -rf $(DEMO_DB) && mkdir -p $(OUT)
	$(BIN)/partnermap --db $(DEMO_DB) ingest geography examples/leicestershire/geography
	$(BIN)/partnermap --db $(DEMO_DB) ingest boundaries examples/leicestershire/boundaries
	$(BIN)/partnermap --db $(DEMO_DB) ingest ons-partnerships examples/leicestershire/ons examples/leicestershire/geography/lsoa11_to_ccg20_to_lad20.csv
	$(BIN)/partnermap --db $(DEMO_DB) ingest register examples/leicestershire
	$(BIN)/partnermap --db $(DEMO_DB) stats --format json > $(OUT)/stats.json
	$(BIN)/partnermap --db $(DEMO_DB) query coverage --param territory=E07000129 --format table > $(OUT)/coverage-blaby.txt
	$(BIN)/partnermap --db $(DEMO_DB) query coverage --param territory=E06000016 --format json > $(OUT)/coverage-leicester.json
	$(BIN)/partnermap --db $(DEMO_DB) query coverage --param territory=E05015265 --format table > $(OUT)/coverage-enderby-ward.txt
	$(BIN)/partnermap --db $(DEMO_DB) locate 52.5917 -1.2067 --format table > $(OUT)/locate-enderby.txt
	$(BIN)/partnermap --db $(DEMO_DB) query profile --param id=leicestershire-together --format csv > $(OUT)/profile-leicestershire-together.csv
	$(BIN)/partnermap --db $(DEMO_DB) viz --territory E06000016 --as-of 2008-01-01 --title "Leicester partnerships (as of 2008-01-01)" --output $(OUT)/leicester-network.html
	$(BIN)/partnermap --db $(DEMO_DB) viz --governance --title "Leicestershire and Leicester: who reports to whom" --output $(OUT)/leicestershire-governance.html
	$(BIN)/partnermap --db $(DEMO_DB) report --as-of 2008-01-01 --title "Leicestershire partnership map (as of 2008-01-01)" --output $(OUT)/report.html
	$(BIN)/partnermap ontology --output $(OUT)/partnermap.ttl
	$(BIN)/partnermap --db $(DEMO_DB) pack --partnership leicestershire-together --as-of 2008-01-01 --since 2005-01-01 -o $(OUT)/pack-leicestershire-together.pdf
	@echo
	@echo "Demo done. The Leicestershire sample is in the embedded store $(DEMO_DB); outputs:"
	@for f in $(OUT)/report.html $(OUT)/pack-leicestershire-together.pdf $(OUT)/leicester-network.html $(OUT)/leicestershire-governance.html $(OUT)/stats.json $(OUT)/coverage-blaby.txt $(OUT)/coverage-leicester.json \
	          $(OUT)/coverage-enderby-ward.txt $(OUT)/locate-enderby.txt \
	          $(OUT)/profile-leicestershire-together.csv $(OUT)/partnermap.ttl; do echo "  $$f"; done
	@echo "Try: $(BIN)/partnermap --db $(DEMO_DB) query coverage --param territory=E07000130"
	@echo
	@echo "Open the workspace in a browser: run"
	@echo "  $(BIN)/partnermap --db $(DEMO_DB) serve"
	@echo "then go to http://127.0.0.1:8000/ (API documentation at http://127.0.0.1:8000/docs; Ctrl-C stops it)."

test: $(BIN)/.installed node_modules/.installed browser pango
	$(BIN)/python -m pytest

# The national-size benchmark (not part of test): synthetic England, ingest, every diagnostic.
bench: $(BIN)/.installed
	$(BIN)/python bench/generate.py --out data/bench/england --scale $(BENCH_SCALE)
	$(BIN)/python bench/ingest.py --register data/bench/england --db data/bench/db --out $(OUT)/bench-ingest.json
	$(BIN)/python bench/queries.py --db data/bench/db --out $(OUT)/bench-queries.json
	$(BIN)/python bench/coverage.py --db data/bench/db --out $(OUT)/bench-coverage.json
	$(BIN)/python bench/api.py --db data/bench/db --h11 --out $(OUT)/bench-api.json
	$(BIN)/python bench/pages.py --db data/bench/db --out $(OUT)/bench-pages.json
	$(BIN)/python bench/backup.py --db data/bench/db --out $(OUT)/bench-backup.json
	$(BIN)/python bench/changes.py --db data/bench/db --runs 3 --out $(OUT)/bench-changes.json
	$(BIN)/python bench/small.py --db data/bench/db --register data/bench/england --runs 3 --out $(OUT)/bench-small.json
	$(BIN)/python bench/into_held.py --services 100000 --runs 3 --out $(OUT)/bench-into-held.json
	$(BIN)/python bench/reads_during_upload.py --services 100000 --out $(OUT)/bench-reads-during-upload.json
	$(BIN)/python bench/report.py --dir $(OUT) --db data/bench/db

clean:
	rm -rf $(VENV) node_modules data out

# GOV.UK Frontend, htmx, Leaflet and Swagger UI, built into pages/static (committed, shipped in the wheel):
# run after changing a pinned version in package.json or pages/scss/workspace.scss.
STATIC := pages/static
assets: node_modules/.installed
	rm -rf $(STATIC)/govuk $(STATIC)/vendor && mkdir -p $(STATIC)/govuk $(STATIC)/vendor
	node_modules/.bin/sass --no-source-map --style=compressed --load-path=node_modules pages/scss/workspace.scss $(STATIC)/govuk/workspace.css
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $(STATIC)/govuk/
	cp node_modules/htmx.org/dist/htmx.min.js $(STATIC)/vendor/
	cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css $(STATIC)/vendor/
	cp node_modules/leaflet/LICENSE $(STATIC)/vendor/leaflet.LICENSE
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css $(STATIC)/vendor/
	cp node_modules/swagger-ui-dist/LICENSE $(STATIC)/vendor/swagger-ui.LICENSE
	sed -i 's|[/][/*]# sourceMappingURL=[^ *]*\( [*][/]\)\{0,1\}||' $(STATIC)/govuk/*.js $(STATIC)/vendor/*.js $(STATIC)/vendor/*.css
	node -e 'const p=require("./package.json").dependencies; const keep=["govuk-frontend","htmx.org","leaflet","swagger-ui-dist","sass"]; require("fs").writeFileSync("$(STATIC)/VERSIONS.json", JSON.stringify(Object.fromEntries(keep.map(k=>[k,require("./node_modules/"+k+"/package.json").version])), null, 2)+"\n")'
