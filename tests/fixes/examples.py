"""examples/ copied and fixed with --fix --unsafe-fixes, for the tests that check the
result lints clean and still runs."""

import shutil
from pathlib import Path

from click.testing import CliRunner

from losslint.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples"


def fixed_examples(tmp_path: Path) -> Path:
    folder = tmp_path / "examples"
    folder.mkdir()
    for script in EXAMPLES.glob("*.py"):
        if not script.stem.endswith("_fixed"):
            shutil.copy(script, folder / script.name)
    CliRunner().invoke(main, [str(folder), "--select", "ALL", "--fix", "--unsafe-fixes", "--no-cache"])
    return folder
