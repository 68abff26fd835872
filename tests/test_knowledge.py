"""Library knowledge as data: the built-in files agree with torch's real signatures, the
user's own files add model factories and losses (and win over built-in entries),
malformed files stop the run with the file, the entry and what is wrong, and a
knowledge file's content is part of the cache key."""

import inspect
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from losslint.analysis import tables as T
from losslint.cli import main
from losslint.knowledge import KnowledgeError, load

ACME = Path(__file__).resolve().parent / "fixtures" / "knowledge" / "acme"


@pytest.fixture(autouse=True)
def built_in_knowledge():
    """Each test starts, and leaves, with the built-in knowledge only."""
    T.configure()
    yield
    T.configure()


def _marks(path: Path) -> set:
    return {
        (i, line.split("# expect: ")[1].strip())
        for i, line in enumerate(path.read_text().splitlines(), start=1)
        if "# expect: " in line
    }


def test_a_users_model_factory_and_loss(tmp_path):
    project = tmp_path / "acme"
    shutil.copytree(ACME, project)
    result = CliRunner().invoke(main, [str(project), "--no-cache", "--output-format", "json"])
    found = {(d["location"]["row"], d["code"]) for d in json.loads(result.output)}
    assert found == _marks(project / "train.py")
    messages = " ".join(d["message"] for d in json.loads(result.output))
    assert "acme.losses.focal applies sigmoid itself" in messages


def test_without_the_users_file_the_factory_and_the_loss_are_unknown(tmp_path):
    project = tmp_path / "acme"
    shutil.copytree(ACME, project)
    (project / "pyproject.toml").write_text("[tool.losslint]\n")
    result = CliRunner().invoke(main, [str(project), "--no-cache", "--output-format", "json"])
    assert {d["code"] for d in json.loads(result.output)} == {"LL101"}  # the softmax alone says that one


def test_a_user_entry_wins_over_the_built_in_one(tmp_path):
    (tmp_path / "k.toml").write_text('[activation.function]\n"torch.sigmoid" = { kind = "relu" }\n')
    (tmp_path / "pyproject.toml").write_text('[tool.losslint]\nknowledge = ["k.toml"]\n')
    (tmp_path / "t.py").write_text(
        "import torch\nimport torch.nn as nn\nloss = nn.BCEWithLogitsLoss()(torch.sigmoid(torch.randn(4, 1)), torch.rand(4, 1))\n"
    )
    result = CliRunner().invoke(main, [str(tmp_path), "--no-cache", "--select", "LL104"])
    assert "LL104" not in result.output
    result = CliRunner().invoke(main, [str(tmp_path / "t.py"), "--no-cache", "--select", "LL104", "--config", str(tmp_path / "pyproject.toml")])
    assert result.exit_code == 0


@pytest.mark.parametrize(
    "content, says",
    [
        ('[model_factory."a.b"]\nwidth = ["n"]\n', "[model_factory] entry 'a.b': 'width' must be [position"),
        ("[losses.x]\n", "unknown table or key [losses]"),
        ('[loss.x]\ndisplay = "x"\nfunctions = ["a.f"]\nlike = "nope"\n', "[loss] entry 'x': 'like' must name a loss family"),
        ('[loss.x]\ndisplay = "x"\nfunctions = ["a.f"]\n', "[loss] entry 'x': needs 'like'"),
        ('[loss.nll_loss]\ndisplay = "x"\nlike = "nll_loss"\nfunctions = ["a.f"]\n', "a family losslint defines"),
        ('[activation.function]\n"a.f" = { kind = "softish" }\n', "'kind' must be one of"),
        ('[activation.function]\n"a.f" = { kind = "softmax", colour = 1 }\n', "unknown key colour"),
        ("[layer]\nnorm = [1]\n", "[layer.norm]: the list must be a list of strings"),
        ("not toml = = 1\n", "not valid TOML"),
        (
            '[loss.x]\ndisplay = "x"\nlike = "binary_cross_entropy"\nfunctions = ["a.f"]\nfloat_target = { position = 1 }\n',
            "[loss] entry 'x': missing keyword",
        ),
    ],
)
def test_a_malformed_knowledge_file_is_exit_2_naming_file_and_entry(tmp_path, content, says):
    (tmp_path / "k.toml").write_text(content)
    (tmp_path / "pyproject.toml").write_text('[tool.losslint]\nknowledge = ["k.toml"]\n')
    (tmp_path / "a.py").write_text("x = 1\n")
    result = CliRunner().invoke(main, [str(tmp_path), "--no-cache"])
    assert result.exit_code == 2
    assert str(tmp_path / "k.toml") in result.output and says in result.output


