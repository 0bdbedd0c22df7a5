"""Unit tests for helpers.models: the mean-pooling classifier on padded batches and its EmbeddingBag twin."""
import re

import pytest
import torch
from torch import nn

from helpers.batching import bag_inputs, pad_collate
from helpers.models import BagClassifier, MeanPoolClassifier
from helpers.vocab import PAD_ID

TEXTS = [[5, 3, 9, 2], [7], [4, 4, 8], [2, 6]]  # token ids, none of them <pad>


def padded_batch(texts=TEXTS):
    """(padded ids, lengths), as a DataLoader with pad_collate gives them for texts without labels."""
    return pad_collate(texts)


def mean_pool(num_classes: int, seed: int = 0, **kwargs) -> MeanPoolClassifier:
    torch.manual_seed(seed)
    return MeanPoolClassifier(vocab_size=12, embedding_dim=6, num_classes=num_classes, **kwargs).eval()


# MeanPoolClassifier -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("num_classes, shape", [(1, (4,)), (2, (4, 2)), (5, (4, 5))])
def test_mean_pool_output_shapes(num_classes, shape):
    logits = mean_pool(num_classes)(*padded_batch())
    assert logits.shape == shape


def test_mean_pool_is_the_linear_layer_of_the_mean_of_the_real_token_vectors():
    model = mean_pool(3)
    logits = model(*padded_batch())
    with torch.no_grad():
        expected = torch.stack([model.out(model.embedding.weight[t].mean(dim=0)) for t in TEXTS])
    assert torch.allclose(logits, expected, atol=1e-6)


def test_padding_does_not_change_the_output():
    model = mean_pool(3)
    text = TEXTS[0]
    alone = model(torch.tensor([text]), torch.tensor([len(text)]))
    outputs = []
    for extra in (0, 1, 5, 20):  # the same text padded to different lengths
        ids = torch.tensor([text + [PAD_ID] * extra])
        outputs.append(model(ids, torch.tensor([len(text)])))
    for out in outputs:
        assert torch.allclose(out, alone, atol=1e-6)
    # and in a batch, next to a longer text that forces padding
    in_batch = model(*padded_batch([text, text + [1] * 10]))[0]
    assert torch.allclose(in_batch, alone[0], atol=1e-6)


def test_padding_with_another_token_id_is_still_masked_out():
    # the mask comes from the lengths, not from the pad id: filling with a real token changes nothing
    model = mean_pool(2)
    text = [3, 4]
    ids_zero, ids_nine = torch.tensor([text + [0, 0, 0]]), torch.tensor([text + [9, 9, 9]])
    lengths = torch.tensor([2])
    assert torch.allclose(model(ids_zero, lengths), model(ids_nine, lengths), atol=1e-6)


def test_pad_row_gets_no_gradient():
    model = mean_pool(1).train()
    padded, lengths = padded_batch()
    model(padded, lengths).sum().backward()
    assert torch.equal(model.embedding.weight.grad[PAD_ID], torch.zeros(6))
    assert model.embedding.weight.grad[TEXTS[1][0]].abs().sum() > 0


def test_dropout_only_acts_in_training_mode():
    model = mean_pool(3, dropout=0.5)
    batch = padded_batch()
    assert torch.equal(model(*batch), model(*batch))  # eval: deterministic
    evaluated = model(*batch)
    torch.manual_seed(1)
    dropped = model.train()(*batch)
    assert not torch.allclose(dropped, evaluated)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"vocab_size": 0}, ValueError, "vocab_size must be at least 1, got 0"),
    ({"vocab_size": 12.0}, TypeError, "vocab_size must be an integer, got 12.0 (float)"),
    ({"embedding_dim": True}, TypeError, "embedding_dim must be an integer, got True (bool)"),
    ({"embedding_dim": -3}, ValueError, "embedding_dim must be at least 1, got -3"),
    ({"num_classes": 0}, ValueError, "num_classes must be at least 1, got 0"),
    ({"num_classes": "2"}, TypeError, "num_classes must be an integer, got '2' (str)"),
    ({"dropout": 1.5}, ValueError, "dropout must be at most 1, got 1.5"),
    ({"dropout": -0.1}, ValueError, "dropout must be at least 0, got -0.1"),
    ({"dropout": True}, TypeError, "dropout must be a number, got True (bool)"),
    ({"dropout": float("nan")}, ValueError, "dropout must be a number, got NaN"),
])
def test_mean_pool_rejects_bad_arguments(kwargs, error, match):
    args = {"vocab_size": 12, "embedding_dim": 6, "num_classes": 2, **kwargs}
    with pytest.raises(error, match=re.escape(match)):
        MeanPoolClassifier(**args)


