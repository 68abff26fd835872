"""Before/after fixtures for every fixable rule: (before, after, unsafe fixes needed).

``after`` None: no fix may be offered (the finding stays, the file is not touched).
"""

HEAD = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n"

CASES = {
    "LL101 softmax in forward": (
        HEAD + "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.fc = nn.Linear(8, 3)\n\n"
        "    def forward(self, x):\n"
        "        return F.softmax(self.fc(x), dim=1)  # probabilities\n\n\n"
        "def train(x, y):\n"
        "    model = Net()\n"
        "    loss = nn.CrossEntropyLoss()(model(x), y)\n"
        "    accuracy = (model(x).argmax(dim=1) == y).float().mean()\n"
        "    return loss, accuracy\n",
        HEAD + "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.fc = nn.Linear(8, 3)\n\n"
        "    def forward(self, x):\n"
        "        return self.fc(x)  # probabilities\n\n\n"
        "def train(x, y):\n"
        "    model = Net()\n"
        "    loss = nn.CrossEntropyLoss()(model(x), y)\n"
        "    accuracy = (model(x).argmax(dim=1) == y).float().mean()\n"
        "    return loss, accuracy\n",
        True,
    ),
    "LL101 softmax last in a multi-line Sequential": (
        HEAD + "model = nn.Sequential(\n"
        "    nn.Linear(8, 16),\n"
        "    nn.ReLU(),\n"
        "    nn.Linear(16, 3),  # logits\n"
        "    nn.Softmax(dim=1),\n"
        ")\n"
        "loss = F.cross_entropy(model(torch.randn(4, 8)), torch.randint(0, 3, (4,)))\n",
        HEAD + "model = nn.Sequential(\n"
        "    nn.Linear(8, 16),\n"
        "    nn.ReLU(),\n"
        "    nn.Linear(16, 3),  # logits\n"
        ")\n"
        "loss = F.cross_entropy(model(torch.randn(4, 8)), torch.randint(0, 3, (4,)))\n",
        True,
    ),
    "LL101 softmax layer called in forward": (
        HEAD + "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.fc = nn.Linear(8, 3)\n"
        "        self.softmax = nn.Softmax(dim=1)\n\n"
        "    def forward(self, x):\n"
        "        x = self.fc(x)\n"
        "        x = self.softmax(x)\n"
        "        return x\n\n\n"
        "def step(x, y):\n"
        "    return nn.CrossEntropyLoss()(Net()(x), y)\n",
        HEAD + "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.fc = nn.Linear(8, 3)\n"
        "        self.softmax = nn.Softmax(dim=1)\n\n"
        "    def forward(self, x):\n"
        "        x = self.fc(x)\n"
        "        return x\n\n\n"
        "def step(x, y):\n"
        "    return nn.CrossEntropyLoss()(Net()(x), y)\n",
        True,
    ),
    "LL101 no fix: the probabilities are also thresholded": (
        HEAD + "model = nn.Sequential(nn.Linear(8, 3), nn.Softmax(dim=1))\n"
        "def step(x, y):\n"
        "    probs = model(x)\n"
        "    confident = probs.max(dim=1).values > 0.9\n"
        "    return F.cross_entropy(probs, y), confident\n",
        None,
        True,
    ),
    "LL101 no fix: argmax over another dim than the softmax's": (
        HEAD + "model = nn.Sequential(nn.Linear(8, 3), nn.Softmax(dim=1))\n"
        "def step(x, y):\n"
        "    probs = model(x)\n"
        "    best_sample = probs.argmax(dim=0)\n"
        "    return F.cross_entropy(probs, y), best_sample\n",
        None,
        True,
    ),
    "LL101 no fix: a predict method returns the probabilities to unseen callers": (
        HEAD + "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.fc = nn.Linear(8, 3)\n\n"
        "    def forward(self, x):\n"
        "        return torch.softmax(self.fc(x), dim=-1)\n\n"
        "    def predict_proba(self, x):\n"
        "        return self(x)\n\n\n"
        "def step(x, y):\n"
        "    return F.cross_entropy(Net()(x), y)\n",
        None,
        True,
    ),
    "LL102 sigmoid reassigned in forward": (
        HEAD + "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.fc = nn.Linear(8, 5)\n\n"
        "    def forward(self, x):\n"
        "        x = self.fc(x)\n"
        "        x = torch.sigmoid(x)\n"
        "        return x\n\n\n"
        "def step(x, y):\n"
        "    return F.cross_entropy(Net()(x), y)\n",
        HEAD + "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.fc = nn.Linear(8, 5)\n\n"
        "    def forward(self, x):\n"
        "        x = self.fc(x)\n"
        "        return x\n\n\n"
        "def step(x, y):\n"
        "    return F.cross_entropy(Net()(x), y)\n",
        True,
    ),
    "LL104 sigmoid method inline, precedence kept": (
        HEAD + "def step(model, x, y, bias):\n"
        "    logits = nn.Linear(8, 1)(x)\n"
        "    return F.binary_cross_entropy_with_logits((logits + bias).sigmoid().squeeze(1), y)\n",
        HEAD + "def step(model, x, y, bias):\n"
        "    logits = nn.Linear(8, 1)(x)\n"
        "    return F.binary_cross_entropy_with_logits((logits + bias).squeeze(1), y)\n",
        True,
    ),
    "LL111 BCELoss module and the sigmoid": (
        HEAD + "class D(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.net = nn.Sequential(nn.Linear(8, 1), nn.Sigmoid())\n\n"
        "    def forward(self, x):\n"
        "        return self.net(x)\n\n\n"
        "criterion = nn.BCELoss(reduction='sum')\n"
        "def step(x, y):\n"
        "    out = D()(x)\n"
        "    hits = (out.argmax(dim=1) == 0).sum()\n"
        "    return criterion(out, y), hits\n",
        HEAD + "class D(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.net = nn.Sequential(nn.Linear(8, 1))\n\n"
        "    def forward(self, x):\n"
        "        return self.net(x)\n\n\n"
        "criterion = nn.BCEWithLogitsLoss(reduction='sum')\n"
        "def step(x, y):\n"
        "    out = D()(x)\n"
        "    hits = (out.argmax(dim=1) == 0).sum()\n"
        "    return criterion(out, y), hits\n",
        True,
    ),
    "LL111 no fix: the same BCELoss also scores real probabilities": (
        HEAD + "criterion = nn.BCELoss()\n"
        "def step(x, y, p):\n"
        "    fake = criterion(torch.sigmoid(nn.Linear(8, 1)(x)), y)\n"
        "    real = criterion(p, y)\n"
        "    return fake + real\n",
        None,
        True,
    ),
    "LL111 no fix: the probabilities are clamped on their way to the loss": (
        HEAD + "class D(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.fc = nn.Linear(8, 1)\n"
        "    def forward(self, x):\n"
        "        x = torch.sigmoid(self.fc(x))\n"
        "        return x.clamp(1e-6, 1 - 1e-6)\n"
        "loss = nn.BCELoss()(D()(torch.randn(4, 8)), torch.rand(4, 1))\n",
        None,
        True,
    ),
    "LL111 no fix: forward keeps the probabilities on the module": (
        HEAD + "class A(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.fc = nn.Linear(8, 1)\n"
        "    def forward(self, x):\n"
        "        p = torch.sigmoid(self.fc(x))\n"
        "        self.last_probs = p\n"
        "        return p\n"
        "model = A()\n"
        "loss = nn.BCELoss()(model(torch.randn(4, 8)), torch.rand(4, 1))\n",
        None,
        True,
    ),
    "LL101 no fix: the code indexes the nn.Sequential the softmax would leave": (
        HEAD + "class C(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.net = nn.Sequential(nn.Linear(8, 4), nn.Softmax(dim=1))\n"
        "    def forward(self, x):\n"
        "        return self.net(x)\n"
        "c = C()\n"
        "loss = nn.CrossEntropyLoss()(c(torch.randn(4, 8)), torch.tensor([0, 1, 2, 3]))\n"
        "print(c.net[1].dim)\n",
        None,
        True,
    ),
    "LL101 no fix: softmin is softmax of the negated logits, not a softmax to drop": (
        HEAD + "def step(z, y):\n"
        "    return nn.CrossEntropyLoss()(F.softmin(nn.Linear(8, 4)(z), dim=1), y)\n",
        None,
        True,
    ),
    "LL111 no fix: hardsigmoid is no sigmoid BCEWithLogitsLoss could take over": (
        HEAD + "def step(z, y):\n"
        "    return F.binary_cross_entropy(F.hardsigmoid(nn.Linear(8, 1)(z)), y)\n",
        None,
        True,
    ),
    "LL111 no fix: the logits are changed in place after the sigmoid": (
        HEAD + "z = torch.randn(8, 1)\n"
        "p = torch.sigmoid(z)\n"
        "z *= 3\n"
        "loss = F.binary_cross_entropy(p, torch.rand(8, 1))\n",
        None,
        True,
    ),
    "LL403 a module-level total used as a tensor further down gets .detach() (safe)": (
        HEAD + "import torch.distributed as dist\n"
        "total = 0\n"
        "for x, y in loader:\n"
        "    loss = F.cross_entropy(nn.Linear(8, 4)(x), y)\n"
        "    loss.backward()\n"
        "    total += loss\n"
        "\n"
        "dist.all_reduce(total)\n",
        HEAD + "import torch.distributed as dist\n"
        "total = 0\n"
        "for x, y in loader:\n"
        "    loss = F.cross_entropy(nn.Linear(8, 4)(x), y)\n"
        "    loss.backward()\n"
        "    total += loss.detach()\n"
        "\n"
        "dist.all_reduce(total)\n",
        False,
    ),
    "LL103 functional BCE on logits": (
        HEAD + "def step(x, y):\n"
        "    return F.binary_cross_entropy(nn.Linear(8, 1)(x), y, reduction='mean')\n",
        HEAD + "def step(x, y):\n"
        "    return F.binary_cross_entropy_with_logits(nn.Linear(8, 1)(x), y, reduction='mean')\n",
        True,
    ),
    "LL103 BCELoss imported by name gets its replacement imported": (
        "import torch.nn as nn\nfrom torch.nn import BCELoss\n\n"
        "def step(x, y):\n"
        "    return BCELoss()(nn.Linear(8, 1)(x), y)\n",
        "import torch.nn as nn\nfrom torch.nn import BCEWithLogitsLoss, BCELoss\n\n"
        "def step(x, y):\n"
        "    return BCEWithLogitsLoss()(nn.Linear(8, 1)(x), y)\n",
        True,
    ),
    "LL105 NLLLoss on logits": (
        HEAD + "criterion = nn.NLLLoss(ignore_index=-1)\n"
        "def step(x, y):\n"
        "    return criterion(nn.Linear(8, 4)(x), y)\n",
        HEAD + "criterion = nn.CrossEntropyLoss(ignore_index=-1)\n"
        "def step(x, y):\n"
        "    return criterion(nn.Linear(8, 4)(x), y)\n",
        True,
    ),
    "LL106 softmax layer before NLLLoss": (
        HEAD + "model = nn.Sequential(nn.Linear(8, 4), nn.Softmax(dim=1))\n"
        "def step(x, y):\n"
        "    out = model(x)\n"
        "    return F.nll_loss(out, y), out.argmax(1)\n",
        HEAD + "model = nn.Sequential(nn.Linear(8, 4), nn.LogSoftmax(dim=1))\n"
        "def step(x, y):\n"
        "    out = model(x)\n"
        "    return F.nll_loss(out, y), out.argmax(1)\n",
        True,
    ),
    "LL106 F.softmax before nll_loss": (
        HEAD + "def step(x, y):\n"
        "    return F.nll_loss(F.softmax(nn.Linear(8, 4)(x), dim=1), y)\n",
        HEAD + "def step(x, y):\n"
        "    return F.nll_loss(F.log_softmax(nn.Linear(8, 4)(x), dim=1), y)\n",
        True,
    ),
    "LL108 inline log_softmax (safe)": (
        HEAD + "def step(x, y):\n"
        "    logits = nn.Linear(8, 4)(x)\n"
        "    return F.cross_entropy(F.log_softmax(logits, dim=1), y)\n",
        HEAD + "def step(x, y):\n"
        "    logits = nn.Linear(8, 4)(x)\n"
        "    return F.cross_entropy(logits, y)\n",
        False,
    ),
    "LL108 log_softmax in a model's forward (unsafe: the model's output changes)": (
        HEAD + "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.fc = nn.Linear(8, 3)\n\n"
        "    def forward(self, x):\n"
        "        return self.fc(x).log_softmax(dim=-1)\n\n\n"
        "def step(x, y):\n"
        "    return F.cross_entropy(Net()(x), y)\n",
        HEAD + "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.fc = nn.Linear(8, 3)\n\n"
        "    def forward(self, x):\n"
        "        return self.fc(x)\n\n\n"
        "def step(x, y):\n"
        "    return F.cross_entropy(Net()(x), y)\n",
        True,
    ),
    "LL205 2-D input gets dim=1 (safe)": (
        HEAD + "probs = F.softmax(torch.randn(4, 5))\n",
        HEAD + "probs = F.softmax(torch.randn(4, 5), dim=1)\n",
        False,
    ),
    "LL205 3-D output of a Linear gets dim=-1, its class axis, never dim=0 (unsafe)": (
        HEAD + "layer = nn.Softmax()\nprobs = layer(nn.Linear(8, 5)(torch.randn(2, 7, 8)))\n",
        HEAD + "layer = nn.Softmax(dim=-1)\nprobs = layer(nn.Linear(8, 5)(torch.randn(2, 7, 8)))\n",
        True,
    ),
    "LL205 3-D output of a Conv1d gets dim=1, its channel axis (unsafe)": (
        HEAD + "probs = F.softmax(nn.Conv1d(8, 5, 3)(torch.randn(2, 8, 16)))\n",
        HEAD + "probs = F.softmax(nn.Conv1d(8, 5, 3)(torch.randn(2, 8, 16)), dim=1)\n",
        True,
    ),
    "LL205 no fix: 3-D input whose class axis is not known (dim 0 would be the batch)": (
        HEAD + "layer = nn.Softmax()\nprobs = layer(nn.Embedding(10, 4)(torch.randint(0, 10, (2, 7))))\n",
        None,
        False,
    ),
    "LL205 1-D input gets dim=0, its only dim (safe)": (
        HEAD + "probs = F.softmax(torch.randn(5))\n",
        HEAD + "probs = F.softmax(torch.randn(5), dim=0)\n",
        False,
    ),
    "LL205 no fix: the rank is unknown": (
        HEAD + "def probabilities(x):\n    return F.softmax(x)\n",
        None,
        False,
    ),
    "LL206 class axis moved to dim 1 in the loss call (unsafe)": (
        HEAD + "class Tagger(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.rnn = nn.GRU(8, 16, batch_first=True)\n"
        "        self.fc = nn.Linear(16, 5)\n\n"
        "    def forward(self, x):\n"
        "        out, _ = self.rnn(x)\n"
        "        return self.fc(out)\n\n\n"
        "tags = torch.randint(0, 5, (4, 9))\n"
        "loss = F.cross_entropy(input=Tagger()(torch.randn(4, 9, 8)), target=tags)\n",
        HEAD + "class Tagger(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.rnn = nn.GRU(8, 16, batch_first=True)\n"
        "        self.fc = nn.Linear(16, 5)\n\n"
        "    def forward(self, x):\n"
        "        out, _ = self.rnn(x)\n"
        "        return self.fc(out)\n\n\n"
        "tags = torch.randint(0, 5, (4, 9))\n"
        "loss = F.cross_entropy(input=Tagger()(torch.randn(4, 9, 8)).permute(0, 2, 1), target=tags)\n",
        True,
    ),
    "LL303 the (N, 1) output squeezed in the loss call (safe)": (
        HEAD + "head = nn.Linear(8, 1)\n"
        "price = torch.randn(16)\n"
        "loss = nn.MSELoss()(head(torch.randn(16, 8)) * 2, price)\n",
        HEAD + "head = nn.Linear(8, 1)\n"
        "price = torch.randn(16)\n"
        "loss = nn.MSELoss()((head(torch.randn(16, 8)) * 2).squeeze(1), price)\n",
        False,
    ),
    "LL303 the (N, 1) target squeezed (safe)": (
        HEAD + "out = nn.Linear(8, 1)(torch.randn(16, 8)).squeeze(1)\n"
        "loss = F.l1_loss(out, torch.rand(16, 1))\n",
        HEAD + "out = nn.Linear(8, 1)(torch.randn(16, 8)).squeeze(1)\n"
        "loss = F.l1_loss(out, torch.rand(16, 1).squeeze(1))\n",
        False,
    ),
    "LL401 log of softmax (safe)": (
        HEAD + "def step(x):\n"
        "    return torch.log(F.softmax(nn.Linear(8, 4)(x), dim=1))\n",
        HEAD + "def step(x):\n"
        "    return F.log_softmax(nn.Linear(8, 4)(x), dim=1)\n",
        False,
    ),
    "LL403 running loss gets .item() (safe)": (
        HEAD + "def train(model, loader, optimizer):\n"
        "    running_loss = 0.0\n"
        "    for x, y in loader:\n"
        "        loss = F.cross_entropy(nn.Linear(8, 4)(x), y)\n"
        "        loss.backward()\n"
        "        running_loss += loss\n"
        "    print(running_loss / 10)\n",
        HEAD + "def train(model, loader, optimizer):\n"
        "    running_loss = 0.0\n"
        "    for x, y in loader:\n"
        "        loss = F.cross_entropy(nn.Linear(8, 4)(x), y)\n"
        "        loss.backward()\n"
        "        running_loss += loss.item()\n"
        "    print(running_loss / 10)\n",
        False,
    ),
    "LL403 a returned total stays a tensor: .detach() (unsafe)": (
        HEAD + "def train(model, loader, optimizer):\n"
        "    running_loss = 0.0\n"
        "    for x, y in loader:\n"
        "        loss = F.cross_entropy(nn.Linear(8, 4)(x), y)\n"
        "        loss.backward()\n"
        "        running_loss += loss\n"
        "    return running_loss / 10\n",
        HEAD + "def train(model, loader, optimizer):\n"
        "    running_loss = 0.0\n"
        "    for x, y in loader:\n"
        "        loss = F.cross_entropy(nn.Linear(8, 4)(x), y)\n"
        "        loss.backward()\n"
        "        running_loss += loss.detach()\n"
        "    return running_loss / 10\n",
        True,
    ),
    "LL403 a total used as a tensor gets .detach() (safe)": (
        HEAD + "def train(loader):\n"
        "    total = torch.zeros(())\n"
        "    for x, y in loader:\n"
        "        loss = F.cross_entropy(nn.Linear(8, 4)(x), y)\n"
        "        loss.backward()\n"
        "        total = total + loss\n"
        "    print(total.item())\n",
        HEAD + "def train(loader):\n"
        "    total = torch.zeros(())\n"
        "    for x, y in loader:\n"
        "        loss = F.cross_entropy(nn.Linear(8, 4)(x), y)\n"
        "        loss.backward()\n"
        "        total = total + loss.detach()\n"
        "    print(total.item())\n",
        False,
    ),
    "LL403 a total a value derived from is used as a tensor gets .detach() (safe)": (
        HEAD + "def train(loader):\n"
        "    total = 0\n"
        "    for x, y in loader:\n"
        "        loss = F.cross_entropy(nn.Linear(8, 4)(x), y)\n"
        "        loss.backward()\n"
        "        total += loss\n"
        "    avg = total / 10\n"
        "    print(avg.item(), torch.round(total * 100))\n",
        HEAD + "def train(loader):\n"
        "    total = 0\n"
        "    for x, y in loader:\n"
        "        loss = F.cross_entropy(nn.Linear(8, 4)(x), y)\n"
        "        loss.backward()\n"
        "        total += loss.detach()\n"
        "    avg = total / 10\n"
        "    print(avg.item(), torch.round(total * 100))\n",
        False,
    ),
    "LL403 a total read only by formatting and comparisons gets .item() (safe)": (
        HEAD + "def train(loader):\n"
        "    total = 0.0\n"
        "    for x, y in loader:\n"
        "        loss = F.cross_entropy(nn.Linear(8, 4)(x), y)\n"
        "        loss.backward()\n"
        "        total += loss\n"
        "    if total > 1:\n"
        "        print(f\"{total / 10:.3f}\", \"%.2f\" % total, str(total), round(total, 2))\n",
        HEAD + "def train(loader):\n"
        "    total = 0.0\n"
        "    for x, y in loader:\n"
        "        loss = F.cross_entropy(nn.Linear(8, 4)(x), y)\n"
        "        loss.backward()\n"
        "        total += loss.item()\n"
        "    if total > 1:\n"
        "        print(f\"{total / 10:.3f}\", \"%.2f\" % total, str(total), round(total, 2))\n",
        False,
    ),
    "LL501 from_logits=True on the loss object": (
        "import keras\nfrom keras import layers\n\n"
        "model = keras.Sequential([layers.Dense(64, activation=\"relu\"), layers.Dense(10)])\n"
        "model.compile(optimizer=\"adam\", loss=keras.losses.SparseCategoricalCrossentropy(), metrics=[\"accuracy\"])\n",
        "import keras\nfrom keras import layers\n\n"
        "model = keras.Sequential([layers.Dense(64, activation=\"relu\"), layers.Dense(10)])\n"
        "model.compile(optimizer=\"adam\", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=[\"accuracy\"])\n",
        True,
    ),
    "LL501 from_logits=False made True, other keywords kept": (
        "import tensorflow as tf\n\n"
        "model = tf.keras.Sequential([tf.keras.layers.Dense(5)])\n"
        "loss_fn = tf.keras.losses.CategoricalCrossentropy(from_logits=False, label_smoothing=0.1)\n"
        "model.compile(\"adam\", loss_fn)\n",
        "import tensorflow as tf\n\n"
        "model = tf.keras.Sequential([tf.keras.layers.Dense(5)])\n"
        "loss_fn = tf.keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)\n"
        "model.compile(\"adam\", loss_fn)\n",
        True,
    ),
    "LL501 a string loss has no object to change": (
        "import keras\nfrom keras import layers\n\n"
        "model = keras.Sequential([layers.Dense(10)])\n"
        "model.compile(optimizer=\"adam\", loss=\"sparse_categorical_crossentropy\")\n",
        None,
        True,
    ),
    "LL501 a loss object also called on probabilities is kept": (
        "import keras\nfrom keras import layers\n\n"
        "loss_fn = keras.losses.SparseCategoricalCrossentropy()\n"
        "logits = keras.Sequential([layers.Dense(10)])\n"
        "probs = keras.Sequential([layers.Dense(10, activation=\"softmax\")])\n"
        "logits.compile(optimizer=\"adam\", loss=loss_fn)\n"
        "probs.compile(optimizer=\"adam\", loss=loss_fn)\n",
        None,
        True,
    ),
}
