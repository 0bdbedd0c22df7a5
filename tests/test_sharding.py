"""Tests for helpers.sharding: row ownership, the cost model, and a real 2-process gloo run of the by-hand table."""
import builtins

import pytest
import torch
import torch.nn.functional as F

from helpers.sharding import (
    SHARDING_TYPES,
    assemble_tables,
    by_hand_bytes,
    by_hand_worker,
    bytes_per_step,
    import_torchrec,
    loopback_interface,
    memory_per_rank,
    owner_of,
    row_ranges,
    run_workers,
    split_batch,
)


def test_row_ranges_cover_every_row_once_in_order():
    for num_rows, world_size in ((10, 3), (7, 7), (1000, 2), (5, 1)):
        ranges = row_ranges(num_rows, world_size)
        assert len(ranges) == world_size
        assert ranges[0][0] == 0 and ranges[-1][1] == num_rows
        assert all(stop == start for (_, stop), (start, _) in zip(ranges, ranges[1:]))
        sizes = [stop - start for start, stop in ranges]
        assert max(sizes) - min(sizes) <= 1


def test_row_ranges_rejects_bad_arguments():
    with pytest.raises(TypeError):
        row_ranges(10.0, 2)
    with pytest.raises(TypeError):
        row_ranges(10, True)
    with pytest.raises(ValueError):
        row_ranges(3, 4)  # more ranks than rows
    with pytest.raises(ValueError):
        row_ranges(0, 1)


def test_owner_of_matches_row_ranges():
    ids = torch.arange(10)
    owners = owner_of(ids, 10, 3)
    for rank, (start, stop) in enumerate(row_ranges(10, 3)):
        assert (owners[start:stop] == rank).all()
    with pytest.raises(ValueError):
        owner_of(torch.tensor([10]), 10, 3)
    with pytest.raises(TypeError):
        owner_of([1, 2], 10, 3)


def test_memory_per_rank_for_each_sharding_type():
    one_table = 100 * 8 * 4
    assert memory_per_rank("data_parallel", 4, 3, 100, 8) == 3 * one_table
    assert memory_per_rank("table_wise", 2, 3, 100, 8) == 2 * one_table  # 2 tables on the fullest rank
    assert memory_per_rank("table_wise", 8, 3, 100, 8) == one_table  # no less than one table
    assert memory_per_rank("row_wise", 4, 3, 100, 8) == 3 * 25 * 8 * 4
    assert memory_per_rank("column_wise", 4, 3, 100, 8) == 3 * 100 * 2 * 4
    assert memory_per_rank("column_wise", 64, 3, 100, 8) == 3 * 100 * 1 * 4  # no less than one column
    assert memory_per_rank("row_wise", 4, 3, 100, 8, state_copies=2) == 3 * memory_per_rank("row_wise", 4, 3, 100, 8)


def test_cost_model_rejects_bad_arguments():
    with pytest.raises(KeyError):
        memory_per_rank("diagonal", 2, 1, 10, 4)
    with pytest.raises(TypeError):
        memory_per_rank("row_wise", 2.0, 1, 10, 4)
    with pytest.raises(ValueError):
        bytes_per_step("row_wise", 0, 8, 1, 4)
    with pytest.raises(TypeError):
        bytes_per_step("row_wise", 2, 8, 1, 4, pooled=1)


