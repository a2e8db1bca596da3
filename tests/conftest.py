"""Settings shared by every test folder."""

from hypothesis import settings

# No wall-clock limit on a property example: the machines running the suite are shared and
# noisy, and a slow example is a benchmark's concern, not a test's (README, Benchmarks).
settings.register_profile("leak-lsp", deadline=None)
settings.load_profile("leak-lsp")
