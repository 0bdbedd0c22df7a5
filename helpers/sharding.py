"""Sharding embedding tables over processes: launching workers, a row-wise table by hand, TorchRec, a cost model."""
import logging
import math
import os
import socket
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn.functional as F
from torch import nn

from helpers.validation import check_choice, check_int, check_type

TORCHREC_INSTALL = ("pip install --no-deps -r requirements-nodeps.txt  "
                    "(torchrec==1.9.2 and fbgemm-gpu-cpu==1.8.0, built for torch 2.13)")
ID_BYTES, VALUE_BYTES = 8, 4  # int64 ids, float32 values
SHARDING_TYPES = ("data_parallel", "table_wise", "row_wise", "column_wise")


# ---- launching a process group ---------------------------------------------------------------------------------
def loopback_interface() -> str:
    """The name of the loopback network interface ("lo" on Linux, "lo0" on macOS), for gloo."""
    names = sorted(name for _, name in socket.if_nameindex() if name.startswith("lo"))
    return names[0] if names else "lo"


def _entry(rank: int, worker: Callable, world_size: int, port: int, folder: str, args: tuple) -> None:
    """What each spawned process runs: join the group over loopback, run worker, save its result."""
    log = os.open(Path(folder) / f"rank{rank}.log", os.O_WRONLY | os.O_CREAT)
    os.dup2(log, 1)  # the workers' prints and warnings go to a log, not into the notebook
    os.dup2(log, 2)
    os.environ["GLOO_SOCKET_IFNAME"] = loopback_interface()
    torch.set_num_threads(1)
    store = dist.TCPStore("127.0.0.1", port, world_size + 1, is_master=False)
    dist.init_process_group("gloo", store=store, rank=rank, world_size=world_size)
    try:
        result = worker(rank, world_size, *args)
        dist.barrier()
    finally:
        dist.destroy_process_group()
    torch.save(result, Path(folder) / f"rank{rank}.pt")


def run_workers(worker: Callable, world_size: int = 2, args: tuple = ()) -> list:
    """Run worker(rank, world_size, *args) in world_size new processes joined by a gloo process group on
    127.0.0.1, and return their results, rank 0 first.

    The parent holds the rendezvous store on a free port that the operating system picks (port 0), so runs
    in parallel never collide. worker must be importable (defined in a module, not in a notebook): spawn
    starts fresh interpreters and sends them the function by its module and name. Results must be plain
    data (tensors, numbers, strings, lists, dicts): they come back through files in a temporary folder.
    """
    check_int("world_size", world_size, minimum=1)
    check_type("args", args, tuple, "a tuple")
    if not callable(worker):
        raise TypeError(f"worker must be a function, got {type(worker).__name__}")
    store = dist.TCPStore("127.0.0.1", 0, world_size + 1, is_master=True, wait_for_workers=False)
    with tempfile.TemporaryDirectory() as folder:
        try:
            mp.spawn(_entry, args=(worker, world_size, store.port, folder, args), nprocs=world_size)
        except mp.ProcessRaisedException as error:
            raise RuntimeError(f"a worker failed:\n{error}") from None
        return [torch.load(Path(folder) / f"rank{rank}.pt", weights_only=True) for rank in range(world_size)]


def spawn_failure(function: Callable) -> tuple[str, str]:
    """Spawn one process to run function and report how it fails: (the parent's exception, the last line the
    child wrote to its stderr). Shows why a function defined in a notebook cannot be a worker."""
    with tempfile.TemporaryFile() as captured:
        saved = os.dup(2)
        os.dup2(captured.fileno(), 2)  # the child inherits this stderr; it is where its traceback goes
        try:
            mp.spawn(function, nprocs=1)
            parent = "no error"
        except Exception as error:  # noqa: BLE001 - we report whatever spawn raised
            parent = f"{type(error).__name__}: {error}"
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        captured.seek(0)
        lines = [line for line in captured.read().decode(errors="replace").splitlines() if line.strip()]
    return parent, lines[-1] if lines else ""


# ---- a row-wise sharded table, by hand -------------------------------------------------------------------------
def row_ranges(num_rows: int, world_size: int) -> list[tuple[int, int]]:
    """Contiguous blocks of rows, one per rank: [start, stop), the first ranks one row longer if uneven."""
    check_int("num_rows", num_rows, minimum=1)
    check_int("world_size", world_size, minimum=1, maximum=num_rows)
    per_rank, extra = divmod(num_rows, world_size)
    starts = [r * per_rank + min(r, extra) for r in range(world_size + 1)]
    return list(zip(starts[:-1], starts[1:]))


