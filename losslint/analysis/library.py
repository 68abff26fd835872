"""What library callees do, by effect: activations, losses, layers, tensor operations, creation, contexts (no_grad, autocast). The callees and their parameters come from the knowledge tables (``losslint.analysis.tables``); this module is the code for each kind of effect."""


from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Dict, List, Optional, Tuple

from losslint.analysis import ir, tensor_ops
from losslint.analysis import tables as T
from losslint.analysis.creation import (
    converted_dtype,
    created_tensor,
    dtype_of,
    literal_data_tensor,
    literal_tensor,
    size_of,
)
from losslint.analysis.datasets import ITERATION_BUILTINS, attribute_assigned, dataset, iterated
from losslint.analysis.engine.expressions import _RETURNS_SELF, _arith, _splice
from losslint.analysis.engine.state import Args, Context, Env, ModeSwitch, _LossAcc, accumulate_loss
from losslint.analysis.facts import (
    ActivationUse,
    Form,
    ImplicitDim,
    LogOf,
    LossCall,
)
from losslint.analysis.shapes import flattened, reshaped, shaped_as
from losslint.analysis.training import (
    UNKNOWN_ACTIVATION,
    TrainingEffects,
    float_target,
    from_logits,
    layer_activation,
    switched_families,
)
from losslint.analysis.values import (
    MISSING,
    AbsVal,
    Adapted,
    Atom,
    Axis,
    Bound,
    Cause,
    Class,
    Const,
    Graph,
    Instance,
    Kind,
    Layer,
    Loss,
    Mapping,
    Model,
    QualRef,
    Record,
    Sequence,
    Site,
    Tensor,
    Unknown,
    const_value,
    join,
    of,
    ordered,
    unknown,
)
from losslint.knowledge import TrainerSpec


