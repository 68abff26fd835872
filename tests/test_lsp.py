"""``losslint server``, end to end: a small JSON-RPC client drives the real server
process over standard input and output, as an editor does."""

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("pygls", reason="the LSP tests need the lsp extra (installed by the test extra)")

MODEL = """import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        return F.softmax(self.fc(x), dim=1)
"""
MODEL_FIXED = MODEL.replace("F.softmax(self.fc(x), dim=1)", "self.fc(x)")
TRAIN = """import torch
import torch.nn as nn

from model import Net

model = Net()
criterion = nn.CrossEntropyLoss()
x = torch.randn(8, 4)
y = torch.randint(0, 3, (8,))
loss = criterion(model(x), y)
loss.backward()
"""
# a safe fix (LL205: softmax without dim, of a known rank), after a non-ASCII string
IMPLICIT_DIM = """import torch
import torch.nn.functional as F

label = "é😀"
probs = F.softmax(torch.randn(8, 3))
"""
TIMEOUT = 60


class Client:
    """Content-Length framed JSON-RPC over the server's pipes; a thread reads messages
    into a queue, requests wait for their answer, notifications are kept in order."""

    def __init__(self, cwd: Path) -> None:
        env = {**os.environ, "XDG_CACHE_HOME": str(cwd / ".user-cache")}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "losslint", "server"],
            cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        )
        self.messages: "queue.Queue[dict]" = queue.Queue()
        self.notifications: list = []
        self.next_id = 0
        self.stderr: list = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=lambda: self.stderr.extend(iter(self.process.stderr.readline, b"")), daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        while True:
            headers = {}
            while True:
                line = stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode().partition(":")
                headers[name.strip().lower()] = value.strip()
            self.messages.put(json.loads(stream.read(int(headers["content-length"]))))

    def send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def notify(self, method: str, params: dict) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: dict) -> dict:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        answer = self._wait(lambda m: m.get("id") == self.next_id and "method" not in m)
        assert "error" not in answer, answer
        return answer["result"]

    def _wait(self, wanted) -> dict:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                message = self.messages.get(timeout=0.5)
            except queue.Empty:
                assert self.process.poll() is None, b"".join(self.stderr).decode()
                continue
            if "method" in message and "id" in message:  # a request from the server: answer it
                self.send({"id": message["id"], "result": None})
            if wanted(message):
                return message
            if "method" in message:
                self.notifications.append(message)
        raise AssertionError(f"nothing arrived in {TIMEOUT} s; log: {self.notifications}")

    def diagnostics(self, uri: str, version: int) -> list:
        """The next diagnostics published for ``uri`` at ``version``."""
        message = self._wait(
            lambda m: m.get("method") == "textDocument/publishDiagnostics"
            and m["params"]["uri"] == uri
            and m["params"].get("version") == version
        )
        return message["params"]["diagnostics"]

    def close(self) -> None:
        try:
            self.request("shutdown", {})
            self.notify("exit", {})
            self.process.wait(timeout=TIMEOUT)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
                stream.close()


@pytest.fixture
def project(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    (tmp_path / "model.py").write_text(MODEL)
    (tmp_path / "train.py").write_text(TRAIN)
    return tmp_path


@pytest.fixture
def client(project):
    started = Client(project)
    result = started.request(
        "initialize",
        {"processId": os.getpid(), "rootUri": project.as_uri(), "capabilities": {}, "workspaceFolders": None},
    )
    assert result["serverInfo"]["name"] == "losslint"
    assert result["capabilities"]["codeActionProvider"]
    started.notify("initialized", {})
    yield started
    started.close()


def open_document(client: Client, path: Path, text: str, version: int = 1) -> str:
    uri = path.as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": version, "text": text}})
    return uri


def change(client: Client, uri: str, text: str, version: int) -> None:
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]})