def owner_of(ids: torch.Tensor, num_rows: int, world_size: int) -> torch.Tensor:
    """The rank that owns each id's row under row_ranges."""
    check_type("ids", ids, torch.Tensor, "a tensor of ids")
    stops = torch.tensor([stop for _, stop in row_ranges(num_rows, world_size)])
    if ids.numel() and (ids.min() < 0 or ids.max() >= num_rows):
        raise ValueError(f"ids must lie in [0, {num_rows}), got min {ids.min().item()} max {ids.max().item()}")
    return torch.bucketize(ids, stops, right=True)


class AllToAll(torch.autograd.Function):
    """all_to_all_single as an autograd function: forward sends send_counts[j] rows to rank j and receives
    recv_counts[j] from it; backward sends the gradients of the received rows back the same way, reversed.
    traffic[key] adds the bytes this rank sent to other ranks (its own slice is a local copy)."""

    @staticmethod
    def forward(ctx, rows: torch.Tensor, send_counts: list[int], recv_counts: list[int],  # type: ignore[override]
                traffic: dict, key: str, backward_key: str) -> torch.Tensor:
        ctx.counts, ctx.traffic, ctx.key = (send_counts, recv_counts), traffic, backward_key
        return _exchange(rows, send_counts, recv_counts, traffic, key)

    @staticmethod
    def backward(ctx, grad: torch.Tensor):  # type: ignore[override]
        send_counts, recv_counts = ctx.counts
        return _exchange(grad, recv_counts, send_counts, ctx.traffic, ctx.key), None, None, None, None, None


def _exchange(tensor: torch.Tensor, send_counts: list[int], recv_counts: list[int], traffic: dict,
              key: str) -> torch.Tensor:
    out = tensor.new_empty((sum(recv_counts), *tensor.shape[1:]))
    dist.all_to_all_single(out, tensor.contiguous(), output_split_sizes=recv_counts, input_split_sizes=send_counts)
    rank, row_bytes = dist.get_rank(), tensor[0].numel() * tensor.element_size() if len(tensor) else 0
    traffic[key] = traffic.get(key, 0) + sum(n for j, n in enumerate(send_counts) if j != rank) * row_bytes
    return out


class RowWiseShardedEmbedding(nn.Module):
    """An embedding table split by rows over the process group: this rank holds rows [start, stop) only.

    forward(ids) takes this rank's ids (any shape, ids of the whole table) and returns their rows, as
    nn.Embedding would: 1) each id goes to the rank that owns its row, 2) the owner looks the rows up,
    3) the rows come back. Gradients flow back through the same two exchanges, so each rank's .weight.grad
    holds the gradient of its rows from every rank's batch. self.traffic counts the bytes this rank sent.
    """

    def __init__(self, full_weight: torch.Tensor):
        super().__init__()
        check_type("full_weight", full_weight, torch.Tensor, "a 2-D tensor")
        self.rank, self.world_size = dist.get_rank(), dist.get_world_size()
        self.num_rows, self.dim = full_weight.shape
        self.start, self.stop = row_ranges(self.num_rows, self.world_size)[self.rank]
        self.weight = nn.Parameter(full_weight[self.start:self.stop].detach().clone())
        self.traffic: dict[str, int] = {}

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        flat = ids.reshape(-1)
        owners = owner_of(flat, self.num_rows, self.world_size)
        order = torch.argsort(owners, stable=True)  # group ids by owner, keeping their order within a group
        send_counts = torch.bincount(owners, minlength=self.world_size)
        recv_counts = torch.empty_like(send_counts)
        dist.all_to_all_single(recv_counts, send_counts)  # 1a) how many ids each rank will receive
        send, recv = send_counts.tolist(), recv_counts.tolist()
        self.traffic["counts"] = self.traffic.get("counts", 0) + (self.world_size - 1) * ID_BYTES
        asked = _exchange(flat[order], send, recv, self.traffic, "ids")  # 1b) the ids themselves
        rows = F.embedding(asked - self.start, self.weight)  # 2) look up the rows this rank owns
        back = AllToAll.apply(rows, recv, send, self.traffic, "rows", "gradients")  # 3) rows to who asked
        out = torch.empty_like(back)
        out[order] = back  # undo the grouping by owner
        return out.reshape(*ids.shape, self.dim)


