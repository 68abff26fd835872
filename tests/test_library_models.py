"""Library models (issue 17): torchvision, timm and transformers builders, heads the
code replaces, the records they return. The libraries are never imported: what they do
is the knowledge in losslint/knowledge/{torchvision,timm,transformers}.toml."""

import textwrap

import pytest

from losslint.runner import lint
from losslint.selection import resolve
from tests.conftest import check_invalid, check_valid

TORCHVISION_INVALID = {
    "builder_one_class": """
        import torch.nn as nn
        from torchvision import models

        model = models.resnet18(num_classes=1)
        criterion = nn.CrossEntropyLoss()
        for x, y in loader:
            loss = criterion(model(x), y)  # expect: LL201
    """,
    "replaced_fc_ends_in_softmax": """
        import torch.nn as nn
        import torchvision

        model = torchvision.models.resnet50(weights="DEFAULT")
        model.fc = nn.Sequential(nn.Linear(2048, 256), nn.ReLU(), nn.Linear(256, 2), nn.Softmax(dim=1))
        for x, y in loader:
            loss = nn.CrossEntropyLoss()(model(x), y)  # expect: LL101
    """,
    "vgg_last_classifier_layer": """
        import torch.nn as nn
        import torch.nn.functional as F
        from torchvision.models import vgg16

        model = vgg16(weights="DEFAULT")
        model.classifier[6] = nn.Linear(4096, 1)
        for x, y in loader:
            loss = F.cross_entropy(model(x), y)  # expect: LL201
    """,
    "vgg_classifier_by_negative_index": """
        import torch.nn as nn
        import torch.nn.functional as F
        from torchvision.models import vgg16

        model = vgg16(weights="DEFAULT")
        model.classifier[-1] = nn.Linear(4096, 1)
        loss = F.cross_entropy(model(x), y)  # expect: LL201
    """,
    "vit_heads_head": """
        import torch.nn as nn
        import torch.nn.functional as F
        from torchvision.models import vit_b_16

        model = vit_b_16()
        model.heads.head = nn.Linear(768, 1)
        loss = F.cross_entropy(model(x), y)  # expect: LL201
    """,
    "classifier_into_nll": """
        import torch.nn.functional as F
        from torchvision import models

        model = models.densenet121(num_classes=10)
        loss = F.nll_loss(model(x), y)  # expect: LL105
    """,
    "get_model_by_name": """
        import torch.nn.functional as F
        import torchvision

        model = torchvision.models.get_model("resnet18", num_classes=1)
        loss = F.cross_entropy(model(x), y)  # expect: LL201
    """,
    "hub_load": """
        import torch
        import torch.nn.functional as F

        model = torch.hub.load("pytorch/vision:v0.10.0", "mobilenet_v2", num_classes=1)
        loss = F.cross_entropy(model(x), y)  # expect: LL201
    """,
    "segmentation_dict": """
        import torch.nn as nn
        from torchvision.models.segmentation import deeplabv3_resnet50

        model = deeplabv3_resnet50(num_classes=1)
        loss = nn.CrossEntropyLoss()(model(images)["out"], masks)  # expect: LL201
    """,
    "segmentation_head_replaced": """
        import torch.nn as nn
        from torchvision.models.segmentation import deeplabv3_resnet50

        model = deeplabv3_resnet50(weights="DEFAULT")
        model.classifier[4] = nn.Conv2d(256, 1, kernel_size=1)
        loss = nn.CrossEntropyLoss()(model(images)["out"], masks)  # expect: LL201
    """,
    "lightning_wrapper": """
        import pytorch_lightning as pl
        import torch.nn as nn
        import torch.nn.functional as F
        import torchvision

        class Classifier(pl.LightningModule):
            def __init__(self):
                super().__init__()
                self.model = torchvision.models.resnet18(weights="DEFAULT")
                self.model.fc = nn.Linear(self.model.fc.in_features, 1)

            def forward(self, x):
                return self.model(x)

            def training_step(self, batch, batch_idx):
                x, y = batch
                return F.cross_entropy(self(x), y)  # expect: LL201
    """,
    "inception_unpacked_in_training": """
        import torch.nn as nn
        from torchvision import models

        model = models.inception_v3(weights="DEFAULT")
        model.AuxLogits.fc = nn.Linear(768, 5)
        model.fc = nn.Linear(2048, 1)
        outputs, aux_outputs = model(x)
        loss = nn.CrossEntropyLoss()(outputs, y)  # expect: LL201
        aux = nn.CrossEntropyLoss()(aux_outputs, y)
    """,
    "detection_losses_accumulated": """
        import torchvision

        model = torchvision.models.detection.fasterrcnn_resnet50_fpn(weights="DEFAULT")
        model.train()
        epoch_loss = 0
        for images, targets in loader:
            loss_dict = model(images, targets)
            losses = sum(loss_dict.values())
            optimizer.zero_grad()
            losses.backward()
            optimizer.step()
            epoch_loss += losses  # expect: LL403
    """,
}