def test_a_buggy_model_gets_the_finding_of_the_loss_call_in_another_file_and_a_fix_clears_it(client, project):
    uri = open_document(client, project / "model.py", MODEL)
    [diagnostic] = client.diagnostics(uri, 1)
    assert diagnostic["code"] == "LL101" and diagnostic["source"] == "losslint" and diagnostic["severity"] == 2
    assert diagnostic["range"] == {"start": {"line": 10, "character": 15}, "end": {"line": 10, "character": 43}}
    assert "train.py:10:8" in diagnostic["message"]
    [related] = diagnostic["relatedInformation"]
    assert related["location"]["uri"] == (project / "train.py").as_uri()
    assert related["location"]["range"]["start"] == {"line": 9, "character": 7}

    # the fix, as a code action: unsafe (it changes what Net returns), so offered, not preferred
    actions = client.request(
        "textDocument/codeAction",
        {"textDocument": {"uri": uri}, "range": diagnostic["range"], "context": {"diagnostics": [diagnostic]}},
    )
    [action] = actions
    assert action["kind"] == "quickfix" and not action.get("isPreferred") and "unsafe" in action["title"]
    [edit] = action["edit"]["changes"][uri]
    lines = MODEL.splitlines(True)
    start, end = edit["range"]["start"], edit["range"]["end"]
    assert start["line"] == end["line"] == 10
    line = lines[10]
    assert line[: start["character"]] + edit["newText"] + line[end["character"] :] == "        return self.fc(x)\n"

    # the editor applies it (unsaved): the diagnostic goes away
    change(client, uri, MODEL_FIXED, 2)
    assert client.diagnostics(uri, 2) == []
    # and comes back when the mistake does
    change(client, uri, MODEL, 3)
    assert [d["code"] for d in client.diagnostics(uri, 3)] == ["LL101"]


def test_the_loss_file_reads_the_unsaved_buffer_of_the_model(client, project):
    model = open_document(client, project / "model.py", MODEL_FIXED)  # fixed in the editor, not on disk
    assert client.diagnostics(model, 1) == []
    train = open_document(client, project / "train.py", TRAIN)
    assert client.diagnostics(train, 1) == []
    change(client, model, MODEL, 2)
    assert [d["code"] for d in client.diagnostics(model, 2)] == ["LL101"]
    client.notify("textDocument/didSave", {"textDocument": {"uri": model}})
    (project / "model.py").write_text(MODEL)
    # a save re-analyses the other open files: the loss call now gets the softmax
    client.notify("textDocument/didSave", {"textDocument": {"uri": model}})
    [diagnostic] = client.diagnostics(train, 1)
    assert diagnostic["code"] == "LL101" and diagnostic["range"]["start"] == {"line": 9, "character": 7}
    assert diagnostic["relatedInformation"][0]["location"]["uri"] == model


def test_a_safe_fix_is_a_preferred_quick_fix_with_utf16_positions(client, project):
    uri = open_document(client, project / "probs.py", IMPLICIT_DIM)
    [diagnostic] = client.diagnostics(uri, 1)
    assert diagnostic["code"] == "LL205" and diagnostic["range"]["start"] == {"line": 4, "character": 8}
    actions = client.request(
        "textDocument/codeAction",
        {"textDocument": {"uri": uri}, "range": diagnostic["range"], "context": {"diagnostics": [diagnostic]}},
    )
    [action] = actions
    assert action["isPreferred"] is True and "unsafe" not in action["title"]
    [edit] = action["edit"]["changes"][uri]
    line = IMPLICIT_DIM.splitlines(True)[4]
    start, end = edit["range"]["start"]["character"], edit["range"]["end"]["character"]
    assert line[:start] + edit["newText"] + line[end:] == "probs = F.softmax(torch.randn(8, 3), dim=1)\n"
    # a line with characters outside the BMP: positions count UTF-16 code units
    change(client, uri, 'x = "😀"; probs = F.softmax(torch.randn(8, 3))\nimport torch\nimport torch.nn.functional as F\n', 2)
    client.diagnostics(uri, 2)  # whatever it finds there, the server keeps answering
    change(client, uri, "import torch\nimport torch.nn.functional as F\nx = '😀'; p = F.softmax(torch.randn(8, 3))\n", 3)
    [moved] = client.diagnostics(uri, 3)
    assert moved["range"]["start"] == {"line": 2, "character": 14}  # 13 characters, 😀 is two UTF-16 units


def test_configuration_and_bad_input(client, project):
    (project / "pyproject.toml").write_text('[project]\nname = "demo"\n[tool.losslint]\nextend-exclude = ["generated"]\nignore = ["LL205"]\n')
    (project / "generated").mkdir()
    excluded = open_document(client, project / "generated" / "model.py", MODEL.replace("dim=1", "dim=0") + TRAIN)
    assert client.diagnostics(excluded, 1) == []
    ignored = open_document(client, project / "probs.py", IMPLICIT_DIM)
    assert client.diagnostics(ignored, 1) == []
    broken = open_document(client, project / "broken.py", "def f(:\n")
    [syntax] = client.diagnostics(broken, 1)
    assert syntax["code"] == "LL000" and syntax["severity"] == 1
    binary = open_document(client, project / "nul.py", "x = 1\x00\n")
    assert [d["code"] for d in client.diagnostics(binary, 1)] == ["LL000"]
    # closing clears the file's diagnostics
    client.notify("textDocument/didClose", {"textDocument": {"uri": broken}})
    closed = client._wait(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == broken)
    assert closed["params"]["diagnostics"] == []
    assert client.process.poll() is None