class LibraryEffects(TrainingEffects):
    """What library callees do, by effect, as methods of the interpreter."""

    def start_library(self) -> None:
        """The facts the library's effects record, empty."""
        self.loss_calls: Dict[Site, _LossAcc] = {}
        self.activations: Dict[Site, ActivationUse] = {}
        self.implicit_dims: Dict[Site, ImplicitDim] = {}
        self.logs: Dict[Site, LogOf] = {}
        self.forms: Dict[Site, Tuple[str, Site]] = {}  # activation origin -> (Form, activation site)
        self.regression_calls: Dict[Site, _LossAcc] = {}  # elementwise losses (MSELoss...): LL303
        self.non_negative: Dict[Site, bool] = {}  # activation site -> its output is >= 0 in every context
        self.activation_inputs: Dict[Site, AbsVal] = {}  # activations without dim (sigmoid, relu...): their input
        self.start_training()

    def library_facts(self, key: Callable[[Any], Any]) -> Dict[str, Any]:
        """The loss calls (joined over contexts), softmax uses, dim-less softmaxes, logs."""
        calls = [
            LossCall(
                site,
                frozenset(acc.families),
                acc.input,
                acc.target,
                acc.complete and site.path not in self.exhausted,
                frozenset(acc.names),
                acc.autocast,
                frozenset(acc.created),
            )
            for site, acc in self.loss_calls.items()
        ]
        regression = [
            LossCall(site, frozenset(acc.families), acc.input, acc.target, acc.complete and site.path not in self.exhausted,
                     frozenset(acc.names), acc.autocast, frozenset(acc.created))
            for site, acc in self.regression_calls.items()
        ]
        return {
            "regression_calls": sorted(regression, key=key),
            "non_negative": frozenset(site for site, sure in self.non_negative.items() if sure),
            "activation_inputs": dict(self.activation_inputs),
            "loss_calls": sorted(calls, key=key),
            "activations": sorted(self.activations.values(), key=key),
            "implicit_dims": sorted(self.implicit_dims.values(), key=key),
            "logs": sorted(self.logs.values(), key=key),
            "forms": dict(self.forms),
            "argument_sites": dict(self.argument_sites),
        }

    # --- the engine's hooks: None means "not a library value, the engine decides" ------

    def library_call(self, atom: Atom, args: Args, site: Site, ctx: Context, complete: bool) -> Optional[AbsVal]:
        """Calling a library callee (by qualified name), a loss, a layer or an
        ``nn.Sequential``."""
        if isinstance(atom, QualRef):
            return self.call_external(T.canonical(atom.name), args, site, ctx, complete)
        if isinstance(atom, Loss):
            return self.record_loss(atom.callee, args, site, complete, ctx, atom.site, atom.from_logits, atom.float_target)
        if isinstance(atom, Graph):
            return atom.outputs
        if isinstance(atom, Layer):
            return self.apply_layer(atom, args.get(0, ("input",)) or unknown("layer input", Cause.FROM_OUTSIDE), site)
        if isinstance(atom, Sequence) and atom.container == "sequential":
            return self.apply_sequence(atom, args.get(0, ("input",)) or unknown("model input", Cause.FROM_OUTSIDE), site, ctx)
        if isinstance(atom, Model):
            return self.call_model(atom, args, site, ctx)
        if isinstance(atom, Adapted):
            return self.call_adapted(atom, args, site, ctx)
        return None

    def library_method(
        self, receiver: Atom, name: str, args: Args, site: Site, ctx: Optional[Context] = None
    ) -> Optional[Tuple[AbsVal, Optional[AbsVal]]]:
        """A method of a tensor (or of an unknown value, which may be one), and the
        module methods that hand the module back or add a layer. Returns the result and
        the receiver's new value when the method changes it."""
        if isinstance(receiver, (Tensor, Unknown)):
            if name in T.BACKWARD_METHODS:
                return _backpropagated(receiver, site)
            value = self.tensor_method(receiver, name, args, site)
            return value, (value if name in T.IN_PLACE_RESHAPES else None)  # x.squeeze_(-1) changes x
        if ctx is not None and self.is_trained_model(receiver):
            trained = self.training_method(receiver, name, args, site, ctx)
            if trained is not None:
                return trained, None
        if isinstance(receiver, Sequence) and receiver.container == "sequential" and name in T.ADD_METHODS and len(args.positional) == 1:
            return of(Const(None)), of(replace(receiver, items=receiver.items + args.positional))
        if isinstance(receiver, (Instance, Model)) and name == "add_module" and len(args.positional) == 2 and not args.keywords:
            return of(Const(None)), self._attribute_set(receiver, args.positional[0], args.positional[1])
        if isinstance(receiver, Model):
            return self.model_method(receiver, name, args)
        if isinstance(receiver, Record):
            return self.record_method(receiver, name, args)
        if isinstance(receiver, (Layer, Loss, Instance)) and name in _RETURNS_SELF:
            return of(receiver), None
        return None

    def library_attribute(self, atom: Atom, name: str) -> Optional[AbsVal]:
        """A tensor's attributes (``.data``, ``.dtype``, ``.device``, methods), a layer's or
        loss's methods, and what a model inherits from its library base class."""
        if isinstance(atom, (Instance, Graph)) and self.is_trained_model(atom) and _training(name):
            return of(Bound(atom, name))
        if isinstance(atom, Graph):
            return of(Bound(atom, name)) if name in _RETURNS_SELF else unknown(f"'{name}' of a model", Cause.NOT_MODELLED)
        if isinstance(atom, Instance):
            adapter = self.method_adapter(atom.cls, name)
            if adapter is not None:  # a flax module's model.apply (not torch's module.apply(fn))
                return of(Adapted(of(atom), adapter))
            if name in _RETURNS_SELF or name == "add_module":
                return of(Bound(atom, name))
            if name in T.DEVICE_ATTRIBUTES:  # nn.Module / LightningModule .device
                return of(QualRef(T.DEVICE))
            return None
        if isinstance(atom, Model):
            return self.model_attribute(atom, name)
        if isinstance(atom, Record):
            return self.record_attribute(atom, name)
        if isinstance(atom, Tensor) and name == "data":  # the same values, without autograd
            return unknown("a detached loss value", Cause.NOT_MODELLED) if atom.kind is Kind.LOSS else of(atom)
        if isinstance(atom, Tensor) and name in T.TRANSPOSE_ATTRIBUTES:  # x.T, x.mT
            return of(tensor_ops.transposed(atom, name, ()))
        if isinstance(atom, Tensor) and name == "dtype":
            return of(QualRef(T.DTYPE_NAMES.get(atom.dtype or "", T.UNKNOWN_DTYPE)))
        if isinstance(atom, (Tensor, Unknown)) and name in T.DEVICE_ATTRIBUTES:
            return of(QualRef(T.DEVICE))
        if isinstance(atom, (Tensor, Layer, Loss)):
            return of(Bound(atom, name))
        return None

    def entry_modes(self, method: str, owner: Class) -> frozenset:
        """How a framework runs a model's method no analysed code calls: Lightning's
        validation/test/predict steps without gradients."""
        return frozenset({"no_grad"}) if method in T.NO_GRAD_HOOKS and self.is_model_class(owner) else frozenset()

    def library_subscript(self, atom: Atom, index: AbsVal) -> Optional[AbsVal]:
        """Indexing a tensor picks some of its units: the kind stays, the shape is lost."""
        if isinstance(atom, Tensor):
            return of(replace(atom, width=None, rank=None, axis=None, selected=True))
        if isinstance(atom, Record):
            return self.record_subscript(atom, index)
        return None

    def library_items(self, atom: Atom) -> Optional[Tuple[AbsVal, ...]]:
        """What unpacking a library value gives (``logits, aux = inception(x)``); None: not known."""
        if isinstance(atom, Record) and atom.iterable:
            return atom.positional
        return None

    def library_set_path(self, atom: Atom, path: Tuple[Any, ...], value: AbsVal) -> Optional[AbsVal]:
        """``obj.<path> = value`` on a library object: a library model's head replaced, a
        dataset's target transform set."""
        if isinstance(atom, Model):
            return self.model_set_path(atom, path, value)
        if len(path) == 1 and isinstance(path[0], str):
            return attribute_assigned(atom, path[0])
        return None

    def binary_operation(self, op: str, left: AbsVal, right: AbsVal) -> AbsVal:
        """Sums of losses, and losses scaled by numbers, stay loss tensors; logits scaled by
        a positive number stay logits (``tensor_ops.arithmetic``); numbers fold."""
        tensors = tensor_ops.arithmetic(op, left, right)
        return tensors if tensors is not None else _arith(op, left, right)

    def is_loss(self, atom: Atom) -> bool:
        """A loss module instance, or a loss function."""
        return _is_loss(atom)

    def call_external(self, name: str, args: Args, site: Site, ctx: Context, complete: bool) -> AbsVal:  # noqa: C901
        if name in T.LOSS_FUNCTIONS:
            return self.record_loss(name, args, site, complete, ctx)
        if name in T.LOSS_CLASSES or name in T.VALUE_LOSS_CLASSES:
            return of(Loss(name, site, from_logits(name, args), float_target(name, args)))
        if name in T.VALUE_LOSS_FUNCTIONS:  # no input rules: a loss tensor, not a checked call
            if name in T.ELEMENTWISE_LOSSES:
                self._record_elementwise(name, args, site, complete)
            return loss_tensor(site, ctx)
        if name in T.ACTIVATION_FUNCTIONS:
            activation = T.ACTIVATION_FUNCTIONS[name]
            dim = self._dim(activation, args, name, site)
            value = args.get(0, ("input",)) or unknown("input", Cause.FROM_OUTSIDE)
            return self.activate(activation, name, value, site, dim, site, Form.FUNCTION)
        if name in T.ACTIVATION_LAYERS:
            activation = T.ACTIVATION_LAYERS[name]
            return of(Layer(name, site, dim=self._dim(activation, args, name, site)))
        if name in T.ACTIVATION_ARGUMENT_LAYERS:
            return of(Layer(name, site, activation=layer_activation(name, args)))
        if name in T.SEQUENCE_LAYERS:
            return of(Layer(name, site, batch_first=self._batch_first(T.SEQUENCE_LAYERS[name], args)))
        if name in T.WIDTH_LAYERS:
            position, keyword = T.WIDTH_LAYERS[name].width_param
            width = const_value(args.get(position, (keyword,)) or unknown("", Cause.OTHER), None)
            activation = layer_activation(name, args) if name in T.LAYER_ACTIVATIONS else None
            return of(Layer(name, site, width=width if isinstance(width, int) and not isinstance(width, bool) else None, activation=activation))
        if name in T.NORM_LAYERS or name in T.TRANSPARENT_LAYERS or name in T.FLATTEN_LAYERS or name in T.EMBEDDINGS:
            return of(Layer(name, site))
        if name in T.LAYER_LISTS:
            return self.layer_list(args, site)
        if name in T.SEQUENTIALS:
            return of(self._sequential(args, site))
        if name in T.GRAPHS:
            return self.graph(name, args, site)
        if T.unseen_model(name):
            return of(Graph(unknown(f"{name}(): a model whose layers the analysis does not see", Cause.FROM_OUTSIDE), site))
        if name in T.PLACEHOLDERS:
            return self.placeholder(name, args, site)
        if name in T.DATASET_ARRAYS:
            return self.arrays(name, site)
        if name in T.MODULE_CONTAINERS:  # built from a comprehension: items appended later stay known
            items = args.get(0, ("modules",))
            spliced = _splice(items) if items is not None else ((), False)
            return of(Sequence(tuple(spliced[0]), "list", spliced[1]) if spliced else Sequence((), "list", True))
        if name in T.ORDERED_DICT or name in T.MODULE_DICTS:
            return self._ordered_dict(args)
        if name in T.ADAPTERS and T.ADAPTERS[name].function is not None:  # jax.value_and_grad(f)
            return self.adapted(name, args)
        if name in T.WRAPPERS:
            return args.get(0, ("module", "model", "obj", "func")) or unknown("wrapped model", Cause.FROM_OUTSIDE)
        if name in T.LAUNCHERS:
            return of(QualRef(name + T.INSTANCE))
        if name.rsplit(".", 1)[0].endswith(T.INSTANCE) and name.rsplit(".", 1)[1] in T.PASS_THROUGH_METHODS:
            if args.open or args.keywords or not args.positional:
                return unknown(f"{name}() with arguments the analysis cannot follow", Cause.DYNAMIC_DISPATCH)
            return args.positional[0] if len(args.positional) == 1 else of(Sequence(args.positional, "tuple"))
        if name in T.APPLY_MODULES:
            module, inputs = args.get(0, ("module",)), args.get(1, ("inputs",))
            if module is None or inputs is None:
                return unknown("data_parallel() arguments", Cause.FROM_OUTSIDE)
            return join(self.call(atom, Args((inputs,)), site, ctx)[0] for atom in ordered(module))
        if name in T.JOINS or name in T.STACKS or name in T.WHERE or name in T.RESIZE_FUNCTIONS:
            return self._combined(name, args)
        if name in T.CLASS_INDEX_DATASETS or name in T.TENSOR_DATASETS or name in T.LOADERS or name in T.ITERATE:
            found = dataset(name, args, site)
            if found is not None:
                return found
        if name in ITERATION_BUILTINS:
            found = iterated(name, args)
            if found is not None:
                return found
        if name in T.EXP_LOG_FUNCTIONS:
            return self._exp_log(T.EXP_LOG_FUNCTIONS[name], args.get(0, ("input",)), site)
        if name in T.SHAPE_FUNCTIONS:
            value = args.get(0, ("input",)) or unknown("input", Cause.FROM_OUTSIDE)
            rest = Args(args.positional[1:], args.keywords)
            return join(self.tensor_method(a, T.SHAPE_FUNCTIONS[name], rest, site) for a in value)
        if name in T.CLAMP_FUNCTIONS:
            value = args.get(0, ("input",)) or unknown("input", Cause.FROM_OUTSIDE)
            rest = Args(args.positional[1:], args.keywords, args.open)
            return join(self.tensor_method(a, "clamp", rest, site) for a in value)
        if name in T.DTYPE_FUNCTIONS:
            return of(QualRef(T.DTYPE_FUNCTIONS[name]))
        if name in T.DEVICE_FUNCTIONS:
            return of(QualRef(T.DEVICE))
        if name in T.SIZED_CREATION:
            kind = Kind.UNBOUNDED if name in T.RANDOM_UNBOUNDED else None
            return of(created_tensor(kind, site, size_of(args), dtype_of(args, T.SIZED_CREATION[name])))
        if name in T.RANDOM_UNBOUNDED:
            return of(Tensor(Kind.UNBOUNDED, act=site))
        if name in T.RANDINT:
            size = args.get(None, ("size",)) or (args.positional[-1] if args.positional and not args.open else None)
            return of(created_tensor(None, site, size_of(Args((size,))) if size is not None else None, dtype_of(args, "int")))
        if name in T.FULL:
            fill = const_value(args.get(1, ("fill_value",)) or unknown("", Cause.OTHER), None)
            default = "int" if isinstance(fill, int) and not isinstance(fill, bool) else "float"
            return of(created_tensor(None, site, size_of(Args((args.get(0, ("size",)) or unknown("", Cause.OTHER),))), dtype_of(args, default)))
        if name in T.ARANGE:
            values = [const_value(v, None) for v in args.positional]
            default = "int" if values and all(isinstance(v, int) for v in values) else "float"
            return of(Tensor(None, rank=1, act=site, dtype=dtype_of(args, default)))
        if name in T.TYPED_TENSORS:
            return of(literal_data_tensor(args, site, T.TYPED_TENSORS[name]))
        if name in T.LITERAL_TENSORS:
            return literal_tensor(args, site)
        if name in T.LIKE_CREATION:
            source = args.get(0, ("input",)) or unknown("", Cause.OTHER)
            dtype = dtype_of(args, None)
            return join(
                of(Tensor(None, a.width, a.axis, a.rank, act=site, dtype=dtype or a.dtype))
                if isinstance(a, Tensor)
                else unknown("tensor like an unknown one", Cause.NOT_MODELLED)
                for a in source
            )
        if name in T.ONE_HOT or name in T.ONE_HOT_FLOAT:
            source = args.get(0, ("tensor", "input", "x")) or unknown("", Cause.OTHER)
            classes = const_value(args.get(1, ("num_classes",)) or unknown("", Cause.OTHER), None)
            width = classes if isinstance(classes, int) and classes > 0 else None
            ranks = {a.rank for a in source if isinstance(a, Tensor)}
            rank = ranks.pop() + 1 if len(ranks) == 1 and None not in ranks and len(source) == 1 else None
            if name in T.ONE_HOT_FLOAT and any(isinstance(a, Tensor) and a.width is not None for a in source):
                rank = None  # to_categorical drops a last axis of width 1
            return of(Tensor(None, width, Axis.LAST if width else None, rank, act=site, dtype="float" if name in T.ONE_HOT_FLOAT else "int"))
        if name == "builtins.getattr":
            obj, attr = args.get(0), const_value(args.get(1) or unknown("", Cause.OTHER), None)
            if obj is not None and isinstance(attr, str) and len(args.positional) == 2:
                return join(self.getattr(a, attr) for a in obj)
            return unknown("getattr with a computed name (dynamic dispatch)", Cause.DYNAMIC_DISPATCH)
        if name in T.TRAINERS:
            return self._train(T.TRAINERS[name], args, site, ctx)
        if name in T.PROCESS_TARGETS or name in T.SPAWNS:
            return self._run_target(name, args, site, ctx)
        if name == "builtins.setattr":
            return self._setattr(args)
        if name in ("builtins.list", "builtins.tuple"):
            value = args.get(0)
            if value is not None and all(isinstance(a, Sequence) for a in value):
                return join(of(replace(a, container=name.split(".")[1])) for a in value)
            return unknown(f"{name.split('.')[1]}()", Cause.LOOP_OR_CONTAINER)
        if name == "builtins.dict":
            if not args.positional and not args.open:
                return of(Mapping(args.keywords))
            return unknown("dict()", Cause.LOOP_OR_CONTAINER)
        model = self.build_model(name, args, site)
        if model is not None:
            return model
        if name.startswith("torch."):
            return unknown(f"{name}() is not modelled", Cause.NOT_MODELLED)
        if name.startswith("builtins."):
            return unknown(f"{name[9:]}() result", Cause.NOT_MODELLED)
        top = name.split(".", 1)[0]
        if top in self.local_names and top not in T.LIBRARY_ROOTS:
            return unknown(f"{name}() is defined in another file of the linted code that this import does not reach (sys.path?)", Cause.UNREACHED_FILE)
        return unknown(f"{name}() comes from a library the analysis does not know", Cause.UNKNOWN_LIBRARY)

    def library_subclass(self, cls: Class, args: Args) -> Optional[AbsVal]:
        """A class of the code that only names a library container as its base
        (``class Stack(nn.ModuleList): pass``) is built and called as that container."""
        bases = self.classes[cls].bases
        containers = [
            T.canonical(a.name) for base in bases for a in base
            if isinstance(a, QualRef) and T.canonical(a.name) in T.SEQUENTIALS | T.MODULE_CONTAINERS | T.MODULE_DICTS
        ]
        if len(containers) != 1 or len(bases) != 1:
            return None
        methods = ("__init__", *T.CALL_METHODS, "__call__", "__iter__", "__getitem__")
        if any(not self._inherits_only(cls, m) for m in methods):
            return None
        return self.call_external(containers[0], args, Site(cls.module, -1), Context(cls.module), True)

    def _inherits_only(self, cls: Class, method: str) -> bool:
        """``method`` is not defined by ``cls`` or a base class of the analysed code."""
        found = self.class_attribute(cls, method)
        return found is None or all(isinstance(a, Unknown) for a in found)

    def _train(self, spec: TrainerSpec, args: Args, site: Site, ctx: Context) -> AbsVal:
        """A library trainer: ``loss(model(x), y)`` at the call that builds it, on batches
        the analysis does not see."""
        model, loss = args.get(spec.model[0], (spec.model[1],)), args.get(spec.loss[0], (spec.loss[1],))
        if model is not None and loss is not None and not args.open:
            output = join(self.call(a, Args((unknown("a batch", Cause.FROM_OUTSIDE),)), site, ctx)[0] for a in ordered(model))
            if any(key in spec.unknown_with for key, _ in args.keywords):
                output = unknown("the model's output after model_transform", Cause.NOT_MODELLED)
            target = unknown("a batch's targets", Cause.FROM_OUTSIDE)
            complete = all(self.is_loss(a) for a in loss)
            for atom in ordered(loss):
                self.call(atom, Args((output, target)), site, ctx, complete)
        return unknown("a trainer", Cause.NOT_MODELLED)

    def _run_target(self, name: str, args: Args, site: Site, ctx: Context) -> AbsVal:
        """``Process(target=f, args=(...), kwargs={...})`` runs ``f(*args, **kwargs)``;
        ``spawn(f, args=(...))`` runs ``f(rank, *args)`` for each process rank."""
        spawn = name in T.SPAWNS
        target = args.get(0, ("fn",)) if spawn else args.get(None, ("target",))
        given = args.get(None if not spawn else 1, ("args",))
        keywords = args.get(None, ("kwargs",))
        if target is None or args.open:
            return unknown(f"{name}() of a function the analysis cannot see", Cause.DYNAMIC_DISPATCH)
        spliced = _splice(given) if given is not None else ([], False)
        mapping = [a for a in keywords or () if isinstance(a, Mapping)]
        if spliced is None or spliced[1] or (keywords is not None and len(mapping) != len(keywords)):
            return unknown(f"{name}() with arguments built at run time", Cause.DYNAMIC_DISPATCH)
        positional = ((unknown("process rank", Cause.FROM_OUTSIDE),) if spawn else ()) + tuple(spliced[0])
        passed = Args(positional, tuple((str(k), v) for k, v in mapping[0].items) if mapping else ())
        for atom in ordered(target):
            self.call(atom, passed, site, ctx)
        return unknown(f"what {name}() returns", Cause.NOT_MODELLED)

    def _setattr(self, args: Args) -> AbsVal:
        """``setattr(obj, "fc", head)`` is ``obj.fc = head`` for the caller's ``obj``; with a
        computed name, a library model's heads are no longer known."""
        if len(args.positional) == 3 and not args.open:
            obj, attribute, value = args.positional
            changed = join(self._attribute_set(a, attribute, value) for a in ordered(obj))
            if changed != obj:
                self.last_argument_changes = {0: changed}
        return of(Const(None))

    def _attribute_set(self, atom: Atom, attribute: AbsVal, value: AbsVal) -> AbsVal:
        """``atom`` after ``setattr(atom, attribute, value)`` / ``atom.add_module(...)``: a
        computed name leaves a library model's heads unknown."""
        name = const_value(attribute, None)
        return self.set_path(atom, (name,), value) if isinstance(name, str) else of(self.forget_heads(atom))

    def _record_elementwise(self, callee: str, args: Args, site: Site, complete: bool, created: Optional[Site] = None) -> None:
        """An elementwise loss's input and target (LL303), joined over contexts; like any
        loss without input rules it is not a checked call (``loss_calls``)."""
        value = args.get(0, ("input",)) or unknown("loss input not given", Cause.FROM_OUTSIDE)
        target = args.get(1, ("target",)) or unknown("loss target not given", Cause.FROM_OUTSIDE)
        display = T.display_name(callee).replace("()", "").replace("nn.", "", 1)
        accumulate_loss(self.regression_calls, site, {"elementwise"}, display, value, target, complete, False, created)

    def _batch_first(self, spec: Any, args: Args) -> Optional[bool]:
        """A sequence layer's ``batch_first``: True only for a literal True (an encoder:
        every alternative of its layer argument batch-first)."""
        if args.open:
            return None
        if spec.layer is not None:
            layer = args.get(spec.layer[0], (spec.layer[1],))
            if layer and all(isinstance(a, Layer) and a.batch_first is True for a in layer):
                return True
            return None
        given = args.get(spec.batch_first[0], (spec.batch_first[1],))
        return True if given is not None and const_value(given, None) is True else None

    def _dim(self, activation: T.Activation, args: Args, name: str, site: Site) -> Any:
        if activation.dim_param is None:
            return None
        position, keyword = activation.dim_param
        value = args.get(position, (keyword,))
        if value is None:
            if args.open:
                return None
            if activation.default_dim is not None:  # Keras: Softmax(axis=-1)
                return activation.default_dim
            if activation.implicit_dim:
                self.implicit_dims.setdefault(site, ImplicitDim(site, name))
            return MISSING
        return const_value(value, None)

    def activate(
        self, activation: T.Activation, name: str, value: AbsVal, site: Site, dim: Any, origin: Optional[Site], form: str
    ) -> AbsVal:
        """The activation's output; ``site`` is the activation (call or layer) the rules
        name, ``origin`` where it is applied, ``form`` how (see ``Form``); None for an
        activation a layer's argument names, which no fix rewrites."""
        if origin is not None and activation.rewritable:
            self.forms.setdefault(origin, (form, site))
        self.non_negative[site] = self.non_negative.get(site, True) and activation.non_negative
        if activation.dim_param is None:
            previous_input = self.activation_inputs.get(site)
            self.activation_inputs[site] = join((previous_input, value)) if previous_input is not None else value
        out = []
        for atom in value:
            if isinstance(atom, Tensor):
                out.append(
                    Tensor(activation.kind, atom.width, atom.axis, atom.rank, act=site, layer=atom.layer, origin=origin)
                )
            else:
                out.append(Tensor(activation.kind, act=site, origin=origin))
        if activation.dim_param is not None:
            previous = self.activations.get(site)
            joined = join((previous.input, value)) if previous else value
            self.activations[site] = ActivationUse(site, name, dim, joined)
        return of(*out)

    def apply_layer(self, layer: Layer, value: AbsVal, site: Site, in_sequence: bool = False) -> AbsVal:
        """``site`` is the call applying the layer (the Sequential's call for its items)."""
        name = layer.name
        if name in T.ACTIVATION_LAYERS:
            act = layer.site or site
            origin, form = (act, Form.SEQUENCE_ITEM) if in_sequence else (site, Form.LAYER_CALL)
            return self.activate(T.ACTIVATION_LAYERS[name], name, value, act, layer.dim, origin, form)
        if name in T.WIDTH_LAYERS:
            axis = T.WIDTH_LAYERS[name].axis
            ranks = {a.rank for a in value if isinstance(a, Tensor)}
            rank = ranks.pop() if len(ranks) == 1 and len(value) == 1 else None
            out = of(Tensor(Kind.LOGITS, layer.width, axis, rank, act=layer.site, layer=layer.site))
            return self._activated(layer, out) if name in T.LAYER_ACTIVATIONS else out
        if name in T.ACTIVATION_ARGUMENT_LAYERS:
            return self._activated(layer, value)
        if name in T.SEQUENCE_LAYERS:
            return _sequence_output(layer, T.SEQUENCE_LAYERS[name], value)
        if name in T.NORM_LAYERS:
            return join(
                of(Tensor(Kind.LOGITS, a.width, a.axis, a.rank, act=layer.site, layer=a.layer))
                if isinstance(a, Tensor)
                else of(Tensor(Kind.LOGITS, act=layer.site))
                for a in value
            )
        if name in T.TRANSPARENT_LAYERS:
            return value
        if name in T.EMBEDDINGS:
            ranks = {a.rank for a in value if isinstance(a, Tensor)}
            rank = ranks.pop() + 1 if len(ranks) == 1 and None not in ranks and len(value) == 1 else None
            return of(Tensor(None, rank=rank, dtype="float"))
        if name in T.FLATTEN_LAYERS:
            return join(of(flattened(a, 1, -1)) if isinstance(a, Tensor) else of(Tensor(None, rank=2)) for a in value)
        if name in T.RESIZE_LAYERS:
            return join(of(tensor_ops.resized(a)) if isinstance(a, Tensor) else unknown(f"{name} of a value the analysis does not know", Cause.NOT_MODELLED) for a in value)
        return unknown(f"{name} is not modelled", Cause.NOT_MODELLED)

    def _activated(self, layer: Layer, value: AbsVal) -> AbsVal:
        """The output of a layer applying the activation its argument names (linear: the
        value itself; not known: a tensor of unknown kind)."""
        kind = layer.activation
        if kind is None:
            return value
        if kind == UNKNOWN_ACTIVATION or layer.site is None:
            return join(
                of(Tensor(None, a.width, a.axis, a.rank, layer=a.layer, dtype="float")) if isinstance(a, Tensor) else of(Tensor(None))
                for a in value
            )
        along = kind in (Kind.SOFTMAX, Kind.LOG_SOFTMAX)
        activation = T.Activation(kind, (0, "axis") if along else None, default_dim=-1 if along else None)
        name = f'{layer.name.rsplit(".", 1)[-1]}(activation="{kind.name.lower()}")'
        return self.activate(activation, name, value, layer.site, -1 if along else None, None, Form.LAYER_CALL)

    def apply_sequence(self, sequence: Sequence, value: AbsVal, site: Site, ctx: Context) -> AbsVal:
        if sequence.open_start:
            value = unknown("layers built at run time", Cause.DYNAMIC_DISPATCH)
        for item in sequence.items:
            results = []
            for layer in ordered(item):
                if isinstance(layer, Tensor):  # an input placeholder leading a list of layers
                    results.append(of(layer))
                elif isinstance(layer, Layer):
                    results.append(self.apply_layer(layer, value, site, in_sequence=True))
                elif isinstance(layer, QualRef):  # a function item (flax's nn.relu): no fix can reach it at this call
                    called = self.call(layer, Args((value,)), site, ctx)[0]
                    results.append(join(of(replace(a, origin=None) if isinstance(a, Tensor) and a.origin == site else a) for a in called))
                else:
                    results.append(self.call(layer, Args((value,)), site, ctx)[0])
            value = join(results)
        return value

    def tensor_method(self, atom: Atom, name: str, args: Args, site: Site) -> AbsVal:  # noqa: C901
        if name in T.ACTIVATION_METHODS:
            activation = T.ACTIVATION_METHODS[name]
            dim = self._dim(activation, args, name, site)
            return self.activate(activation, f"Tensor.{name}", of(atom), site, dim, site, Form.METHOD)
        if not isinstance(atom, Tensor):
            dtype = T.DTYPE_METHODS.get(name) if not args.positional else None
            if name in T.CONVERSIONS:
                dtype = converted_dtype(name, args)
            if isinstance(dtype, str):  # y.float() of a batch: only the dtype is known
                return of(Tensor(None, dtype=dtype))
            return of(atom) if isinstance(atom, Unknown) else unknown(f".{name}() of a value the analysis does not know", Cause.NOT_MODELLED)
        if atom.kind is Kind.LOSS and name in ("detach", "item", "tolist", "numpy", "cpu"):
            return unknown("a detached loss value", Cause.NOT_MODELLED) if name != "cpu" else of(atom)
        if name in ("exp", "log"):
            return self._exp_log(name, of(atom), site)
        if name in T.DTYPE_METHODS and not args.positional:
            return of(replace(atom, dtype=T.DTYPE_METHODS[name]))
        if name in T.CONVERSIONS:
            dtype = converted_dtype(name, args)
            return of(atom if dtype is MISSING else replace(atom, dtype=dtype))
        if name in T.SHAPE_AS:
            return of(shaped_as(atom, args.get(0, ("other",))))
        if name in T.CLAMP:
            if atom.kind in (Kind.SIGMOID, Kind.SOFTMAX):
                self.observe_passing(of(atom), site, f"Tensor.{name}")
                floor = const_value(args.get(0, ("min",)) or of(Const(None)), None)
                floored = isinstance(floor, (int, float)) and not isinstance(floor, bool) and floor > 0
                return of(replace(atom, floored=True) if floored else atom)
            if atom.kind in CLAMPED_AT_ZERO and _clamped_at_zero(args):  # clamp(min=0): a ReLU
                self.non_negative[site] = self.non_negative.get(site, True)
                return of(replace(atom, kind=Kind.RELU, act=site, origin=None, selected=False))
            return unknown("clamped values", Cause.NOT_MODELLED)
        if name in T.SHAPE_METHODS:
            return of(reshaped(atom, name, args))
        if name in T.TRANSPOSES:
            if args.open or args.keywords:
                return of(replace(atom, width=None, axis=None, rank=None if name == "permute" else atom.rank))
            dims = list(args.positional)
            if name == "permute" and len(dims) == 1 and size_of(Args(tuple(dims))) is not None:
                dims = [of(Const(d)) for d in size_of(Args(tuple(dims))) or ()]  # permute((0, 2, 1))
            return of(tensor_ops.transposed(atom, name, [const_value(d, None) for d in dims]))
        if name in T.REDUCTIONS:
            return self._reduced(atom, name, args)
        if name in T.SELECTIONS:
            return of(tensor_ops.selected_along(atom, name, const_value(args.get(0, ("dim",)) or unknown("", Cause.OTHER), None)))
        return unknown(f"Tensor.{name}() is not modelled", Cause.NOT_MODELLED)

    def _reduced(self, atom: Tensor, name: str, args: Args) -> AbsVal:
        """``x.mean(dim, keepdim=...)`` / ``x.sum(...)`` (``tensor_ops.reduced``)."""
        if args.open:
            return unknown(f"Tensor.{name}() with arguments the analysis cannot follow", Cause.NOT_MODELLED)
        given = args.get(0, ("dim", "axis"))
        dims: Optional[List[Any]] = None
        if given is not None:
            size = size_of(Args((given,)))
            dims = list(size) if size is not None else [None]
        keepdim = const_value(args.get(1, ("keepdim",)) or of(Const(False)), None)
        result = tensor_ops.reduced(atom, name, dims, keepdim)
        if result is None:
            what = "over every dim" if dims is None else "over the class dim or a dim the analysis cannot tell from it"
            return unknown(f"Tensor.{name}() {what}", Cause.NOT_MODELLED)
        return of(result)

    def _combined(self, name: str, args: Args) -> AbsVal:
        """``torch.cat`` / ``torch.stack`` / ``torch.where`` / ``F.interpolate``."""
        if name in T.RESIZE_FUNCTIONS:
            value = args.get(0, ("input",)) or unknown("input", Cause.FROM_OUTSIDE)
            if all(isinstance(a, Tensor) for a in value):
                return join(of(tensor_ops.resized(a)) for a in value)  # type: ignore[arg-type]
            return unknown(f"{T.display_name(name)}() of a value the analysis does not know", Cause.NOT_MODELLED)
        if name in T.WHERE:
            branches = [args.get(1, ("input",)), args.get(2, ("other",))]
            found = tensor_ops.where([b for b in branches if b is not None]) if None not in branches and not args.open else None
        else:
            items = args.get(0, ("tensors",))
            spliced = _splice(items) if items is not None else None
            dim = const_value(args.get(1, ("dim", "axis")) or of(Const(0)), None)
            found = None
            if spliced is not None and not spliced[1] and spliced[0] and not args.open:
                found = tensor_ops.joined(spliced[0], dim, stack=name in T.STACKS)
        if found is None:
            return unknown(f"{name}() of values of different or unknown kinds", Cause.NOT_MODELLED)
        return of(found)


    def record_loss(
        self, callee: str, args: Args, site: Site, complete: bool, ctx: Context, created: Optional[Site] = None,
        logits: Optional[bool] = False, floats: Optional[bool] = False,
    ) -> AbsVal:
        """A call of the loss ``callee`` (a loss function, or a loss class's instance,
        built with ``logits`` for its from_logits switch and ``floats`` for its
        ``float_target`` argument)."""
        if callee in T.VALUE_LOSS_CLASSES:  # no input rules: a loss tensor, not a checked call
            if callee in T.ELEMENTWISE_LOSSES:
                self._record_elementwise(callee, args, site, complete, created)
            return loss_tensor(site, ctx)
        family = T.LOSS_FUNCTIONS.get(callee) or T.LOSS_CLASSES[callee]
        spec = T.LOSS_SIGNATURES[callee]
        value = args.get(spec.input_position, spec.input_names) or unknown("loss input not given", Cause.FROM_OUTSIDE)
        target = args.get(spec.target_position, spec.target_names) or unknown("loss target not given", Cause.FROM_OUTSIDE)
        if callee in T.UNCHECKED_TARGETS:
            target = unknown(f"{spec.name} converts its target itself", Cause.NOT_MODELLED)
        if callee in T.LOSS_FUNCTIONS:
            floats = float_target(callee, args)
        if floats is not False:  # the loss makes the target a float (True), or may (None): shapes stay
            target = join(of(replace(a, dtype="float" if floats else None)) if isinstance(a, Tensor) else of(a) for a in target)
        name = spec.name
        families = {family}
        if spec.framework == "keras" and callee in T.LOSS_FUNCTIONS:
            name = callee.rsplit(".", 1)[-1]  # a function goes by its own name (tf.nn's too)
        if callee in T.FROM_LOGITS:
            if callee in T.LOSS_FUNCTIONS:
                logits = from_logits(callee, args)
            families, suffix = switched_families(family, callee, logits)
            name += suffix
        accumulate_loss(self.loss_calls, site, families, name, value, target, complete, "autocast" in ctx.modes, created)
        if spec.framework == "jax":  # a JAX array holds no autograd graph: summing it keeps nothing alive (LL403)
            return unknown(f"the value of {spec.name} (a JAX array)", Cause.NOT_MODELLED)
        return loss_tensor(site, ctx)

    def _context_modes(self, expr: ir.Expr, env: Env, ctx: Context) -> "ModeSwitch":
        """What ``with expr:`` (or ``@expr``) turns on and off ("no_grad", "autocast").
        A mode is turned on only when the code shows it for sure (a literal
        ``enabled=False`` or a CPU device: not), and off only by a literal opt-out
        (``autocast(enabled=False)``, ``enable_grad()``, ``set_grad_enabled(True)``):
        the innermost region decides. A gradient switch the code computes counts as
        gradients off, which can only silence LL403."""
        none: ModeSwitch = (frozenset(), frozenset())
        call = expr if isinstance(expr, ir.Call) else None
        func = call.func if call is not None else expr
        if not isinstance(func, (ir.Name, ir.Attr)):
            return none
        names = {T.canonical(a.name) for a in self.eval(func, env, ctx) if isinstance(a, QualRef)}
        if len(names) != 1:
            return none
        (name,) = names
        if not (name in T.GRAD_ON or name in T.GRAD_SWITCHES or name in T.GRAD_OFF or name in T.AUTOCAST):
            return none  # open(), tqdm(), ...: no mode, no need to evaluate the arguments again
        args = self._eval_args(call.args, env, ctx) if call is not None else Args(())
        if name in T.GRAD_ON:
            return frozenset(), frozenset({"no_grad"})
        if name in T.GRAD_SWITCHES:
            enabled = const_value(args.get(0, ("mode",)) or unknown("", Cause.OTHER), None)
            return (frozenset(), frozenset({"no_grad"})) if enabled is True else (frozenset({"no_grad"}), frozenset())
        if name in T.GRAD_OFF:
            mode = args.get(0, ("mode",))
            return none if mode is not None and const_value(mode, None) is False else (frozenset({"no_grad"}), frozenset())
        if name not in T.AUTOCAST or call is None:
            return none
        enabled = args.get(None, ("enabled",))
        if enabled is not None and const_value(enabled, None) is False:
            return frozenset(), frozenset({"autocast"})
        if enabled is not None and const_value(enabled, None) is not True:
            return none
        if name in T.AUTOCAST_CUDA_ONLY:
            return frozenset({"autocast"}), frozenset()
        device = const_value(args.get(0, ("device_type",)) or unknown("", Cause.OTHER), None)
        return (frozenset({"autocast"}), frozenset()) if device == "cuda" else none

    def _exp_log(self, name: str, value: Optional[AbsVal], site: Site) -> AbsVal:
        if name == "log":  # joined over every context; the rules decide
            value = value if value is not None else unknown("log input", Cause.FROM_OUTSIDE)
            previous = self.logs.get(site)
            self.logs[site] = LogOf(site, join((previous.input, value)) if previous else value)
        return _exp_log(name, value)

    def _sequential(self, args: Args, site: Site) -> Atom:
        if len(args.positional) == 1 and not args.open:
            (only,) = args.positional
            mappings = [a for a in only if isinstance(a, Mapping)]
            if mappings and len(mappings) == len(only) == 1:
                return Sequence(tuple(v for _, v in mappings[0].items), "sequential", site=site)
        return Sequence(args.positional, "sequential", args.open, site)

    def _ordered_dict(self, args: Args) -> AbsVal:
        items = args.get(0)
        if items is None:
            return of(Mapping(()))
        if len(items) == 1 and isinstance(next(iter(items)), Mapping):
            return items  # ModuleDict({...}), OrderedDict({...})
        pairs = []
        for atom in items:
            if not isinstance(atom, Sequence) or atom.open_start:
                return unknown("OrderedDict built at run time", Cause.DYNAMIC_DISPATCH)
            for pair in atom.items:
                key = [a for a in pair if isinstance(a, Sequence) and len(a.items) == 2]
                if len(key) != 1 or len(pair) != 1:
                    return unknown("OrderedDict built at run time", Cause.DYNAMIC_DISPATCH)
                pairs.append((const_value(key[0].items[0], MISSING), key[0].items[1]))
            break
        return of(Mapping(tuple(pairs)))


