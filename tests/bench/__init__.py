"""The speed and memory benchmark: `python -m tests.bench` (see docs/performance.md).

`generate` writes seeded, realistic calendar exports; `phases` times one piece of work each in
a fresh process (the bare libraries, the import, the dashboard's data, the summary command);
`runner` runs them side by side per size and writes bench-results/*.json.
"""
