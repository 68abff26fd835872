"""The libcst transforms that carry out a fix's edits, keeping formatting and comments.

Edits name nodes by site ordinal. The analysis records each site's position; ``parse``
finds the libcst node at that position (``sites``). All the edits of one file are
applied in one pass of ``EditTransformer``; an edit whose code does not have the shape
it expects raises ``NotApplicable`` and the fix is dropped.
"""

from __future__ import annotations

import ast
import textwrap
from typing import Dict, List, Optional, Sequence, Set, Tuple, Union

import libcst as cst

from losslint.analysis import summary
from losslint.analysis.facts import Form
from losslint.analysis.lower import Position
from losslint.analysis.summary import LINE_BREAK
from losslint.edits import Action, Edit
from losslint.rules.fixes import LOG_SOFTMAX_FUNCTION

ATOMIC = (
    cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.Integer, cst.Float, cst.Imaginary,
    cst.SimpleString, cst.ConcatenatedString, cst.FormattedString, cst.List, cst.Dict, cst.Set,
    cst.ListComp, cst.DictComp, cst.SetComp, cst.GeneratorExp,
)  # fmt: skip
"""Expressions that never need parentheses where they are put."""
BARE_CONTEXTS = (cst.Arg, cst.Element, cst.Assign, cst.AnnAssign, cst.AugAssign, cst.Return, cst.Expr, cst.DictElement)
"""Parents in which any expression stands without parentheses."""


class NotApplicable(Exception):
    """The code does not have the shape the edit expects; the message says why."""


class NeedsWholeModule(NotApplicable):
    """The edit adds an import, which goes at the top of the module: an excerpt of the
    file cannot show it."""


def apply_edits(
    tree: cst.Module, sites: Sequence[cst.CSTNode], edits: Sequence[Edit], whole_module: bool = True, module_text: str = ""
) -> cst.Module:
    """``tree`` with ``edits`` (all in this file) applied; raises NotApplicable
    (``NeedsWholeModule`` when ``tree`` is an excerpt and an import must be added).
    ``module_text``: the whole file's text, when ``tree`` is an excerpt of it."""
    by_node: Dict[cst.CSTNode, Edit] = {}
    for edit in edits:
        by_node[site_node(sites, edit)] = edit
    transformer = EditTransformer(by_node, sites, "" if whole_module else module_text)
    try:
        fixed = tree.visit(transformer)
    except NotApplicable:
        raise
    except (AttributeError, TypeError, ValueError, IndexError, KeyError, RecursionError) as error:
        # edits whose code is not the shape they expect (one already rewrote the node
        # another needs): no fix here, never a crash
        raise NotApplicable(f"the edits do not fit the code here ({type(error).__name__})") from None
    missing = set(by_node.values()) - transformer.applied
    if missing:
        raise NotApplicable(f"could not apply '{sorted(e.action.value for e in missing)[0]}' here")
    if transformer.imports and not whole_module:
        raise NeedsWholeModule("the fix adds an import")
    if transformer.imports:  # libcst's codemods take 0.5 s to import: only when needed
        from libcst.codemod import CodemodContext
        from libcst.codemod.visitors import AddImportsVisitor

        context = CodemodContext()
        for module, name in transformer.imports:
            AddImportsVisitor.add_needed_import(context, module, name)
        fixed = AddImportsVisitor(context).transform_module(fixed)
    return fixed


def site_node(sites: Sequence[Optional[cst.CSTNode]], edit: Edit) -> cst.CSTNode:
    """The node ``edit`` names; raises NotApplicable when the code has none there."""
    node = sites[edit.site.ordinal] if 0 <= edit.site.ordinal < len(sites) else None
    if node is None:
        raise NotApplicable("the file changed since it was analysed")
    return node


def covered(node: cst.CSTNode) -> Set[int]:
    """Identities of ``node`` and every node under it: two edits overlap when one's node
    is under the other's."""
    found: Set[int] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        found.add(id(current))
        stack.extend(current.children)
    return found


