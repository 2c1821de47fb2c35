# The two commands of the README, plus the checks CI runs.
# GMP and MPFR (built from source under the `rug` crate) need m4; `deps` installs it
# when it is missing, and says so.

CARGO ?= cargo

.PHONY: deps run test lint ci

deps:
	@command -v m4 >/dev/null 2>&1 || { \
	  echo "derivbench: m4 is missing (GMP's build needs it); installing it with apt-get"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq m4 >/dev/null; \
	  command -v m4 >/dev/null 2>&1 || { echo "derivbench: could not install m4; install it and retry" >&2; exit 1; }; \
	}

# Run the default suite (scenarios/) and write reports/latest.
run: deps
	$(CARGO) run --release -- run

# Run the tests.
test: deps
	$(CARGO) test

lint: deps
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps

ci: test lint