def by_hand_worker(rank: int, world_size: int, full_weight: torch.Tensor, ids: torch.Tensor,
                   upstream: torch.Tensor) -> dict:
    """One data-parallel rank of the by-hand demo: takes its slice of the batch, looks it up in the row-wise
    sharded table, back-propagates loss = sum(rows * upstream) and returns rows, its rows' gradient, traffic."""
    batch = ids.tensor_split(world_size)[rank]
    table = RowWiseShardedEmbedding(full_weight)
    with SentBytes() as collectives:  # an independent count of the same exchanges, for the tests
        rows = table(batch)
        (rows * upstream.tensor_split(world_size)[rank]).sum().backward()
    mine = owner_of(ids.reshape(-1), table.num_rows, world_size) == rank
    in_batch = torch.zeros(ids.numel(), dtype=torch.bool)
    in_batch[torch.arange(ids.numel()).reshape(ids.shape).tensor_split(world_size)[rank].reshape(-1)] = True
    return {"rows": rows.detach(), "grad": table.weight.grad, "start": table.start, "stop": table.stop,
            "sent_ids": int((in_batch & ~mine).sum()), "answered_ids": int((~in_batch & mine).sum()),
            "traffic": dict(sorted(table.traffic.items())), "collectives": collectives.sent}


# ---- TorchRec --------------------------------------------------------------------------------------------------
def import_torchrec():
    """Import torchrec, or raise ModuleNotFoundError saying how to install it."""
    try:
        import torchrec
    except ModuleNotFoundError as error:
        raise ModuleNotFoundError(f"this notebook needs TorchRec ({error.name} is missing); install it with "
                                  f"{TORCHREC_INSTALL}") from error
    # TorchRec's modules call torch.fx's is_fx_tracing, which logs a deprecation warning on first use
    logging.getLogger("torch.fx._symbolic_trace").setLevel(logging.ERROR)
    return torchrec


class TinyRanker(nn.Module):
    """A minimal recommender: pooled embeddings of every feature, concatenated, then one linear layer."""

    def __init__(self, ebc: nn.Module, keys: Sequence[str], dim_total: int):
        super().__init__()
        self.ebc, self.keys = ebc, list(keys)
        self.dense = nn.Linear(dim_total, 1)

    def forward(self, features) -> torch.Tensor:
        pooled = self.ebc(features)
        pooled = pooled.wait() if hasattr(pooled, "wait") else pooled
        parts = pooled.to_dict()  # by name: a sharded collection may order its outputs differently
        return self.dense(torch.cat([parts[k] for k in self.keys], dim=1)).squeeze(1)


def make_tables(specs: Sequence[tuple[str, str, int, int]]) -> list:
    """EmbeddingBagConfig for each (table name, feature name, rows, dim), sum pooling."""
    torchrec = import_torchrec()
    return [torchrec.EmbeddingBagConfig(name=name, feature_names=[feature], num_embeddings=rows,
                                        embedding_dim=dim, pooling=torchrec.PoolingType.SUM)
            for name, feature, rows, dim in specs]


def make_ranker(specs: Sequence[tuple[str, str, int, int]], seed: int = 0, device: str = "cpu") -> TinyRanker:
    """An unsharded TinyRanker with seeded weights (device="meta" builds it without memory, for sharding)."""
    torchrec = import_torchrec()
    torch.manual_seed(seed)
    ebc = torchrec.EmbeddingBagCollection(tables=make_tables(specs), device=torch.device(device))
    model = TinyRanker(ebc, [feature for _, feature, _, _ in specs], sum(dim for *_, dim in specs))
    return model.to(device) if device != "meta" else model


def make_features(keys: Sequence[str], lengths: torch.Tensor, values: torch.Tensor):
    """A KeyedJaggedTensor from lengths [features, batch] and the ids of every bag, feature by feature."""
    torchrec = import_torchrec()
    return torchrec.KeyedJaggedTensor.from_lengths_sync(keys=list(keys), values=values,
                                                        lengths=lengths.reshape(-1))


