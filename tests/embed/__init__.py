"""Tests of the semantic arm: tokenizer, encoders, fusion, model fetching."""