class EditTransformer(cst.CSTTransformer):
    def __init__(self, edits: Dict[cst.CSTNode, Edit], sites: Sequence[Optional[cst.CSTNode]], module_text: str = "") -> None:
        super().__init__()
        self.module_text = module_text  # the whole file's, when the tree is an excerpt of its top-level statements
        self.scope_trees: Dict[int, Optional[ast.Module]] = {}  # id of a scope's node -> its syntax tree
        self.edits = edits
        self.sites = sites
        self.imports: List[Tuple[str, str]] = []  # (module, name) a renamed bare name needs
        self.removals = {node for node, edit in edits.items() if edit.action is Action.REMOVE_ITEM}
        self.unwrapped: Set[int] = set()  # ids of the nodes that replaced unwrapped calls
        self.applied: Set[Edit] = set()
        self.ancestors: List[cst.CSTNode] = []  # original nodes from the module down

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.ancestors.append(node)
        return True

    def on_leave(  # type: ignore[override]
        self, original_node: cst.CSTNode, updated_node: cst.CSTNode
    ) -> Union[cst.CSTNode, cst.RemovalSentinel]:
        self.ancestors.pop()
        result = super().on_leave(original_node, updated_node)
        if isinstance(result, cst.RemovalSentinel):
            return result
        edit = self.edits.get(original_node)
        if edit is not None and edit.action is not Action.REMOVE_ITEM:
            result = getattr(self, "_" + edit.action.value)(original_node, result, edit)
            self.applied.add(edit)
        if isinstance(original_node, (cst.Call, cst.List, cst.Tuple)) and self.removals:
            result = self._remove_items(original_node, result)
        return result

    # --- statements left empty ---------------------------------------------------------

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign) -> Union[cst.Assign, cst.RemovalSentinel]:
        """``x = torch.sigmoid(x)`` unwrapped is ``x = x``: drop it."""
        if id(updated_node.value) in self.unwrapped and len(updated_node.targets) == 1:
            target, value = updated_node.targets[0].target, updated_node.value
            if isinstance(target, cst.Name) and isinstance(value, cst.Name) and target.value == value.value:
                return cst.RemoveFromParent()
        return updated_node

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> Union[cst.SimpleStatementLine, cst.RemovalSentinel]:
        return updated_node if updated_node.body else cst.RemoveFromParent()

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock) -> cst.IndentedBlock:
        if updated_node.body:
            return updated_node
        return updated_node.with_changes(body=[cst.SimpleStatementLine([cst.Pass()])])

    # --- the edits ---------------------------------------------------------------------

    def _scope_tree(self) -> Optional[ast.Module]:
        """The function holding the node being changed, or the module, as CPython's
        syntax tree (where a name it reads is used); None when it does not parse."""
        scope = next((a for a in reversed(self.ancestors) if isinstance(a, cst.FunctionDef)), self.ancestors[0])
        if id(scope) not in self.scope_trees:
            if isinstance(scope, cst.Module):
                code = self.module_text or scope.code  # an excerpt's module is a part of the file
            else:
                code = textwrap.dedent(cst.Module([]).code_for_node(scope))
            try:
                self.scope_trees[id(scope)] = summary.parse(code, "<fix>")  # silent: SyntaxWarnings are not the fix's business
            except SyntaxError:
                self.scope_trees[id(scope)] = None
        return self.scope_trees[id(scope)]

    def _unwrap(self, original: cst.CSTNode, updated: cst.CSTNode, edit: Edit) -> cst.BaseExpression:
        """An activation call replaced by its input: ``torch.sigmoid(z)``, ``self.act(z)``
        and ``z.sigmoid()`` all become ``z``."""
        call = _expect(updated, cst.Call)
        if edit.argument == Form.METHOD:
            if not isinstance(call.func, cst.Attribute):
                raise NotApplicable("not a method call")
            inner = call.func.value
        else:
            inner = _input_argument(call)
        if isinstance(inner, cst.Name) and _changed_in_place(self._scope_tree(), inner.value):
            raise NotApplicable(f"'{inner.value}' is changed in place in this scope: without the activation its output would change with it")
        inner = self._parenthesised(inner, call)
        self.unwrapped.add(id(inner))
        return inner

    def _rename(self, original: cst.CSTNode, updated: cst.CSTNode, edit: Edit) -> cst.Call:
        """The callee renamed (``nn.BCELoss(...)`` -> ``nn.BCEWithLogitsLoss(...)``); a
        bare name gets its import."""
        call = _expect(updated, cst.Call)
        renames = dict(edit.argument)
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value in renames:
            new = renames[func.attr.value].rsplit(".", 1)[1]
            return call.with_changes(func=func.with_changes(attr=func.attr.with_changes(value=new)))
        if isinstance(func, cst.Name) and func.value in renames:
            module, new = renames[func.value].rsplit(".", 1)
            self.imports.append((module, new))
            return call.with_changes(func=func.with_changes(value=new))
        raise NotApplicable("the callee is not written by a name the fix knows")

    def _set_true(self, original: cst.CSTNode, updated: cst.CSTNode, edit: Edit) -> cst.Call:
        """``Loss()`` / ``Loss(from_logits=False)`` -> ``Loss(from_logits=True)``: only
        keyword arguments, so no positional one can be the keyword's."""
        call = _expect(updated, cst.Call)
        keyword = str(edit.argument)
        if any(arg.star or arg.keyword is None for arg in call.args):
            raise NotApplicable("positional arguments or arguments passed with * or **")
        args = list(call.args)
        for i, arg in enumerate(args):
            if arg.keyword is not None and arg.keyword.value == keyword:
                args[i] = arg.with_changes(value=cst.Name("True"))
                return call.with_changes(args=args)
        added = cst.Arg(
            cst.Name("True"), keyword=cst.Name(keyword), equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))
        )
        if args:
            added = added.with_changes(comma=args[-1].comma)  # a trailing comma stays last
            args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        return call.with_changes(args=[*args, added])

    def _add_dim(self, original: cst.CSTNode, updated: cst.CSTNode, edit: Edit) -> cst.Call:
        call = _expect(updated, cst.Call)
        if any(arg.star for arg in call.args):
            raise NotApplicable("arguments passed with * or **")
        number = int(edit.argument)
        value: cst.BaseExpression = cst.Integer(str(abs(number)))
        if number < 0:  # dim=-1
            value = cst.UnaryOperation(cst.Minus(), value)
        dim = cst.Arg(
            value,
            keyword=cst.Name("dim"),
            equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
        )
        args = list(call.args)
        if args:
            dim = dim.with_changes(comma=args[-1].comma)  # a trailing comma stays last
            args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        return call.with_changes(args=[*args, dim])

    def _log_of_softmax(self, original: cst.CSTNode, updated: cst.CSTNode, edit: Edit) -> cst.BaseExpression:
        """``torch.log(F.softmax(x, 1))`` / ``F.softmax(x, 1).log()`` -> ``F.log_softmax(x, 1)``."""
        softmax = self.sites[edit.argument.ordinal] if 0 <= edit.argument.ordinal < len(self.sites) else None
        log, call = _expect(original, cst.Call), _expect(updated, cst.Call)
        if isinstance(log.func, cst.Attribute) and not log.args and log.func.value is softmax:
            inner = _expect(call.func, cst.Attribute).value
        elif len(log.args) == 1 and not log.args[0].keyword and not log.args[0].star and log.args[0].value is softmax:
            inner = call.args[0].value
        else:
            raise NotApplicable("the softmax is not written inside the log")
        renamed = self._rename(softmax, inner, Edit(edit.argument, Action.RENAME, LOG_SOFTMAX_FUNCTION))
        if call.lpar:
            renamed = renamed.with_changes(lpar=call.lpar, rpar=call.rpar)
        return renamed

    def _accumulate_value(
        self, original: cst.CSTNode, updated: cst.CSTNode, edit: Edit, method: str = ""
    ) -> Union[cst.AugAssign, cst.Assign]:
        """``total += loss`` -> ``total += loss.item()`` when the code reads ``total`` only
        where a number does as well as a tensor; ``loss.detach()`` otherwise (``total.item()``,
        ``avg = total / n``, ``dist.all_reduce(total)``), which keeps it a tensor."""
        import libcst.matchers as m  # 0.6 s to import: only when this edit is applied
        name = edit.argument
        if not method:
            method = "item" if _read_as_number_only(self._scope_tree(), name) else "detach"
        if isinstance(updated, cst.AugAssign):
            return updated.with_changes(value=_method_call(updated.value, method))
        value = _expect(updated, cst.Assign).value
        if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Add):
            if m.matches(value.left, m.Name(name)):
                return updated.with_changes(value=value.with_changes(right=_method_call(value.right, method)))  # type: ignore[union-attr]
            if m.matches(value.right, m.Name(name)):
                return updated.with_changes(value=value.with_changes(left=_method_call(value.left, method)))  # type: ignore[union-attr]
        raise NotApplicable("not an accumulation the fix can rewrite")

    def _accumulate_detached(
        self, original: cst.CSTNode, updated: cst.CSTNode, edit: Edit
    ) -> Union[cst.AugAssign, cst.Assign]:
        """``total += loss.detach()``: the total stays a tensor for the code it goes to."""
        return self._accumulate_value(original, updated, edit, "detach")

    def _method_on_argument(self, original: cst.CSTNode, updated: cst.CSTNode, edit: Edit) -> cst.Call:
        """A method call appended to one argument of a call (the loss input or target):
        ``criterion(out, y)`` -> ``criterion(out.permute(0, 2, 1), y)``; the argument is
        found by position, else by keyword."""
        position, keyword, method = edit.argument
        call = _expect(updated, cst.Call)
        if any(arg.star for arg in call.args):
            raise NotApplicable("arguments passed with * or **")
        positional = [i for i, arg in enumerate(call.args) if arg.keyword is None]
        chosen = positional[position] if position < len(positional) else None
        if chosen is None:
            chosen = next((i for i, arg in enumerate(call.args) if arg.keyword is not None and arg.keyword.value == keyword), None)
        if chosen is None:
            raise NotApplicable("the call has no such argument")
        value = call.args[chosen].value
        if not value.lpar and not isinstance(value, ATOMIC):
            value = value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        suffix = cst.parse_expression("_." + method)
        if not isinstance(suffix, cst.Call) or not isinstance(suffix.func, cst.Attribute):
            raise NotApplicable("not a method call")
        changed = suffix.with_changes(func=suffix.func.with_changes(value=value))
        args = list(call.args)
        args[chosen] = args[chosen].with_changes(value=changed)
        return call.with_changes(args=args)

    def _remove_items(self, original: cst.CSTNode, updated: cst.CSTNode) -> cst.CSTNode:
        """Layers removed from ``nn.Sequential(...)`` or from a list of layers; when the
        last item goes, the new last one takes its comma and the layout before the bracket."""
        field = "args" if isinstance(original, cst.Call) else "elements"
        before = list(getattr(original, field))
        if not any(item.value in self.removals for item in before):
            return updated
        if type(updated) is not type(original):
            raise NotApplicable("the container was rewritten by another edit")
        after = list(getattr(updated, field))
        keep = [i for i, item in enumerate(before) if item.value not in self.removals]
        if len(keep) == len(before):
            return updated
        if not keep:
            raise NotApplicable("removing the layer would leave an empty container")
        kept = [after[i] for i in keep]
        if keep[-1] != len(before) - 1:
            kept[-1] = kept[-1].with_changes(comma=_last_comma(kept[-1].comma, after[-1].comma))
        if isinstance(updated, cst.Tuple) and len(kept) == 1 and not isinstance(kept[0].comma, cst.Comma):
            kept[0] = kept[0].with_changes(comma=cst.Comma())
        for i, item in enumerate(before):
            if i not in keep:
                self.applied.add(self.edits[item.value])
        return updated.with_changes(**{field: kept})

    def _parenthesised(self, expression: cst.BaseExpression, replaced: cst.BaseExpression) -> cst.BaseExpression:
        """``expression`` standing where ``replaced`` stood: parenthesised when an
        operator would otherwise bind differently."""
        if replaced.lpar and not expression.lpar:
            return expression.with_changes(lpar=replaced.lpar, rpar=replaced.rpar)
        parent = self.ancestors[-1] if self.ancestors else None
        if expression.lpar or isinstance(expression, ATOMIC) or isinstance(parent, BARE_CONTEXTS):
            return expression
        return expression.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def _last_comma(own: Union[cst.Comma, cst.MaybeSentinel], removed: Union[cst.Comma, cst.MaybeSentinel]) -> Union[cst.Comma, cst.MaybeSentinel]:
    """The comma of an item that becomes the last: it keeps its own comment, and takes
    from the removed last item whether a comma trails and how the bracket is indented."""
    if not isinstance(own, cst.Comma):
        return removed
    after_own, after_removed = own.whitespace_after, getattr(removed, "whitespace_after", None)
    if isinstance(after_own, cst.ParenthesizedWhitespace):
        if isinstance(after_removed, cst.ParenthesizedWhitespace):
            return own.with_changes(whitespace_after=after_own.with_changes(last_line=after_removed.last_line))
        return own  # a line break (and maybe a comment) the code needs
    return removed


