"""CRF (engine/sequence/crf.py) against oracles: pytorch-crf (torchcrf.CRF) with copied parameters and masks, and brute
force over every tag path."""

from __future__ import annotations

import itertools

import pytest
import torch

from engine.core.train import run
from engine.sequence.crf import CRF, CRFTagger, TaggerConfig, build_vocab, train_taggers

torch.set_num_threads(1)


def random_case(seed: int, B: int = 4, L: int = 5, T: int = 4):
    g = torch.Generator().manual_seed(seed)
    em = torch.randn(B, L, T, generator=g)
    tags = torch.randint(0, T, (B, L), generator=g)
    lengths = torch.tensor([L, 1, 3, L - 1])[:B]
    mask = torch.arange(L)[None] < lengths[:, None]
    crf = CRF(T, generator=g)
    with torch.no_grad():  # non-trivial parameters
        for p in crf.parameters():
            p.normal_(generator=g)
    return crf, em, tags, mask


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_crf_equals_pytorch_crf(seed):
    """Oracle: torchcrf.CRF(batch_first=True) with the same parameters and masks."""
    from torchcrf import CRF as RefCRF

    ours, em, tags, mask = random_case(seed)
    ref = RefCRF(ours.num_tags, batch_first=True)
    ref.load_state_dict({k: v for k, v in ours.state_dict().items() if k.endswith("transitions")})
    ll = ref(em, tags, mask=mask, reduction="none")
    torch.testing.assert_close(-ours.nll(em, tags, mask), ll)
    assert ours.decode(em, mask) == ref.decode(em, mask=mask)
    assert [len(p) for p in ours.decode(em, mask)] == mask.sum(1).tolist()


def brute_force(crf: CRF, em: torch.Tensor, length: int):
    """All T^n paths of one sequence: log Z and the best path."""
    scores = {}
    m = torch.ones(1, length, dtype=torch.bool)
    for path in itertools.product(range(crf.num_tags), repeat=length):
        scores[path] = float(crf.score(em[None, :length], torch.tensor([path]), m)[0].detach())
    logz = torch.logsumexp(torch.tensor(list(scores.values())), 0)
    return float(logz), list(max(scores, key=scores.get))


def test_log_partition_and_decode_equal_brute_force_with_forbidden_moves():
    """Oracle: brute-force enumeration, including an `allowed` grammar (BMES)."""
    from engine.sequence.hmm import ALLOWED, END_ALLOWED, START_ALLOWED

    g = torch.Generator().manual_seed(5)
    crf = CRF(
        4,
        allowed=torch.tensor(ALLOWED),
        start_allowed=torch.tensor(START_ALLOWED),
        end_allowed=torch.tensor(END_ALLOWED),
        generator=g,
    )
    em = torch.randn(1, 6, 4, generator=g)
    for n in (1, 4, 6):
        mask = torch.arange(6)[None] < n
        logz, best = brute_force(crf, em[0], n)
        assert float(crf.log_partition(em, mask)[0].detach()) == pytest.approx(logz, abs=1e-4)
        path = crf.decode(em, mask)[0]
        assert path == best
        if n > 1:  # never a forbidden move
            assert all(ALLOWED[a, b] for a, b in zip(path, path[1:])) and END_ALLOWED[path[-1]]


def test_tagger_learns_on_peoples_daily_sample():
    """A few Adam steps on real BMES data lower the CRF loss; decoded tags respect the grammar."""
    from engine.sequence.hmm import ALLOWED, END_ALLOWED, START_ALLOWED, chunks, load_peoples_daily

    pieces = chunks(load_peoples_daily(limit=30), max_len=40)
    assert all(len(c) <= 40 for c, _ in pieces) and "".join(c for c, _ in pieces[:3])
    data = [(c, ["BMES".index(t) for t in tags]) for c, tags in pieces]
    model = CRFTagger(
        build_vocab([c for c, _ in data]),
        "BMES",
        1,
        torch.tensor(ALLOWED),
        torch.tensor(START_ALLOWED),
        torch.tensor(END_ALLOWED),
        seed=0,
    )
    result = run(train_taggers([model], data, TaggerConfig(epochs=3, batch_size=20, lr=0.1)))
    assert result.losses[-1] < 0.7 * result.losses[0]
    path = model.predict(["我来到北京清华大学😀"])[0]
    assert len(path) == 10 and all(ALLOWED[a, b] for a, b in zip(path, path[1:]))
    assert model.predict([""]) == [[]]


@pytest.mark.parametrize(
    "cfg", [TaggerConfig(lr=1e9), TaggerConfig(lr=0), TaggerConfig(epochs=0), TaggerConfig(batch_size=0)]
)
def test_absurd_settings_are_refused(cfg):
    with pytest.raises(ValueError):
        cfg.validate()
