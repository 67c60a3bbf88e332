# The two commands of the README: `make run` and `make test`.
# Everything else they need is prepared by tools/prepare.sh into the per-user
# cache ($CRM_EXTENDED_CACHE, default ~/.cache/crm_extended).
SHELL := /bin/bash

.PHONY: run test lint format bench i18n prepare clean-dbs

run:
	@bash tools/run.sh

test:
	@bash tools/test.sh

lint: prepare
	@bash tools/lint.sh

format: prepare
	@bash tools/format.sh

bench:
	@bash tools/bench.sh $(NAME)

i18n:
	@bash tools/i18n.sh

prepare:
	@bash tools/prepare.sh

clean-dbs:
	@bash tools/clean_dbs.sh
