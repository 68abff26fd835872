"""Progress over the whole run and -v's timings (issue 22): on standard error only,
nothing on a pipe or with -q, the report on standard output unchanged."""

import io

from click.testing import CliRunner

from losslint.cli import main
from losslint.progress import PHASES, Bar, Timings
from losslint.runner import lint

SOURCE = """\
import torch.nn as nn
model = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))
loss = nn.CrossEntropyLoss()(model(x), y)
"""


class Recorder(Timings):
    def __init__(self):
        super().__init__()
        self.steps = []

    def phase(self, name, total=None):
        super().phase(name, total)
        self.steps.append((name, total))


def test_every_phase_is_reported_in_order(tmp_path):
    (tmp_path / "train.py").write_text(SOURCE)
    recorder = Recorder()
    lint([str(tmp_path)], frozenset({"LL101"}), progress=recorder)
    assert [name for name, _ in recorder.steps] == list(PHASES)
    assert dict(recorder.steps)["read"] == 1
    assert recorder.counts["parse"] == {"parsed": 1}


def test_timings_lines_with_a_fake_clock():
    ticks = iter(range(100))
    timings = Timings(clock=lambda: next(ticks))
    timings.phase("discover")
    timings.note("files", 3)
    timings.phase("read")
    timings.finish()
    assert timings.lines() == ["discover    1.000 s  (3 files)", "read        1.000 s", "total       2.000 s"]


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_bar_waits_for_the_delay_then_draws_on_a_terminal():
    now = [0.0]
    stream = Terminal()
    bar = Bar(stream, delay=1.0, clock=lambda: now[0])
    bar.phase("read", 10)
    bar.advance()
    assert stream.getvalue() == ""  # a short run shows nothing
    now[0] = 2.0
    bar.phase("analyse")
    bar.finish()
    assert "analyse" in stream.getvalue()


def test_verbose_prints_phases_and_cache_on_stderr_only(tmp_path):
    (tmp_path / "train.py").write_text(SOURCE)
    plain = CliRunner().invoke(main, [str(tmp_path), "--no-cache"])
    first = CliRunner().invoke(main, [str(tmp_path), "-v", "--cache-dir", str(tmp_path / "c")])
    second = CliRunner().invoke(main, [str(tmp_path), "-v", "--cache-dir", str(tmp_path / "c")])
    assert first.stdout == plain.stdout == second.stdout
    for phase in PHASES:
        assert f"losslint: {phase} " in first.stderr
    assert "losslint: cache: " in first.stderr
    assert "the whole run from the cache" in second.stderr
    assert "losslint: cache: 1 hits, 0 misses" in second.stderr


def test_no_progress_on_a_pipe(tmp_path):
    (tmp_path / "train.py").write_text(SOURCE)
    result = CliRunner().invoke(main, [str(tmp_path), "--no-cache"])
    assert result.stderr == ""
