# Rapporteur: the two set-up commands are `make run` and `make test`.
CARGO ?= cargo

.PHONY: run test lint fmt schema bench bench-e2e bench-api docs-images corpus

## Convert the bundled examples into out/ (no broker, no system packages).
run:
	$(CARGO) run --release --quiet -p rapporteur-cli -- convert examples --out out --formats json,docx,pdf

## The whole suite: formatting, lints, every test.
test: lint
	$(CARGO) test --workspace --all-targets --locked
	$(CARGO) test --workspace --doc --locked

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

fmt:
	$(CARGO) fmt --all

## Read the team's reading corpus (../shared/corpus, or RAPPORTEUR_CORPUS)
## and print its scorer's lines: one per document, the family means, the score.
CORPUS ?= $(or $(RAPPORTEUR_CORPUS),$(CURDIR)/../shared/corpus)
corpus:
	$(CARGO) build --release --quiet --locked -p rapporteur-cli
	rm -rf out/corpus && mkdir -p out/corpus
	-./target/release/rapporteur convert $(CORPUS)/docs --out out/corpus --formats json 2> out/corpus.log
	python3 $(CORPUS)/score.py out/corpus

## Regenerate the JSON Schemas under schema/ after changing the model or the job contracts.
schema:
	UPDATE_SCHEMA=1 $(CARGO) test -p rapporteur-cli --test schemas --locked -- published_schemas_match_the_code

## Throughput figures (summaries per second); not a pass/fail test.
bench:
	$(CARGO) bench -p rapporteur-parse --bench parse --locked
	$(CARGO) bench -p rapporteur-read-html --bench read --locked
	$(CARGO) bench -p rapporteur-render-docx --bench render --locked
	$(CARGO) bench -p rapporteur-read-pdf --bench read --locked
	$(CARGO) build --release --locked -p rapporteur-cli
	RAPPORTEUR_BIN=$(CURDIR)/target/release/rapporteur $(CARGO) bench -p rapporteur-render-pdf --bench render --locked

## Jobs per second through the HTTP API, upload to result, with p50/p99
## latency, beside `rapporteur submit --wait` (BENCH_API_JOBS=500 by default).
bench-api:
	$(CARGO) build --release --locked -p rapporteur-cli -p rapporteur-worker -p rapporteur-api
	$(CARGO) bench -p rapporteur-api --bench api --locked

## The README's picture of the seed's DOCX as LibreOffice sets it (needs
## soffice and pdftoppm, see .ci/run).
docs-images: run
	rm -rf out/docs-images && mkdir -p out/docs-images docs
	pdftoppm -png -r 60 -f 1 -l 1 -singlefile out/wsis-cooperation-sdgs.pdf docs/seed-pdf
	soffice -env:UserInstallation=file://$(CURDIR)/out/docs-images/profile --headless \
		--convert-to pdf --outdir out/docs-images out/wsis-cooperation-sdgs.docx
	pdftoppm -png -r 60 -f 1 -l 1 -singlefile out/docs-images/wsis-cooperation-sdgs.pdf docs/seed-docx-libreoffice

## End-to-end throughput through RabbitMQ on 127.0.0.1 (BENCH_JOBS=10000 by default).
bench-e2e:
	$(CARGO) build --release --locked -p rapporteur-cli
	$(CARGO) bench -p rapporteur-worker --bench e2e --locked
