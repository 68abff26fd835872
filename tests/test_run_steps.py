"""The run's steps, each on its own: what discovery, reading, summarising, analysis and
checking hand to the next."""

from losslint.files import Excluder
from losslint.runner import Run
from losslint.selection import resolve

TRAIN = b"import torch\nimport torch.nn.functional as F\nz = torch.randn(4, 3)\nloss = F.cross_entropy(F.softmax(z, 1), torch.randint(0, 3, (4,)))\n"


def test_discover_read_summarise_analyse_check(tmp_path):
    (tmp_path / "train.py").write_bytes(TRAIN)
    (tmp_path / "util.py").write_bytes(b"x = 1\n")
    (tmp_path / "broken.py").write_bytes(b"def (:\n")
    run = Run(resolve(), None, None, {})
    files = run.discover([str(tmp_path)], Excluder((), str(tmp_path)), False)
    assert [f.rsplit("/", 1)[1] for f in files] == ["broken.py", "train.py", "util.py"]
    contents = run.read(files)
    assert len(contents) == 3 and run.report.files == 3
    named, opted = run.summarise(contents, jobs=1)
    assert [n.rsplit("/", 1)[1] for n in named] == ["train.py"] and opted == []
    assert [p.rsplit("/", 1)[1] for p, _ in run.failures] == ["broken.py"]
    facts = run.analyse(files, named, opted)
    assert (run.report.loss_calls, run.report.unresolved) == (1, 0)
    run.check(facts)
    assert sorted(d.code for d in run.report.diagnostics) == ["LL000", "LL101"]


def test_an_unreadable_file_is_a_failure_of_the_read_step(tmp_path):
    run = Run(resolve(), None, None, {})
    assert run.read([str(tmp_path / "missing.py")]) == []
    assert run.failures and "missing.py" in run.failures[0][0]
