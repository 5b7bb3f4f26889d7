"""Real-world DRF patterns the generator and runtime must survive (issue 11, item 8).

Run with its own settings (the corpus has its own models):
``pytest --ds=tests.corpus.settings tests/corpus``; a plain ``pytest tests`` runs that
session once as a subprocess (``test_corpus_session.py``).
"""