def test_a_knowledge_path_that_names_no_file_is_an_error(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.losslint]\nknowledge = ["missing/*.toml"]\n')
    (tmp_path / "a.py").write_text("x = 1\n")
    result = CliRunner().invoke(main, [str(tmp_path), "--no-cache"])
    assert result.exit_code == 2 and "no file matches 'missing/*.toml'" in result.output


def test_editing_a_knowledge_file_invalidates_the_cached_run(tmp_path):
    project = tmp_path / "acme"
    shutil.copytree(ACME, project)
    cache = ["--cache-dir", str(tmp_path / "cache")]
    first = CliRunner().invoke(main, [str(project), *cache, "--output-format", "json"])
    assert "LL104" in first.output
    knowledge = project / "acme_knowledge.toml"
    knowledge.write_text(knowledge.read_text().replace('like = "binary_cross_entropy_with_logits"', 'like = "binary_cross_entropy"'))
    second = CliRunner().invoke(main, [str(project), *cache, "--output-format", "json"])
    assert "LL104" not in second.output and "LL111" in second.output


def test_explain_callee_says_the_effect_and_where_it_comes_from():
    result = CliRunner().invoke(main, ["--explain-callee", "torch.nn.functional.softmax"])
    assert "[activation.function]" in result.output and "torch.toml" in result.output
    result = CliRunner().invoke(main, ["--explain-callee", "mmpretrain.get_model"])
    assert "No knowledge of mmpretrain.get_model" in result.output
    result = CliRunner().invoke(main, ["--explain-callee", "torchvision.models.resnet.resnet50"])
    assert "[model.torchvision_fc]" in result.output and "default_width = 1000" in result.output
    assert "torchvision.toml" in result.output
    result = CliRunner().invoke(main, [str(ACME), "--explain-callee", "acme.vision.build_classifier"])
    assert "[model_factory]" in result.output and "acme_knowledge.toml" in result.output


def test_the_prefilter_and_library_roots_come_from_the_data():
    knowledge = load()
    for entry in knowledge.mapping("loss").values():
        for name in entry.get("classes", []) + entry.get("functions", []):
            assert T.RELEVANT.search(name.rsplit(".", 1)[-1].encode())
    assert T.LIBRARY_ROOTS == knowledge.names("library.roots")


@pytest.mark.parametrize(
    "entry, complaint",
    [
        ('builders = ["a.b"]\noutput = "record"', "needs 'fields'"),
        ('builders = ["a.b"]\nhead = ["fc..x"]', "head path"),
        ('builders = ["a.b"]\noutput = "stream"', "'output' must be one of"),
        ('builders = ["a.b"]\nfields = ["out"]\noutput = "mapping"\nheads = { aux = ["x"] }', "'heads' must map fields"),
        ('builders = ["a.b"]\ndefault_width = -1', "non-negative integer"),
        ('width = "n"', "missing builders"),
    ],
)
def test_a_malformed_model_entry_names_what_is_wrong(tmp_path, entry, complaint):
    path = tmp_path / "k.toml"
    path.write_text(f"[model.mine]\n{entry}\n")
    with pytest.raises(KnowledgeError, match=complaint) as raised:
        load([str(path)])
    assert "[model] entry 'mine'" in str(raised.value)


def test_every_loss_keeps_its_family_and_display_name():
    assert T.LOSS_CLASSES["torch.nn.CrossEntropyLoss"] == "cross_entropy"
    assert T.LOSS_SIGNATURES["torch.nn.functional.ctc_loss"].input_names == ("log_probs",)
    with pytest.raises(KnowledgeError):
        T.configure(["/nonexistent/knowledge.toml"])


# --- the data against torch's real signatures ----------------------------------------


def _parameters(qualname: str):
    torch = pytest.importorskip("torch")
    obj = torch
    for part in qualname.split(".")[1:]:
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    target = obj.__init__ if inspect.isclass(obj) else obj
    try:
        names = list(inspect.signature(target).parameters)
    except (TypeError, ValueError):  # a builtin without a signature
        return None
    return names[1:] if inspect.isclass(obj) else names


