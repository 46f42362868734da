"""The demo: the Danderyd municipality of the seed, and a large synthetic one for benchmarks.

Each app keeps the loader of its own rows (goals.demo, governance.demo, quality.demo); this
app puts them together in the order they depend on each other, and is the only place that
imports them all. `manage.py seed_demo` is its command.
"""
