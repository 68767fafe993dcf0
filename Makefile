# Developer entry points. See README.md.
.PHONY: setup lab test clean

# Build .venv with the pinned tool chain and the collections (no Galaxy needed).
setup:
	bash hack/setup.sh

# Set up, then run the main job against the simulated Windows lab.
lab: setup
	bash hack/lab.sh

# The whole offline test chain (needs `make setup`).
test:
	bash hack/test.sh

clean:
	rm -rf .venv .cache build
