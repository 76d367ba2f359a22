"""Benchmarks (`make bench`). Each prints ratios measured in one run against a
baseline on the same machine. The national-scale page benchmarks come with the
national-scale demo data; until then there is nothing to measure here."""

print("Nog geen benchmarks: die komen met de demodata op landelijke schaal (seed_demo --scale national).")
