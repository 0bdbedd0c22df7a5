"""Memory of embedding tables: byte accounting in MiB, training overhead, and ways to shrink a table."""
import hashlib
from collections.abc import Sequence

import torch

from helpers.validation import check_choice, check_int, check_type

MIB = 2**20  # a mebibyte, 1,048,576 bytes (a megabyte, MB, is 1,000,000)
_STATE_COPIES = {"sgd": 0, "sgd-momentum": 1, "adam": 2}  # optimizer tensors kept per parameter


def _float_matrix(name: str, value: object) -> None:
    if not isinstance(value, torch.Tensor) or not value.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got "
                        f"{value.dtype if isinstance(value, torch.Tensor) else type(value).__name__}")
    if value.dim() != 2:
        raise ValueError(f"{name} must be 2-D [rows, dim], got shape {tuple(value.shape)}")


def tensor_mib(tensor: torch.Tensor) -> float:
    """The tensor's data in MiB: numel() x element_size() (what sys.getsizeof does not see). For a sparse COO
    tensor, whose numel() counts the dense shape, the stored indices plus values."""
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"expected a torch.Tensor, got {type(tensor).__name__}")
    if tensor.is_sparse:
        indices, values = tensor._indices(), tensor._values()
        return (indices.numel() * indices.element_size() + values.numel() * values.element_size()) / MIB
    return tensor.numel() * tensor.element_size() / MIB


def table_mib(num_rows: int, dim: int, dtype: torch.dtype = torch.float32) -> float:
    """MiB of a num_rows x dim table of `dtype`, computed without allocating it."""
    check_int("num_rows", num_rows, minimum=0)
    check_int("dim", dim, minimum=0)
    check_type("dtype", dtype, torch.dtype, "a torch.dtype such as torch.float32")
    return num_rows * dim * torch.empty((), dtype=dtype).element_size() / MIB


def training_mib(num_rows: int, dim: int, optimizer: str = "adam", dtype: torch.dtype = torch.float32,
                 ) -> dict[str, float]:
    """MiB to train a dense table: weights, an equal-sized gradient, and the optimizer's state tensors
    ("sgd": none, "sgd-momentum": one, "adam": two, its first and second moments)."""
    check_choice("optimizer", optimizer, _STATE_COPIES)
    table = table_mib(num_rows, dim, dtype)
    return {"weights": table, "gradients": table, "optimizer state": _STATE_COPIES[optimizer] * table}


def resident_mib() -> float:
    """This process's resident memory (RSS) in MiB, on Linux, macOS and Windows alike (psutil)."""
    import psutil  # installed with JupyterLab (ipykernel needs it); works where the resource module does not

    return psutil.Process().memory_info().rss / MIB


def quantize_rows(weight: torch.Tensor, bits: int = 8) -> tuple[torch.Tensor, torch.Tensor]:
    """Symmetric per-row quantization: int8 codes in [-(2**(bits-1) - 1), 2**(bits-1) - 1] and one float32
    scale per row, so that codes * scale approximates the row (see dequantize_rows)."""
    _float_matrix("weight", weight)
    check_int("bits", bits, minimum=2, maximum=8)  # codes are stored in int8
    levels = 2 ** (bits - 1) - 1
    scale = weight.detach().abs().amax(dim=1, keepdim=True).float() / levels
    codes = torch.round(weight.detach().float() / scale.clamp_min(torch.finfo(torch.float32).tiny))
    return codes.clamp_(-levels, levels).to(torch.int8), scale


def dequantize_rows(codes: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """Float32 rows back from quantize_rows' int8 codes [rows, dim] and scales [rows, 1]."""
    if not isinstance(codes, torch.Tensor) or codes.dtype != torch.int8:
        raise TypeError(f"codes must be an int8 tensor from quantize_rows, got "
                        f"{codes.dtype if isinstance(codes, torch.Tensor) else type(codes).__name__}")
    if codes.dim() != 2:
        raise ValueError(f"codes must be 2-D [rows, dim], got shape {tuple(codes.shape)}")
    if not isinstance(scale, torch.Tensor) or scale.shape != (codes.shape[0], 1):
        raise ValueError(f"scale must be a tensor of shape ({codes.shape[0]}, 1), one per row, got "
                         f"{tuple(scale.shape) if isinstance(scale, torch.Tensor) else type(scale).__name__}")
    return codes.float() * scale.float()


def hash_buckets(words: Sequence[str], num_buckets: int) -> torch.Tensor:
    """A bucket id in [0, num_buckets) for each word, from a stable hash (BLAKE2b), the same in every process;
    Python's hash() of a str changes from process to process, so it must not pick rows."""
    if isinstance(words, str) or not isinstance(words, Sequence) or not all(isinstance(w, str) for w in words):
        raise TypeError("words must be a list of str")
    check_int("num_buckets", num_buckets, minimum=1)
    digests = [hashlib.blake2b(w.encode("utf-8"), digest_size=8).digest() for w in words]
    return torch.tensor([int.from_bytes(h, "little") % num_buckets for h in digests], dtype=torch.long)


def low_rank(weight: torch.Tensor, rank: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The best rank-r approximation (truncated SVD) as two factors, A [rows, r] @ B [r, dim] ~ weight."""
    _float_matrix("weight", weight)
    limit = min(weight.shape)
    check_int("rank", rank, minimum=1, maximum=limit)  # at most the smaller side of the table
    u, s, vh = torch.linalg.svd(weight.detach().float(), full_matrices=False)
    return u[:, :rank] * s[:rank], vh[:rank].clone()
