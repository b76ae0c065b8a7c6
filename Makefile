# Rapporteur: the two set-up commands are `make run` and `make test`.
CARGO ?= cargo

.PHONY: run test lint fmt schema bench

## Convert the bundled examples into out/ (no broker, no system packages).
run:
	$(CARGO) run --release --quiet -p rapporteur-cli -- convert examples --out out --formats json

## The whole suite: formatting, lints, every test.
test: lint
	$(CARGO) test --workspace --all-targets --locked
	$(CARGO) test --workspace --doc --locked

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

fmt:
	$(CARGO) fmt --all

## Regenerate schema/event-summary.schema.json after changing the model.
schema:
	UPDATE_SCHEMA=1 $(CARGO) test -p rapporteur-model --test schema --locked

## Throughput figures (summaries per second); not a pass/fail test.
bench:
	$(CARGO) bench -p rapporteur-parse --bench parse --locked