def _expect(node: cst.CSTNode, kind: type) -> cst.CSTNode:
    if not isinstance(node, kind):
        raise NotApplicable(f"expected a {kind.__name__} here")
    return node


def _input_argument(call: cst.Call) -> cst.BaseExpression:
    """The tensor an activation call or layer call applies to: its first positional
    argument, or ``input=``."""
    for arg in call.args:
        if arg.star:
            raise NotApplicable("arguments passed with * or **")
        if arg.keyword is None or arg.keyword.value == "input":
            return arg.value
    raise NotApplicable("the call has no input argument")


def _method_call(value: cst.BaseExpression, method: str) -> cst.Call:
    """``value.method()``, parenthesising ``value`` when it is not atomic."""
    if not value.lpar and not isinstance(value, ATOMIC):
        value = value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return cst.Call(cst.Attribute(value, cst.Name(method)))


SITE_NODES = (cst.Call, cst.Assign, cst.AnnAssign, cst.AugAssign)
"""The kinds of node an edit can name."""


def parse(
    text: str, positions: Optional[Sequence[Position]] = None
) -> "tuple[cst.Module, List[Optional[cst.CSTNode]]]":
    """The tree and its site nodes by ordinal (None where no edit can apply): the node
    of each kind an edit names that starts and ends where the analysis's site does.
    ``positions`` are the sites' (from the analysis's summary), else lowered again."""
    from libcst.metadata import MetadataWrapper, PositionProvider

    if positions is None:
        import ast

        from losslint.analysis.lower import lower

        positions = lower(ast.parse(text)).positions
    try:
        tree = cst.parse_module(text)
        ranges = MetadataWrapper(tree, unsafe_skip_copy=True).resolve(PositionProvider)
    except cst.ParserSyntaxError:
        raise
    except Exception as error:  # libcst's own limits (deep nesting): the file cannot be changed
        raise ValueError(f"libcst cannot handle this file ({type(error).__name__})") from None
    lines = [line.encode() for line in LINE_BREAK.split(text)]
    at: Dict[tuple, cst.CSTNode] = {}
    for node, where in ranges.items():
        if isinstance(node, SITE_NODES):
            start, end = where.start, where.end
            place = (start.line, _byte_column(lines, start.line, start.column), end.line, _byte_column(lines, end.line, end.column))
            at.setdefault(place, node)
    return tree, [at.get(position) for position in positions]