def split_batch(lengths: torch.Tensor, values: torch.Tensor, world_size: int, rank: int
                ) -> tuple[torch.Tensor, torch.Tensor]:
    """Rank's share of a batch given as lengths [features, batch] and values: samples split in equal blocks."""
    per_feature = values.split(lengths.sum(dim=1).tolist())
    bounds = [0, *torch.tensor_split(torch.arange(lengths.shape[1]), world_size)[rank][[0, -1]].tolist()]
    first, last = bounds[1], bounds[2] + 1
    mine = [ids[lens[:first].sum():lens[:last].sum()] for ids, lens in zip(per_feature, lengths)]
    return lengths[:, first:last], torch.cat(mine)


def row_wise_cpu_sharder(fused_params: dict):
    """An EmbeddingBagCollectionSharder that also offers row-wise sharding on CPU, which TorchRec leaves out."""
    from torchrec.distributed.embeddingbag import EmbeddingBagCollectionSharder
    from torchrec.distributed.types import ShardingType

    class RowWiseOnCpuSharder(EmbeddingBagCollectionSharder):
        def sharding_types(self, compute_device_type: str) -> list[str]:
            return [*super().sharding_types(compute_device_type), ShardingType.ROW_WISE.value]

    return RowWiseOnCpuSharder(fused_params=fused_params)


class SentBytes:
    """Counts the bytes this rank sends to other ranks through torch.distributed's collectives, by collective.

    Used as a context manager: it wraps dist.all_to_all_single, reduce_scatter_tensor, reduce_scatter,
    all_gather_into_tensor and all_reduce while active, so library code that calls them (TorchRec's
    all-to-alls and reduce-scatters) is counted too. Direct exchanges are assumed (each rank sends each other rank
    its part once); all_reduce is counted as a ring, 2 (W-1)/W of the tensor.
    """

    NAMES = ("all_to_all_single", "reduce_scatter_tensor", "reduce_scatter", "all_gather_into_tensor", "all_reduce")

    def __init__(self):
        self.sent: dict[str, int] = {}
        self._saved: dict[str, Callable] = {}

    def __enter__(self) -> "SentBytes":
        for name in self.NAMES:
            self._saved[name] = original = getattr(dist, name)
            setattr(dist, name, self._wrap(name, original))
        return self

    def __exit__(self, *exc) -> None:
        for name, original in self._saved.items():
            setattr(dist, name, original)

    def _wrap(self, name: str, original: Callable) -> Callable:
        def counted(*args, **kwargs):
            self.sent[name] = self.sent.get(name, 0) + self._bytes(name, args, kwargs)
            return original(*args, **kwargs)
        return counted

    @staticmethod
    def _bytes(name: str, args: tuple, kwargs: dict) -> int:
        def arg(index: int, key: str):
            return args[index] if len(args) > index else kwargs.get(key)

        group = kwargs.get("group")
        w, rank = dist.get_world_size(group), dist.get_rank(group)
        if name == "all_to_all_single":
            tensor, splits = arg(1, "input"), arg(3, "input_split_sizes")
            row = tensor[0].numel() * tensor.element_size() if len(tensor) else 0
            own = splits[rank] if splits else len(tensor) // w
            return (len(tensor) - own) * row
        if name == "reduce_scatter":
            return sum(t.numel() * t.element_size() for j, t in enumerate(arg(1, "input_list")) if j != rank)
        tensor = arg(0, "tensor") if name == "all_reduce" else arg(1, "input")
        size = tensor.numel() * tensor.element_size()
        if name == "reduce_scatter_tensor":
            return size * (w - 1) // w
        if name == "all_gather_into_tensor":
            return size * (w - 1)
        return 2 * size * (w - 1) // w  # all_reduce, as a ring