TORCHVISION_VALID = {
    "transfer_learning": """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        from torchvision import models

        model = models.resnet18(weights="DEFAULT")
        model.conv1 = nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3, bias=False)
        model.fc = nn.Linear(model.fc.in_features, 2)
        criterion = nn.CrossEntropyLoss()
        for x, y in loader:
            out = model(x)
            loss = criterion(out, y)
            loss.backward()
            probs = F.softmax(out, dim=1)
            preds = torch.argmax(probs, dim=1)
    """,
    "binary_head_with_bce": """
        import torch.nn as nn
        from torchvision import models

        model = models.efficientnet_b0(weights="DEFAULT")
        model.classifier[1] = nn.Linear(1280, 1)
        loss = nn.BCEWithLogitsLoss()(model(x).squeeze(1), y.float())
    """,
    "head_of_the_projects_own_class": """
        import torch.nn as nn
        from torchvision import models

        class Head(nn.Module):
            def __init__(self, n):
                super().__init__()
                self.fc = nn.Linear(512, n)

            def forward(self, x):
                return self.fc(x)

        model = models.resnet18(num_classes=1)
        model.fc = Head(4)
        loss = nn.CrossEntropyLoss()(model(x), y)
    """,
    "head_it_cannot_see": """
        import torch.nn as nn
        from torchvision import models
        from heads import make_head

        model = models.resnet18(num_classes=1)
        model.fc = make_head()
        loss = nn.CrossEntropyLoss()(model(x), y)
    """,
    "inside_the_head_changed": """
        import torch.nn as nn
        from torchvision import models

        model = models.vgg11(num_classes=1)
        model.classifier[3] = nn.Linear(4096, 4096)
        loss = nn.CrossEntropyLoss()(model(x), y)
    """,
    "head_replaced_in_a_helper": """
        import torch.nn as nn
        from torchvision import models

        def set_head(model, n):
            model.fc = nn.Linear(512, n)

        model = models.resnet18(num_classes=1)
        set_head(model, 10)
        loss = nn.CrossEntropyLoss()(model(x), y)
    """,
    "head_replaced_outside_init": """
        import pytorch_lightning as pl
        import torch.nn as nn
        import torch.nn.functional as F
        import torchvision

        class Classifier(pl.LightningModule):
            def __init__(self):
                super().__init__()
                self.model = torchvision.models.resnet18(num_classes=1)

            def setup(self, stage):
                self.model.fc = nn.Linear(512, 10)

            def training_step(self, batch, batch_idx):
                x, y = batch
                return F.cross_entropy(self.model(x), y)
    """,
    "inception_used_whole_in_eval": """
        import torch.nn as nn
        from torchvision import models

        model = models.inception_v3(weights="DEFAULT")
        model.fc = nn.Linear(2048, 1)
        outputs = model(x)  # a tensor in eval, a namedtuple in training: not known
        loss = nn.CrossEntropyLoss()(outputs, y)
    """,
    "hub_of_another_repository": """
        import torch
        import torch.nn.functional as F

        model = torch.hub.load("someone/models", "resnet18", num_classes=1)
        loss = F.cross_entropy(model(x), y)
    """,
}

TIMM_INVALID = {
    "one_class": """
        import timm
        import torch.nn as nn

        model = timm.create_model("resnet50", pretrained=True, num_classes=1)
        loss = nn.CrossEntropyLoss()(model(x), y)  # expect: LL201
    """,
    "reset_to_one_class": """
        import timm
        import torch.nn as nn

        model = timm.create_model("convnext_tiny", pretrained=True)
        model.reset_classifier(1)
        loss = nn.CrossEntropyLoss()(model(x), y)  # expect: LL201
    """,
    "logits_into_nll": """
        import timm
        import torch.nn.functional as F

        model = timm.create_model("vit_base_patch16_224", num_classes=10)
        loss = F.nll_loss(model(x), y)  # expect: LL105
    """,
    "softmax_into_label_smoothing": """
        import timm
        from timm.loss import LabelSmoothingCrossEntropy

        model = timm.create_model("resnet18", num_classes=10)
        criterion = LabelSmoothingCrossEntropy(smoothing=0.1)
        loss = criterion(model(x).softmax(dim=1), y)  # expect: LL101
    """,
}

