# Developer entry points. See README.md.
.PHONY: setup lab test fixtures clean

# Build .venv with the pinned tool chain and the collections (no Galaxy needed).
setup:
	bash hack/setup.sh

# Set up, then run the main job against the simulated Windows lab.
lab: setup
	bash hack/lab.sh

# The whole offline test chain (needs `make setup`).
test:
	bash hack/test.sh

# Regenerate tests/fixtures/module_results from the modules run on their scenarios (needs pwsh with Pester 5).
fixtures:
	bash -c '. hack/pwsh.sh && [ -n "$$PWSH" ] || { echo "fixtures: $$PWSH_MISSING" >&2; exit 2; }; ENTRA_SYNC_UPDATE_FIXTURES=1 "$$PWSH" -NoProfile -File tests/unit/powershell/run.ps1 -NoCoverage -Path tests/unit/powershell/Fixtures.Tests.ps1'

clean:
	rm -rf .venv .cache build
