"""Spiders only find links and yield what they fetched; storage lives in the pipeline."""
