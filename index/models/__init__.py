"""The learned ranking stage's shipped model file (ranker.json, eval/train_ranker.py writes it)."""