def _byte_column(lines: List[bytes], line: int, column: int) -> int:
    """libcst's character column as the UTF-8 offset ``ast`` uses."""
    encoded = lines[line - 1] if line - 1 < len(lines) else b""
    return column if encoded.isascii() else len(encoded.decode()[:column].encode())


def first_parse_error(text: str, before_writing: bool) -> Optional[str]:
    """Why ``text`` is not valid Python, or None. A fix checked for display is parsed by
    CPython's parser; before a file is written, by libcst's as well."""
    import ast

    try:
        ast.parse(text)
        if before_writing:
            cst.parse_module(text)
    except (SyntaxError, cst.ParserSyntaxError, ValueError) as error:
        return str(error)
    return None


NUMBER_READERS = frozenset({"print", "float", "int", "str", "repr", "round", "format"})
"""Builtins that take a Python number as they take a 0-dim tensor."""


def _read_as_number_only(tree: Optional[ast.Module], name: str) -> bool:
    """Whether every read of ``name`` in ``tree`` (a function, or a module; None: code
    that does not parse) is where a float serves as well as the tensor it was: in
    ``name = name + ...``, a comparison, an f-string, a ``%`` or ``.format`` text, or one
    of ``NUMBER_READERS``, alone or in arithmetic. Anything else (another name bound to
    it, a call of other code, an attribute, ``return``) may need the tensor."""
    if tree is None:
        return False
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for read in ast.walk(tree):
        if not (isinstance(read, ast.Name) and read.id == name and isinstance(read.ctx, ast.Load)):
            continue
        node, parent = read, parents.get(read)
        while isinstance(parent, (ast.BinOp, ast.UnaryOp)):
            node, parent = parent, parents.get(parent)
        if isinstance(parent, (ast.Compare, ast.FormattedValue)):
            continue
        if isinstance(parent, ast.Assign) and node is parent.value and all(
            isinstance(t, ast.Name) and t.id == name for t in parent.targets
        ):
            continue
        if isinstance(parent, ast.Call) and node is not parent.func:
            func = parent.func
            if isinstance(func, ast.Name) and func.id in NUMBER_READERS or isinstance(func, ast.Attribute) and func.attr == "format":
                continue
        if isinstance(parent, ast.keyword):
            call = parents.get(parent)
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in NUMBER_READERS:
                continue
        return False
    return True


def _changed_in_place(tree: Optional[ast.Module], name: str) -> bool:
    """Whether ``tree`` (None: code that does not parse) changes the object ``name``
    holds without rebinding the name: ``name += ...`` (in place for a tensor),
    ``name[...] = ...``, ``name.attr = ...``, ``name.add_(...)`` (torch's trailing underscore)."""
    if tree is None:
        return True
    for node in ast.walk(tree):
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
            return True
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
        if any(isinstance(t, (ast.Subscript, ast.Attribute)) and isinstance(t.value, ast.Name) and t.value.id == name for t in targets):
            return True
        func = node.func if isinstance(node, ast.Call) else None
        if isinstance(func, ast.Attribute) and func.attr.endswith("_") and not func.attr.endswith("__"):
            if isinstance(func.value, ast.Name) and func.value.id == name:
                return True
    return False