def test_mean_pool_rejects_float_ids():
    model = mean_pool(2)
    with pytest.raises(TypeError, match="ids must be a LongTensor of token ids, got torch.float32"):
        model(torch.ones(2, 3), torch.tensor([3, 3]))


# BagClassifier ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("num_classes", [1, 2, 4])
def test_bag_classifier_after_load_mean_pool_predicts_what_the_mean_pool_model_does(num_classes):
    mean_model = mean_pool(num_classes, seed=3)
    with torch.no_grad():  # move the weights off their initial values, as training would
        mean_model.embedding.weight.add_(torch.randn(12, 6, generator=torch.Generator().manual_seed(4)))
        mean_model.embedding.weight[PAD_ID] = 0
    torch.manual_seed(99)  # the bag model starts from other weights
    bag_model = BagClassifier(12, 6, num_classes)
    before = bag_model(*bag_inputs(TEXTS))
    returned = bag_model.load_mean_pool(mean_model)
    assert returned is bag_model
    expected = mean_model(*padded_batch())
    got = bag_model(*bag_inputs(TEXTS))
    assert got.shape == expected.shape == ((4,) if num_classes == 1 else (4, num_classes))
    assert torch.allclose(got, expected, atol=1e-6)
    assert not torch.allclose(before, expected, atol=1e-3)  # the copy is what made them agree


def test_bag_classifier_output_is_the_linear_layer_of_each_bag_mean():
    torch.manual_seed(0)
    model = BagClassifier(12, 6, 3)
    with torch.no_grad():
        expected = torch.stack([model.out(model.embedding.weight[t].mean(dim=0)) for t in TEXTS])
        assert torch.allclose(model(*bag_inputs(TEXTS)), expected, atol=1e-6)


def test_bag_classifier_dropout_acts_on_the_mean_in_training_only():
    torch.manual_seed(0)
    model = BagClassifier(12, 6, 1, dropout=0.5)
    with torch.no_grad():
        means = torch.stack([model.embedding.weight[t].mean(dim=0) for t in TEXTS])
        _ = torch.manual_seed(1)
        trained = model(*bag_inputs(TEXTS))
        _ = torch.manual_seed(1)
        expected = model.out(nn.functional.dropout(means, 0.5, training=True)).squeeze(1)
        assert torch.allclose(trained, expected, atol=1e-6)
        model.eval()
        assert torch.allclose(model(*bag_inputs(TEXTS)), model.out(means).squeeze(1), atol=1e-6)


def test_load_mean_pool_copies_the_weights_not_a_view():
    mean_model = mean_pool(2)
    bag_model = BagClassifier(12, 6, 2).load_mean_pool(mean_model)
    assert torch.equal(bag_model.embedding.weight, mean_model.embedding.weight)
    with torch.no_grad():
        mean_model.embedding.weight.add_(1.0)
    assert not torch.equal(bag_model.embedding.weight, mean_model.embedding.weight)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"vocab_size": 0}, ValueError, "vocab_size must be at least 1, got 0"),
    ({"vocab_size": True}, TypeError, "vocab_size must be an integer, got True (bool)"),
    ({"embedding_dim": 6.0}, TypeError, "embedding_dim must be an integer, got 6.0 (float)"),
    ({"num_classes": -1}, ValueError, "num_classes must be at least 1, got -1"),
    ({"dropout": 1.5}, ValueError, "dropout"),
    ({"dropout": "0.5"}, TypeError, "dropout"),
])
def test_bag_classifier_rejects_bad_arguments(kwargs, error, match):
    args = {"vocab_size": 12, "embedding_dim": 6, "num_classes": 2, **kwargs}
    with pytest.raises(error, match=re.escape(match)):
        BagClassifier(**args)


def test_load_mean_pool_rejects_other_models_and_other_shapes():
    bag_model = BagClassifier(12, 6, 2)
    with pytest.raises(TypeError, match=re.escape("model must be a helpers.models.MeanPoolClassifier, got Linear")):
        bag_model.load_mean_pool(torch.nn.Linear(6, 2))
    with pytest.raises(RuntimeError, match="size mismatch"):
        bag_model.load_mean_pool(MeanPoolClassifier(12, 6, 3))
