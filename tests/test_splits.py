"""No text sits on both sides of a split: the loaders drop exact and near-duplicates before any split is made."""
import pytest

from helpers.datasets import (
    drop_duplicates,
    load_bbc_news,
    load_rotten_tomatoes,
    near_duplicate_pairs,
    stratified_split,
)

LOADERS = {"BBC News": load_bbc_news, "Rotten Tomatoes": load_rotten_tomatoes}


def normalised(texts):
    return {" ".join(t.split()) for t in texts}


@pytest.fixture(scope="module", params=sorted(LOADERS))
def corpus(request):
    return request.param, LOADERS[request.param](verbose=False)


def test_loaders_hold_no_duplicates(corpus):
    _, (texts, _) = corpus
    assert len(normalised(texts)) == len(texts)
    assert near_duplicate_pairs(texts) == []     # so no split of them can put near-copies on two sides


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
    assert capsys.readouterr().out == ("toy: 2 exact duplicates (whitespace normalised) and 0 near-duplicates "
                                       "dropped, 3 left\n")


STORY = ("the bank of england held its key interest rate at four point seven five per cent for a sixth month on "
         "thursday as figures showed that house prices rose more slowly than expected in the autumn and that "
         "shoppers spent less in the high street over the christmas weeks than a year before")


def test_a_re_headlined_copy_is_a_near_duplicate_and_a_different_story_is_not(capsys):
    texts = ["Rates held\n" + STORY, "Other news\nshares fell sharply in early trading on monday as oil rose",
             "UK rates on hold\n" + STORY, "Rates held again\n" + STORY.replace("sixth", "seventh")]
    assert near_duplicate_pairs(texts) == [(0, 2), (0, 3), (2, 3)]
    assert near_duplicate_pairs(texts, threshold=1.0) == []
    kept, labels = drop_duplicates(texts, ["b", "b", "b", "b"], "toy")
    assert kept == texts[:2] and labels == ["b", "b"]
    assert capsys.readouterr().out == "toy: 0 exact duplicates (whitespace normalised) and 2 near-duplicates dropped, 2 left\n"
    assert near_duplicate_pairs(["one two three four", "one two three four"]) == []   # under 5 words: no 5-grams
    assert near_duplicate_pairs([]) == []


def test_drop_duplicates_rejects_conflicting_labels_and_bad_input():
    with pytest.raises(ValueError, match="two labels"):
        drop_duplicates(["same", "same"], [0, 1], verbose=False)
    with pytest.raises(ValueError, match="differ in length"):
        drop_duplicates(["a"], [0, 1], verbose=False)
    with pytest.raises(ValueError, match="near-duplicate texts carry two labels"):
        drop_duplicates(["x " + STORY, "y " + STORY], [0, 1], verbose=False)
    with pytest.raises(TypeError, match="verbose"):
        drop_duplicates(["a"], [0], verbose=1)
    with pytest.raises(ValueError, match="threshold"):
        near_duplicate_pairs(["a"], threshold=1.5)
    with pytest.raises(TypeError, match="threshold"):
        near_duplicate_pairs(["a"], threshold="0.5")


def test_the_real_data_had_duplicates_to_drop(capsys):
    """The raw files do hold copies (so the step is needed): 2,225 BBC files and 12,808 snippets before it; the
    counts are pinned so that a change to the rule shows (every BBC and Rotten Tomatoes number depends on them)."""
    texts, _ = load_bbc_news()
    reviews, _ = load_rotten_tomatoes()
    out = capsys.readouterr().out
    assert "BBC News: 100 exact duplicates (whitespace normalised) and 68 near-duplicates dropped, 2,057 left" in out
    assert "Rotten Tomatoes: 56 exact duplicates (whitespace normalised) and 5 near-duplicates dropped, 12,747 left" in out
    assert len(texts) == 2_057 and len(reviews) == 12_747