TIMM_VALID = {
    "width_from_the_pretrained_config": """
        import timm
        import torch.nn as nn

        model = timm.create_model("resnet50", pretrained=True)
        loss = nn.CrossEntropyLoss()(model(x), y)
    """,
    "no_head_features": """
        import timm
        import torch.nn as nn

        backbone = timm.create_model("resnet50", pretrained=True, num_classes=0)
        head = nn.Linear(2048, 3)
        loss = nn.CrossEntropyLoss()(head(backbone(x)), y)
    """,
    "soft_targets": """
        import timm
        import torch
        from timm.loss import SoftTargetCrossEntropy, BinaryCrossEntropy

        model = timm.create_model("resnet18", num_classes=10)
        mixed = torch.rand(8).float()
        loss = SoftTargetCrossEntropy()(model(x), mixed)
        bce = BinaryCrossEntropy(smoothing=0.1)(model(x), torch.randint(0, 10, (8,)))
    """,
    "head_replaced": """
        import timm
        import torch.nn as nn

        model = timm.create_model("vit_base_patch16_224", pretrained=True, num_classes=1)
        model.head = nn.Linear(model.head.in_features, 5)
        loss = nn.CrossEntropyLoss()(model(x), y)
    """,
}

TRANSFORMERS_INVALID = {
    "one_label_regressor_into_cross_entropy": """
        import torch.nn as nn
        from transformers import AutoModelForSequenceClassification

        model = AutoModelForSequenceClassification.from_pretrained("bert-base-uncased", num_labels=1)
        for batch in loader:
            outputs = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])
            loss = nn.CrossEntropyLoss()(outputs.logits, batch["labels"])  # expect: LL201
    """,
    "softmax_of_logits_into_cross_entropy": """
        import torch.nn.functional as F
        from transformers import BertForSequenceClassification

        model = BertForSequenceClassification.from_pretrained("bert-base-uncased", num_labels=3)
        logits = model(input_ids)["logits"]
        loss = F.cross_entropy(F.softmax(logits, dim=-1), labels)  # expect: LL101
    """,
    "model_loss_accumulated": """
        from transformers import AutoModelForSequenceClassification

        model = AutoModelForSequenceClassification.from_pretrained("roberta-base", num_labels=2)
        total = 0
        for batch in loader:
            outputs = model(**batch)
            outputs.loss.backward()
            total += outputs.loss  # expect: LL403
    """,
}

TRANSFORMERS_VALID = {
    "model_loss": """
        from transformers import AutoModelForSequenceClassification

        model = AutoModelForSequenceClassification.from_pretrained("bert-base-uncased", num_labels=1)
        for batch in loader:
            outputs = model(**batch)
            outputs.loss.backward()
    """,
    "cross_entropy_on_logits_and_softmax_for_predictions": """
        import torch
        import torch.nn.functional as F
        from transformers import AutoModelForSequenceClassification

        model = AutoModelForSequenceClassification.from_pretrained("bert-base-uncased")
        for batch in loader:
            logits = model(input_ids=batch["input_ids"]).logits
            loss = F.cross_entropy(logits, batch["labels"])
            loss.backward()
            probs = torch.softmax(logits, dim=-1)
    """,
    "first_item_is_the_loss_with_labels": """
        from transformers import AutoModelForSequenceClassification

        model = AutoModelForSequenceClassification.from_pretrained("bert-base-uncased", num_labels=1)
        outputs = model(input_ids, labels=labels)
        loss = outputs[0]
        loss.backward()
    """,
    "num_labels_from_a_config": """
        import torch.nn.functional as F
        from transformers import AutoConfig, AutoModelForSequenceClassification

        config = AutoConfig.from_pretrained("bert-base-uncased", num_labels=4)
        model = AutoModelForSequenceClassification.from_pretrained("bert-base-uncased", config=config)
        loss = F.cross_entropy(model(input_ids).logits, labels)
    """,
    "causal_lm_shifted_logits": """
        import torch.nn.functional as F
        from transformers import AutoModelForCausalLM

        model = AutoModelForCausalLM.from_pretrained("gpt2")
        logits = model(input_ids).logits
        shift_logits = logits[..., :-1, :].contiguous()
        shift_labels = input_ids[..., 1:].contiguous()
        loss = F.cross_entropy(shift_logits.view(-1, shift_logits.size(-1)), shift_labels.view(-1))
    """,
    "token_classification_flattened": """
        import torch.nn as nn
        from transformers import AutoModelForTokenClassification

        model = AutoModelForTokenClassification.from_pretrained("bert-base-cased", num_labels=9)
        logits = model(input_ids).logits
        loss = nn.CrossEntropyLoss()(logits.view(-1, 9), labels.view(-1))
    """,
}


def cases(table):
    return pytest.mark.parametrize("code", list(table.values()), ids=list(table))


@cases({**TORCHVISION_INVALID, **TIMM_INVALID, **TRANSFORMERS_INVALID})
def test_invalid(code):
    check_invalid(code)


