"""No text sits on both sides of a split: the loaders drop exact duplicates before any split is made."""
import pytest

from helpers.datasets import drop_duplicates, load_bbc_news, load_rotten_tomatoes, stratified_split

LOADERS = {"BBC News": load_bbc_news, "Rotten Tomatoes": load_rotten_tomatoes}


def normalised(texts):
    return {" ".join(t.split()) for t in texts}


@pytest.fixture(scope="module", params=sorted(LOADERS))
def corpus(request):
    return request.param, LOADERS[request.param](verbose=False)


def test_loaders_hold_no_duplicates(corpus):
    _, (texts, _) = corpus
    assert len(normalised(texts)) == len(texts)


# the splits the notebooks make: 80/10/10 by default, and 13's 10 % validation of a 90 % rest
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("sizes", [(0.1, 0.1), (0.1, 0.2)])
def test_no_text_in_two_parts_of_a_split(corpus, seed, sizes):
    _, (texts, labels) = corpus
    parts = stratified_split(texts, labels, val_size=sizes[0], test_size=sizes[1], seed=seed)
    train, val, test = (normalised(x) for x, _ in parts)
    assert not train & val and not train & test and not val & test
    assert len(train) + len(val) + len(test) == len(texts)


def test_drop_duplicates_keeps_the_first_copy_and_says_how_many(capsys):
    texts = ["a  b", "c", "a b", " c\n", "d"]
    kept, labels = drop_duplicates(texts, [1, 2, 1, 2, 3], "toy")
    assert kept == ["a  b", "c", "d"] and labels == [1, 2, 3]
    assert capsys.readouterr().out == "toy: 2 exact duplicates dropped (whitespace normalised), 3 left\n"


def test_drop_duplicates_rejects_conflicting_labels_and_bad_input():
    with pytest.raises(ValueError, match="two labels"):
        drop_duplicates(["same", "same"], [0, 1], verbose=False)
    with pytest.raises(ValueError, match="differ in length"):
        drop_duplicates(["a"], [0, 1], verbose=False)
    with pytest.raises(TypeError, match="verbose"):
        drop_duplicates(["a"], [0], verbose=1)


def test_the_real_data_had_duplicates_to_drop(capsys):
    """The raw files do hold copies (so the step is needed): 2,225 BBC files and 12,808 snippets before it."""
    texts, _ = load_bbc_news()
    reviews, _ = load_rotten_tomatoes()
    out = capsys.readouterr().out
    assert f"{2_225 - len(texts):,} exact duplicates dropped" in out and len(texts) < 2_225
    assert f"{12_808 - len(reviews):,} exact duplicates dropped" in out and len(reviews) < 12_808
