"""``make bench`` (contract §7): Kotobotti and stock Rasa 3.6.21 measured in one run.

``python -m bench`` builds the peer (``peer.py``), measures training, cold start,
resident memory and latency/throughput under load for both (``run.py``), and writes
``bench/results.md`` and the README's marked block from the figures (``report.py``).
Nothing here asserts a speed: figures are printed and written, never tested.
"""