CLAMPED_AT_ZERO = frozenset({Kind.LOGITS, Kind.UNBOUNDED, Kind.RELU})


def _clamped_at_zero(args: Args) -> bool:
    """``clamp(min=0)`` / ``clamp(0)`` without a maximum."""
    if args.open or len(args.positional) > 1 or any(key not in ("min",) for key, _ in args.keywords):
        return False
    floor = const_value(args.get(0, ("min",)) or of(Const(None)), None)
    return isinstance(floor, (int, float)) and not isinstance(floor, bool) and floor == 0


def _sequence_output(layer: Layer, spec: Any, value: AbsVal) -> AbsVal:
    """A batch-first sequence layer's output: (N, L, H) features, or (L, H) for an input
    known to be 2-D (unbatched); with the hidden state for the recurrent layers. A layer
    not known to be batch-first (time first, or a computed flag) is not modelled."""
    if layer.batch_first is not True:
        return unknown(f"{T.display_name(layer.name)} output (not batch-first)", Cause.NOT_MODELLED)
    ranks = {a.rank if isinstance(a, Tensor) else None for a in value}
    rank = 2 if ranks == {2} else 3
    out = of(Tensor(None, rank=rank, dtype="float"))
    if spec.output == "tuple":
        return of(Sequence((out, unknown(f"{T.display_name(layer.name)} hidden state", Cause.NOT_MODELLED)), "tuple"))
    return out