def test_bytes_per_step_shapes_of_growth():
    def sent(kind, world_size, **kwargs):
        return bytes_per_step(kind, world_size, batch_per_rank=512, pooling_factor=20, dim=128, num_tables=26,
                              num_rows=10**6, **kwargs)

    assert sent("table_wise", 1024) < 1.1 * sent("table_wise", 64)  # levels off: (W-1)/W tends to 1
    assert sent("row_wise", 1024) > 100 * sent("row_wise", 2)  # grows with the world size
    assert sent("row_wise", 1024, pooled=False) < 2 * sent("row_wise", 2, pooled=False)
    assert all(sent(kind, 1) == 0 for kind in SHARDING_TYPES)  # one rank talks to nobody
    # pooling on the owner pays off once the pooling factor exceeds the world size: at L = W the values moved are
    # equal, and the pooled (TorchRec) exchange pays only its lengths and per-table counts on top
    assert bytes_per_step("row_wise", 8, 4, 9, 16) < bytes_per_step("row_wise", 8, 4, 9, 16, pooled=False)
    metadata = (8 - 1) * 1 * 8 + (8 - 1) * 1 * 4 * 8  # counts (W-1) T, lengths (W-1) T B, 8 bytes each
    assert bytes_per_step("row_wise", 8, 4, 8, 16) == bytes_per_step("row_wise", 8, 4, 8, 16, pooled=False) + metadata
    assert bytes_per_step("row_wise", 8, 4, 7, 16) > bytes_per_step("row_wise", 8, 4, 7, 16, pooled=False)


def test_by_hand_bytes_accounting():
    assert by_hand_bytes(3, 5, dim=4, world_size=2) == {"counts": 8, "gradients": 48, "ids": 24, "rows": 80}
    with pytest.raises(ValueError):
        by_hand_bytes(-1, 0, dim=4, world_size=2)


def test_split_batch_splits_samples_and_their_ids():
    lengths = torch.tensor([[1, 2, 0, 1], [0, 1, 1, 2]])
    values = torch.tensor([10, 11, 12, 13, 20, 21, 22, 23])
    first = split_batch(lengths, values, 2, 0)
    second = split_batch(lengths, values, 2, 1)
    assert torch.equal(first[0], lengths[:, :2]) and torch.equal(first[1], torch.tensor([10, 11, 12, 20]))
    assert torch.equal(second[0], lengths[:, 2:]) and torch.equal(second[1], torch.tensor([13, 21, 22, 23]))


def test_assemble_tables_puts_shards_in_place():
    full = torch.arange(24.0).reshape(4, 6)
    shards = [[{"table": "t", "offsets": [0, 0], "tensor": full[:, :3]}],
              [{"table": "t", "offsets": [0, 3], "tensor": full[:, 3:]}]]
    assert torch.equal(assemble_tables(shards, {"t": (4, 6)})["t"], full)


def test_loopback_interface_is_a_loopback_name():
    assert loopback_interface().startswith("lo")


def test_import_torchrec_names_the_install_command(monkeypatch):
    real_import = builtins.__import__

    def no_torchrec(name, *args, **kwargs):
        if name == "torchrec":
            raise ModuleNotFoundError("No module named 'torchrec'", name="torchrec")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_torchrec)
    with pytest.raises(ModuleNotFoundError, match="requirements-nodeps.txt"):
        import_torchrec()


def test_run_workers_rejects_a_non_function():
    with pytest.raises(TypeError):
        run_workers("by_hand_worker", 2)


def test_two_process_row_wise_table_equals_one_full_table():
    """A real gloo run over 2 processes on loopback: rows, gradients and the counted bytes."""
    generator = torch.Generator().manual_seed(3)
    weight = torch.randn(50, 4, generator=generator)
    ids = torch.randint(0, 50, (6, 3), generator=generator)
    upstream = torch.randn(6, 3, 4, generator=generator)
    results = run_workers(by_hand_worker, 2, args=(weight, ids, upstream))
    table = weight.clone().requires_grad_()
    rows = F.embedding(ids, table)
    (rows * upstream).sum().backward()
    assert torch.equal(torch.cat([r["rows"] for r in results]), rows)
    assert torch.equal(torch.cat([r["grad"] for r in results]), table.grad)
    assert [(r["start"], r["stop"]) for r in results] == [(0, 25), (25, 50)]
    assert results[0]["sent_ids"] == results[1]["answered_ids"]
    for r in results:
        assert r["traffic"] == by_hand_bytes(r["sent_ids"], r["answered_ids"], dim=4, world_size=2)
        # SentBytes, wrapped around torch.distributed itself, counts the same bytes as the table's own books
        assert r["collectives"] == {"all_to_all_single": sum(r["traffic"].values())}
