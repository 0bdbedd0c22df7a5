"""Shared test set-up: one torch thread per test process."""
import torch

# `make test` runs two pytest workers on two cores. With torch's default of one thread per core, four busy threads
# share two cores and small ops spend their time waiting in OpenMP barriers: a 240-step toy fit took 0.25 s on one
# thread and 8.2 s on two while the other core was busy. Tests about threads set the count they need themselves.
torch.set_num_threads(1)