def loss_tensor(site: Site, ctx: Context) -> AbsVal:
    """What a loss computation returns: a loss tensor holding its graph, or, computed
    under ``no_grad``, a value without one (accumulating it keeps nothing alive)."""
    if "no_grad" in ctx.modes:
        return unknown("a loss computed without gradients", Cause.NOT_MODELLED)
    return of(Tensor(Kind.LOSS, act=site))


def _is_loss(atom: Atom) -> bool:
    """A loss whose calls the rules check (one without input rules is not: a callee that
    may be either is not surely a checked loss)."""
    if isinstance(atom, Loss):
        return atom.callee not in T.VALUE_LOSS_CLASSES
    return isinstance(atom, QualRef) and T.canonical(atom.name) in T.LOSS_FUNCTIONS


def _backpropagated(receiver: Atom, site: Site) -> Tuple[AbsVal, Optional[AbsVal]]:
    """``x.backward()``: whatever computed ``x``, it is a loss tensor from here on (LL403
    follows it); one already known as a loss keeps where it was computed."""
    if isinstance(receiver, Tensor) and receiver.kind is Kind.LOSS:
        return of(Const(None)), None
    return of(Const(None)), of(Tensor(Kind.LOSS, act=site))


def _exp_log(name: str, value: Optional[AbsVal]) -> AbsVal:
    if value is None:
        return unknown("input", Cause.FROM_OUTSIDE)
    out = []
    for atom in value:
        kind = T.EXP_LOG.get((name, atom.kind)) if isinstance(atom, Tensor) else None
        if kind is None:
            return unknown(f"torch.{name}() of values the analysis does not track", Cause.NOT_MODELLED)
        out.append(replace(atom, kind=kind, origin=None))  # not the activation's output: removing it is no fix
    return of(*out)


def _training(name: str) -> bool:
    return name in T.COMPILE_METHODS or name in T.FIT_METHODS or name in T.PREDICT_METHODS