def torchrec_worker(rank: int, world_size: int, specs: list, state: dict, lengths: torch.Tensor,
                    values: torch.Tensor, labels: torch.Tensor, sharding_types: list[str], lr: float) -> dict:
    """One rank of the TorchRec demos: for each sharding type, plan, shard with DistributedModelParallel,
    copy in the unsharded weights, run forward and one SGD step on this rank's share of the batch; also one
    step with TorchRec's gradient division switched off. Returns plans, outputs and the shards after the step."""
    from fbgemm_gpu.split_embedding_configs import EmbOptimType as Optim
    from torchrec.distributed import comm_ops
    from torchrec.distributed.embeddingbag import EmbeddingBagCollectionSharder
    from torchrec.distributed.model_parallel import DistributedModelParallel
    from torchrec.distributed.planner import EmbeddingShardingPlanner, ParameterConstraints, Topology
    from torchrec.distributed.types import ShardingEnv
    from torchrec.optim.optimizers import in_backward_optimizer_filter

    keys = [feature for _, feature, _, _ in specs]
    my_lengths, my_values = split_batch(lengths, values, world_size, rank)
    my_labels = labels.tensor_split(world_size)[rank]
    features = make_features(keys, my_lengths, my_values)
    env = ShardingEnv.from_process_group(dist.group.WORLD)
    results = {}
    runs = [(kind, True) for kind in sharding_types] + [(sharding_types[0], False)]
    for kind, divide in runs:
        comm_ops.set_gradient_division(divide)
        fused = {"optimizer": Optim.EXACT_SGD, "learning_rate": lr}  # SGD applied inside backward, by FBGEMM
        sharder = row_wise_cpu_sharder(fused) if kind == "row_wise" else EmbeddingBagCollectionSharder(fused)
        model = make_ranker(specs, device="meta")
        constraints = {name: ParameterConstraints(sharding_types=[kind], min_partition=dim // world_size)
                       for name, _, _, dim in specs}
        planner = EmbeddingShardingPlanner(topology=Topology(world_size=world_size, compute_device="cpu"),
                                           constraints=constraints)
        plan = planner.collective_plan(model, [sharder], dist.group.WORLD)
        sharded = DistributedModelParallel(model, env=env, plan=plan, device=torch.device("cpu"),
                                           sharders=[sharder])
        _copy_into_shards(sharded, state)
        dense = dict(in_backward_optimizer_filter(sharded.named_parameters()))
        optimizer = torch.optim.SGD(list(dense.values()), lr=lr)
        with SentBytes() as traffic:  # what one forward and backward send, planning excluded
            out = sharded(features)
            loss = F.binary_cross_entropy_with_logits(out, my_labels)
            loss.backward()  # the tables' fused optimizer updates them here, inside backward
        optimizer.step()
        name = kind if divide else f"{kind}, no gradient division"
        results[name] = {"plan": _plan_rows(plan) if divide else [], "out": out.detach(), "sent": traffic.sent,
                         "shards": _local_shards(sharded), "dense": {k.split("dense.")[-1]: v.detach().clone()
                                                                    for k, v in dense.items()}}
    comm_ops.set_gradient_division(True)
    return results


def _copy_into_shards(sharded: nn.Module, state: dict) -> None:
    with torch.no_grad():
        for key, tensor in sharded.state_dict().items():
            full = state[key.removeprefix("_dmp_wrapped_module.").removeprefix("module.")]
            if hasattr(tensor, "local_shards"):
                for shard in tensor.local_shards():
                    (r, c), (h, w) = shard.metadata.shard_offsets, shard.metadata.shard_sizes
                    shard.tensor.copy_(full[r:r + h, c:c + w])
            else:
                tensor.copy_(full)


def _local_shards(sharded: nn.Module) -> list[dict]:
    shards = []
    for key, tensor in sorted(sharded.state_dict().items()):
        for shard in getattr(tensor, "local_shards", list)():
            shards.append({"table": key.split(".")[-2], "offsets": list(shard.metadata.shard_offsets),
                           "tensor": shard.tensor.detach().clone()})
    return shards


def _plan_rows(plan) -> list[dict]:
    """The deterministic parts of a sharding plan: per table its sharding type, kernel, and shards."""
    rows = []
    for module_plan in plan.plan.values():
        for table, spec in sorted(module_plan.items()):
            for shard in spec.sharding_spec.shards:
                rows.append({"table": table, "sharding": spec.sharding_type, "kernel": spec.compute_kernel,
                             "offsets": list(shard.shard_offsets), "sizes": list(shard.shard_sizes),
                             "rank": shard.placement.rank()})
    return rows


def assemble_tables(shards_by_rank: Sequence[list[dict]], shapes: dict[str, tuple[int, int]]
                    ) -> dict[str, torch.Tensor]:
    """Full tables from every rank's shards (each with its table name, offsets and tensor)."""
    tables = {name: torch.full(shape, float("nan")) for name, shape in shapes.items()}
    for shards in shards_by_rank:
        for shard in shards:
            (r, c), (h, w) = shard["offsets"], shard["tensor"].shape
            tables[shard["table"]][r:r + h, c:c + w] = shard["tensor"]
    return tables


# ---- the cost model --------------------------------------------------------------------------------------------
def memory_per_rank(sharding: str, world_size: int, num_tables: int, num_rows: int, dim: int,
                    state_copies: int = 0, value_bytes: int = VALUE_BYTES) -> int:
    """Bytes of table weights plus optimizer state (state_copies per weight: SGD 0, Adam 2) on the fullest
    rank, for num_tables tables of num_rows x dim each."""
    check_choice("sharding", sharding, SHARDING_TYPES)
    for name, value in (("world_size", world_size), ("num_tables", num_tables), ("num_rows", num_rows),
                        ("dim", dim), ("value_bytes", value_bytes)):
        check_int(name, value, minimum=1)
    check_int("state_copies", state_copies, minimum=0)
    per_value = value_bytes * (1 + state_copies)
    if sharding == "data_parallel":
        return num_tables * num_rows * dim * per_value
    if sharding == "table_wise":  # whole tables; past one table per rank, nothing more to split
        return math.ceil(num_tables / world_size) * num_rows * dim * per_value
    if sharding == "row_wise":
        return num_tables * math.ceil(num_rows / world_size) * dim * per_value
    return num_tables * num_rows * math.ceil(dim / min(world_size, dim)) * per_value  # column-wise


def bytes_per_step(sharding: str, world_size: int, batch_per_rank: int, pooling_factor: float, dim: int,
                   num_tables: int = 1, num_rows: int = 1, pooled: bool = True, id_bytes: int = ID_BYTES,
                   value_bytes: int = VALUE_BYTES) -> float:
    """Bytes one rank sends per training step (forward and backward), on average, with ids spread evenly.

    table_wise: ids to each table's owner; pooled vectors [batch, dim] back; their gradients forward again.
    row_wise:   ids to the owner of each row; pooled=True (TorchRec): owners return partial sums for every
                sample of every rank (a reduce-scatter), pooled=False (by hand): one row per id.
    column_wise: every id to every column shard; [batch, dim / world_size] from each shard.
    data_parallel: no lookup traffic, but an all-reduce of the whole tables' gradients (ring: 2 (W-1)/W).
    TorchRec's sharded kinds also send the KeyedJaggedTensor's lengths (one per sample and table, to each rank
    that receives ids of that table) and, first, how many ids of each table each rank will receive.
    """
    check_choice("sharding", sharding, SHARDING_TYPES)
    for name, value in (("world_size", world_size), ("batch_per_rank", batch_per_rank), ("dim", dim),
                        ("num_tables", num_tables), ("num_rows", num_rows)):
        check_int(name, value, minimum=1)
    check_type("pooled", pooled, bool, "True or False")
    w, b, d, t = world_size, batch_per_rank, dim, num_tables
    remote = (w - 1) / w  # the share of a rank's ids (or outputs) that belong to other ranks
    ids = t * b * pooling_factor
    if sharding == "data_parallel":
        return 2 * remote * t * num_rows * d * value_bytes
    split_counts = (w - 1) * t * id_bytes  # ids per table, to each other rank, before the ids themselves
    if sharding == "table_wise":
        return split_counts + remote * ((ids + t * b) * id_bytes + 2 * t * b * d * value_bytes)
    if sharding == "row_wise":
        if not pooled:
            return remote * ids * (id_bytes + 2 * d * value_bytes)
        lengths = (w - 1) * t * b  # every rank may own rows of any sample: all lengths to every rank
        return split_counts + (remote * ids + lengths) * id_bytes + 2 * (w - 1) * t * b * d * value_bytes
    shard_dim = d / min(w, d)
    return split_counts + (w - 1) * (ids + t * b) * id_bytes + 2 * (w - 1) * t * b * shard_dim * value_bytes


def by_hand_bytes(sent_ids: int, answered_ids: int, dim: int, world_size: int,
                  value_bytes: int = VALUE_BYTES) -> dict[str, int]:
    """Exact bytes a RowWiseShardedEmbedding rank sends in one forward and backward: sent_ids of its ids belong
    to other ranks (ids out, their gradients out in backward), answered_ids of theirs belong to it (rows out)."""
    for name, value in (("sent_ids", sent_ids), ("answered_ids", answered_ids)):
        check_int(name, value, minimum=0)
    check_int("dim", dim, minimum=1)
    check_int("world_size", world_size, minimum=1)
    sent, answered = sent_ids, answered_ids
    return {"counts": (world_size - 1) * ID_BYTES, "gradients": sent * dim * value_bytes,
            "ids": sent * ID_BYTES, "rows": answered * dim * value_bytes}
