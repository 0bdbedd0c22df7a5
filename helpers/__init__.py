"""Shared helpers for the 'Embedding Layers, Explained' notebooks: import from the submodules."""