@cases({**TORCHVISION_VALID, **TIMM_VALID, **TRANSFORMERS_VALID})
def test_valid(code):
    check_valid(code)


def coverage(code):
    report = lint([], resolve(["ALL"]), {"train.py": textwrap.dedent(code).encode()})
    return report.loss_calls, report.resolved


@pytest.mark.parametrize(
    "code",
    [TORCHVISION_VALID["transfer_learning"], TIMM_VALID["width_from_the_pretrained_config"], TRANSFORMERS_VALID["num_labels_from_a_config"]],
    ids=["torchvision", "timm", "transformers"],
)
def test_a_library_model_is_resolved_even_when_its_width_is_not_known(code):
    calls, resolved = coverage(code)
    assert calls == resolved >= 1


def test_the_libraries_are_never_imported():
    import sys

    check_invalid(TORCHVISION_INVALID["builder_one_class"])
    assert not {"torchvision", "timm", "transformers"} & set(sys.modules)


# --- objects a called function assigns into (any model, not only a library's) -----------

PASSED_AND_CHANGED = """
    import torch.nn as nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 3)

        def forward(self, x):
            return self.fc(x)

    def set_head(net, n):
        net.fc = nn.Linear(4, n)

    net = Net()
    set_head(net, {width})
    loss = nn.CrossEntropyLoss()(net(x), y){mark}
"""


def test_a_function_that_assigns_into_its_argument_changes_the_callers_object():
    check_invalid(PASSED_AND_CHANGED.format(width=1, mark="  # expect: LL201"))
    check_valid(PASSED_AND_CHANGED.format(width=5, mark=""))


def test_a_parameter_bound_to_another_object_leaves_the_callers_alone():
    check_invalid(
        """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self, n):
                super().__init__()
                self.fc = nn.Linear(4, n)

            def forward(self, x):
                return self.fc(x)

        def rebuild(net):
            net = Net(5)
            return net

        net = Net(1)
        other = rebuild(net)
        loss = nn.CrossEntropyLoss()(net(x), y)  # expect: LL201
        """
    )


@pytest.mark.parametrize(
    "loss",
    ["criterion(model(x), y)", "model(x, labels=y).loss"],
    ids=["torch loss", "model's own loss"],
)
def test_a_loss_computed_under_no_grad_holds_no_graph(loss):
    source = f"""
        import torch
        import torch.nn as nn
        from transformers import GPT2LMHeadModel

        model = GPT2LMHeadModel.from_pretrained("gpt2")
        criterion = nn.CrossEntropyLoss()
        total = 0.0
        for x, y in loader:
            with torch.no_grad():
                nll = {loss}
            total += nll * 4
    """
    check_valid(source)
    check_invalid(source.replace("with torch.no_grad():", "if True:").replace("total += nll * 4", "total += nll * 4  # expect: LL403"))


@pytest.mark.parametrize(
    "assignment, finding",
    [
        ('setattr(model, "fc", nn.Linear(512, 1))', "  # expect: LL201"),
        ('model.add_module("fc", nn.Linear(512, 1))', "  # expect: LL201"),
        ('setattr(model, "fc", nn.Linear(512, 4))', ""),
        ("setattr(model, head_name, nn.Linear(512, 4))", ""),
        ("model.add_module(head_name, nn.Linear(512, 4))", ""),
    ],
)
def test_heads_set_by_setattr_and_add_module(assignment, finding):
    source = f"""
        import torch.nn as nn
        from torchvision import models

        model = models.resnet18(num_classes=1)
        {assignment}
        loss = nn.CrossEntropyLoss()(model(x), y){finding}
    """
    (check_invalid if finding else check_valid)(source)


def test_without_num_labels_the_checkpoint_decides_the_width():
    """A cross-encoder checkpoint has one label: a BCE on its squeezed logits is right."""
    check_valid(
        """
        import torch.nn as nn
        from transformers import AutoModelForSequenceClassification

        model = AutoModelForSequenceClassification.from_pretrained("cross-encoder/ms-marco-MiniLM-L-6-v2")
        logits = model(**features).logits.squeeze(-1)
        loss = nn.BCEWithLogitsLoss()(logits, labels.float())
        """
    )


def test_inception_logits_come_from_the_replaced_head():
    check_invalid(
        """
        import torch.nn as nn
        from torchvision import models

        model = models.inception_v3(weights="DEFAULT")
        model.AuxLogits.fc = nn.Linear(768, 1)
        model.fc = nn.Linear(2048, 1)
        out = model(x)
        loss = nn.BCEWithLogitsLoss()(out.logits.squeeze(1), y.float())
        aux = nn.BCEWithLogitsLoss()(out.aux_logits.squeeze(1), y.float())
        wrong = nn.CrossEntropyLoss()(out.logits, y)  # expect: LL201
        """
    )