def _checks():
    """torch's entries (Keras's and JAX's are checked against their libraries in
    tests/test_keras.py and tests/test_jax.py)."""
    knowledge = load()
    for table in ("activation.layer", "activation.function"):
        for name, spec in knowledge.mapping(table).items():
            if spec.dim is not None and name.startswith("torch."):
                yield name, spec.dim
    for name, spec in knowledge.mapping("layer.width").items():
        if name.startswith("torch."):
            yield name, spec.width


@pytest.mark.parametrize("name, position", list(_checks()), ids=lambda v: str(v))
def test_argument_positions_match_torch(name, position):
    parameters = _parameters(name)
    if parameters is None:
        pytest.skip(f"{name}: no Python signature in this torch")
    index, keyword = position
    assert parameters[index] == keyword, parameters


def _loss_functions():
    for family, entry in load().mapping("loss").items():
        for name in entry.get("functions", []):
            if name.startswith("torch."):
                yield name, tuple(entry["input"]), tuple(entry["target"])


@pytest.mark.parametrize("name, inputs, targets", list(_loss_functions()), ids=lambda v: str(v))
def test_loss_keywords_match_torch(name, inputs, targets):
    parameters = _parameters(name)
    if parameters is None:
        pytest.skip(f"{name}: no Python signature in this torch")
    assert parameters[0] in inputs and parameters[1] in targets, parameters


def test_loss_classes_forward_take_input_and_target():
    torch = pytest.importorskip("torch")
    for entry in load().mapping("loss").values():
        for name in [c for c in entry.get("classes", []) if c.startswith("torch.nn.")]:
            cls = getattr(torch.nn, name.rsplit(".", 1)[-1])
            parameters = list(inspect.signature(cls.forward).parameters)[1:]
            assert parameters[0] in entry["input"] and parameters[1] in entry["target"], (name, parameters)


def test_a_library_loss_and_a_tensor_method_added_as_data_only(tmp_path):
    """segmentation_models_pytorch's losses and two tensor methods come from the data files
    alone: no engine or library code names them."""
    source = tmp_path / "seg.py"
    source.write_text(
        "import torch\nimport torch.nn as nn\nimport segmentation_models_pytorch as smp\n"
        "from segmentation_models_pytorch.losses import SoftCrossEntropyLoss\n"
        "head = nn.Conv2d(16, 3, 1)\nx = torch.randn(2, 16, 8, 8)\n"
        "a = smp.losses.SoftBCEWithLogitsLoss()(torch.sigmoid(head(x)), torch.rand(2, 3, 8, 8))\n"
        "b = SoftCrossEntropyLoss()(head(x).detach_().pin_memory().softmax(1), torch.randint(0, 3, (2, 8, 8)))\n"
        "c = SoftCrossEntropyLoss()(head(x), torch.randint(0, 3, (2, 8, 8)))\n"
    )
    result = CliRunner().invoke(main, [str(source), "--no-cache", "--output-format", "json"])
    found = {(d["location"]["row"], d["code"]) for d in json.loads(result.output)}
    assert found == {(7, "LL104"), (8, "LL101")}
    code = Path(T.__file__).parent
    assert not any("segmentation_models_pytorch" in p.read_text() for p in code.rglob("*.py"))


def test_tensor_constructors_make_the_dtypes_the_data_says():
    """``creation.typed``: the constructor's dtype whatever the data (``torch.Tensor([1, 0])``
    is float32); ``creation.literal``: the data's (Python ints give int64)."""
    torch = pytest.importorskip("torch")
    knowledge = load()
    kinds = {torch.int64: "int", torch.int32: "int", torch.float32: "float", torch.float64: "float", torch.bool: "bool"}

    def made(qualname, data):
        obj = torch
        for part in qualname.split(".")[1:]:
            obj = getattr(obj, part)
        return kinds[obj(data).dtype]

    for name, dtype in knowledge.mapping("creation.typed").items():
        if name.startswith("torch."):
            assert made(name, [1, 0, 1]) == dtype, name
    for name in knowledge.names("creation.literal"):
        if name.startswith("torch."):
            assert (made(name, [1, 0, 1]), made(name, [0.5, 1.0])) == ("int", "float"), name
