"""flotilla-sweep: parameter sweeps of flotilla runs; see docs/sweeps.md."""
