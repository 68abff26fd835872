"""Lower a libcst Module into the IR of ``ir.py``.

One recursive walk over statements and expressions; whitespace, comments and
annotations are never visited. This replaces a ``CSTVisitor`` pass plus libcst's
scope / qualified-name metadata, which on timm cost 0.8x and 3-6x a parse: names are
resolved later by the interpreter, which executes imports and assignments in order.
Every call, assignment and operation gets a site ordinal; ``sites`` maps it back to its node so
positions are computed only for the few nodes that end up in a report.
"""

from __future__ import annotations

from typing import List, Optional, Sequence, Tuple, Union

import libcst as cst
from libcst.helpers import get_full_name_for_node

from losslint.analysis import ir

_BINARY_OPS = {
    cst.Add: "+",
    cst.Subtract: "-",
    cst.Multiply: "*",
    cst.Divide: "/",
    cst.FloorDivide: "//",
    cst.Modulo: "%",
    cst.Power: "**",
    cst.MatrixMultiply: "@",
}

Block = Union[cst.BaseSuite, Sequence[cst.BaseStatement]]
MAX_MODELLED_OPERANDS = 16  # longer chains are evaluated only for the calls inside them


class Lowerer:
    """Turns one module into IR; ``sites[i]`` is the CST node of site ordinal ``i``."""

    def __init__(self) -> None:
        self.sites: List[cst.CSTNode] = []
        self.called_names: set = set()
        self._qualnames: set = set()
        self._scope: List[str] = []

    def module(self, module: cst.Module) -> ir.Module:
        body = self.block(module.body)
        return ir.Module(body, frozenset(self.called_names))

    # --- statements --------------------------------------------------------------

    def block(self, block: Block) -> Tuple[ir.Stmt, ...]:
        statements = block.body if isinstance(block, cst.BaseSuite) else block
        out: List[ir.Stmt] = []
        for statement in statements:
            if isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
                for small in statement.body:
                    out.extend(self.small(small))
            elif isinstance(statement, cst.BaseSmallStatement):
                out.extend(self.small(statement))
            else:
                out.extend(self.compound(statement))
        return tuple(out)

    def _site(self, node: cst.CSTNode) -> int:
        self.sites.append(node)
        return len(self.sites) - 1

    def small(self, node: cst.BaseSmallStatement) -> List[ir.Stmt]:
        if isinstance(node, cst.Assign):
            targets = tuple(self.expr(t.target) for t in node.targets)
            return [ir.Assign(targets, self.expr(node.value), self._site(node))]
        if isinstance(node, cst.AnnAssign):
            if node.value is None:
                return []
            return [ir.Assign((self.expr(node.target),), self.expr(node.value), self._site(node))]
        if isinstance(node, cst.AugAssign):
            op = node.operator.__class__.__name__
            site = self._site(node)
            return [ir.AugAssign(self.expr(node.target), op, self.expr(node.value), site)]
        if isinstance(node, cst.Expr):
            if isinstance(node.value, (cst.SimpleString, cst.ConcatenatedString)):
                return []  # a docstring
            return [ir.ExprStmt(self.expr(node.value))]
        if isinstance(node, cst.Return):
            return [ir.Return(self.expr(node.value) if node.value is not None else None)]
        if isinstance(node, cst.Raise):
            return [ir.Jump("raise", self.expr(node.exc) if node.exc is not None else None)]
        if isinstance(node, cst.Break):
            return [ir.Jump("break")]
        if isinstance(node, cst.Continue):
            return [ir.Jump("continue")]
        if isinstance(node, cst.Import):
            return [
                ir.Import(
                    get_full_name_for_node(alias.name) or "",
                    self._asname(alias),
                )
                for alias in node.names
            ]
        if isinstance(node, cst.ImportFrom):
            module = get_full_name_for_node(node.module) if node.module is not None else ""
            level = len(node.relative)
            if isinstance(node.names, cst.ImportStar):
                return [ir.ImportFrom(module or "", level, "*", None)]
            return [
                ir.ImportFrom(module or "", level, get_full_name_for_node(a.name) or "", self._asname(a))
                for a in node.names
            ]
        if isinstance(node, cst.Del):
            return [ir.Delete((self.expr(node.target),))]
        if isinstance(node, cst.Assert):
            return [ir.ExprStmt(self.expr(node.test))]
        return []  # pass, global, nonlocal

    @staticmethod
    def _asname(alias: cst.ImportAlias) -> Optional[str]:
        if alias.asname is None:
            return None
        return get_full_name_for_node(alias.asname.name)

    def compound(self, node: cst.BaseCompoundStatement) -> List[ir.Stmt]:
        if isinstance(node, cst.If):
            return [ir.If(self.expr(node.test), self.block(node.body), self._orelse(node.orelse))]
        if isinstance(node, cst.For):
            return [
                ir.Loop(
                    self.expr(node.target),
                    self.expr(node.iter),
                    self.block(node.body),
                    self._orelse(node.orelse),
                )
            ]
        if isinstance(node, cst.While):
            test = self.expr(node.test)
            return [ir.ExprStmt(test), ir.Loop(None, None, self.block(node.body), self._orelse(node.orelse))]
        if isinstance(node, cst.With):
            items = tuple(
                (self.expr(item.item), self.expr(item.asname.name) if item.asname else None)
                for item in node.items
            )
            return [ir.With(items, self.block(node.body))]
        if isinstance(node, (cst.Try, cst.TryStar)):
            handlers = tuple(
                (
                    get_full_name_for_node(h.name.name) if h.name is not None else None,
                    self.block(h.body),
                )
                for h in node.handlers
            )
            orelse = self.block(node.orelse.body) if node.orelse else ()
            final = self.block(node.finalbody.body) if node.finalbody else ()
            return [ir.Try(self.block(node.body), handlers, orelse, final)]
        if isinstance(node, cst.FunctionDef):
            return [self.function(node)]
        if isinstance(node, cst.ClassDef):
            return [self.class_(node)]
        if isinstance(node, cst.Match):
            cases = tuple(self.block(case.body) for case in node.cases)
            return [ir.Branches(self.expr(node.subject), cases)]
        return []

    def _orelse(self, orelse: Union[cst.If, cst.Else, None]) -> Tuple[ir.Stmt, ...]:
        if orelse is None:
            return ()
        if isinstance(orelse, cst.If):
            return tuple(self.compound(orelse))
        return self.block(orelse.body)

    def _qualname(self, name: str) -> str:
        qualname = ".".join(self._scope + [name])
        unique, n = qualname, 1
        while unique in self._qualnames:
            n += 1
            unique = f"{qualname}#{n}"
        self._qualnames.add(unique)
        return unique

    def function(self, node: cst.FunctionDef) -> ir.FunctionDef:
        name = node.name.value
        qualname = self._qualname(name)
        params = self._params(node.params)
        decorators = tuple(self.expr(d.decorator) for d in node.decorators)
        self._scope.append(qualname.rsplit(".", 1)[-1] + ".<locals>")
        try:
            body = self.block(node.body)
        finally:
            self._scope.pop()
        return ir.FunctionDef(name, qualname, params, body, decorators)

    def _params(self, params: cst.Parameters) -> Tuple[ir.Param, ...]:
        out: List[ir.Param] = []
        for p in (*params.posonly_params, *params.params):
            out.append(ir.Param(p.name.value, self._default(p)))
        if isinstance(params.star_arg, cst.Param):
            out.append(ir.Param(params.star_arg.name.value, None, "varargs"))
        for p in params.kwonly_params:
            out.append(ir.Param(p.name.value, self._default(p), "keyword"))
        if params.star_kwarg is not None:
            out.append(ir.Param(params.star_kwarg.name.value, None, "varkw"))
        return tuple(out)

    def _default(self, param: cst.Param) -> Optional[ir.Expr]:
        return self.expr(param.default) if param.default is not None else None

    def class_(self, node: cst.ClassDef) -> ir.ClassDef:
        name = node.name.value
        qualname = self._qualname(name)
        bases = tuple(self._arg(a) for a in (*node.bases, *node.keywords))
        decorators = tuple(self.expr(d.decorator) for d in node.decorators)
        self._scope.append(qualname)
        try:
            body = self.block(node.body)
        finally:
            self._scope.pop()
        return ir.ClassDef(name, qualname, bases, body, decorators)

    # --- expressions -------------------------------------------------------------

    def _arg(self, arg: cst.Arg) -> ir.Arg:
        keyword = arg.keyword.value if arg.keyword is not None else None
        return ir.Arg(self.expr(arg.value), keyword, arg.star if isinstance(arg.star, str) else "")

    def expr(self, node: cst.BaseExpression) -> ir.Expr:  # noqa: C901 - one dispatch
        if isinstance(node, cst.Name):
            if node.value in ("True", "False", "None"):
                return ir.Literal({"True": True, "False": False, "None": None}[node.value])
            return ir.Name(node.value)
        if isinstance(node, cst.Attribute):
            return ir.Attr(self.expr(node.value), node.attr.value)
        if isinstance(node, cst.Call):
            func = self.expr(node.func)
            if isinstance(func, ir.Name):
                self.called_names.add(func.id)
            elif isinstance(func, ir.Attr):
                self.called_names.add(func.attr)
            site = self._site(node)
            return ir.Call(func, tuple(self._arg(a) for a in node.args), site)
        if isinstance(node, (cst.Integer, cst.Float, cst.Imaginary)):
            return ir.Literal(_number(node))
        if isinstance(node, cst.SimpleString) and "\\" not in node.value and node.prefix.lower() in ("", "r", "u"):
            return ir.Literal(node.raw_value)  # evaluated_value would compile() every literal
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
            try:
                return ir.Literal(node.evaluated_value)
            except Exception:  # f-string parts, odd prefixes: the value is not needed
                return ir.Opaque(())
        if isinstance(node, (cst.Tuple, cst.List, cst.Set)):
            kind = {cst.Tuple: "tuple", cst.List: "list", cst.Set: "set"}[type(node)]
            items = tuple(
                ir.Starred(self.expr(e.value)) if isinstance(e, cst.StarredElement) else self.expr(e.value)
                for e in node.elements
            )
            return ir.Collection(kind, items)
        if isinstance(node, cst.Dict):
            pairs = []
            for element in node.elements:
                if isinstance(element, cst.DictElement):
                    pairs.append((self.expr(element.key), self.expr(element.value)))
                else:
                    pairs.append((None, self.expr(element.value)))
            return ir.DictDisplay(tuple(pairs))
        if isinstance(node, cst.Subscript):
            return ir.Subscript(self.expr(node.value), self._index(node.slice))
        if isinstance(node, (cst.BinaryOperation, cst.BooleanOperation)):
            return self._operation(node)
        if isinstance(node, cst.UnaryOperation):
            operand = self.expr(node.expression)
            if isinstance(node.operator, cst.Minus):
                return ir.Negative(operand)
            if isinstance(node.operator, cst.Plus):
                return operand
            return ir.Opaque((operand,), site=self._site(node))
        if isinstance(node, cst.IfExp):
            return ir.IfExp(self.expr(node.test), self.expr(node.body), self.expr(node.orelse))
        if isinstance(node, cst.Comparison):
            parts = [self.expr(node.left)] + [self.expr(c.comparator) for c in node.comparisons]
            return ir.Opaque(tuple(parts), site=self._site(node))
        if isinstance(node, cst.NamedExpr):
            if isinstance(node.target, cst.Name):
                return ir.Walrus(node.target.value, self.expr(node.value))
            return self.expr(node.value)
        if isinstance(node, cst.Await):
            return self.expr(node.expression)
        if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
            return self._comprehension(node)
        if isinstance(node, cst.FormattedString):
            parts = tuple(
                self.expr(p.expression) for p in node.parts if isinstance(p, cst.FormattedStringExpression)
            )
            return ir.Opaque(parts, site=self._site(node))
        if isinstance(node, cst.Yield):
            value = node.value
            if isinstance(value, cst.From):
                value = value.item
            return ir.Opaque((self.expr(value),) if value is not None else ())
        if isinstance(node, cst.Lambda):
            return ir.Opaque(())
        return ir.Opaque(())  # Ellipsis and anything newer than this code

    def _index(self, elements: Sequence[cst.SubscriptElement]) -> ir.Expr:
        parts = []
        for element in elements:
            s = element.slice
            if isinstance(s, cst.Index):
                parts.append(self.expr(s.value))
            else:
                parts.append(
                    ir.Slice(
                        self.expr(s.lower) if s.lower is not None else None,
                        self.expr(s.upper) if s.upper is not None else None,
                        self.expr(s.step) if s.step is not None else None,
                    )
                )
        return parts[0] if len(parts) == 1 else ir.Collection("tuple", tuple(parts))

    def _operation(self, node: cst.BaseExpression) -> ir.Expr:
        """Binary and boolean operations. The left spine of one operator (``a + b + ... + z``,
        thousands deep in generated code) is walked without recursion; long spines and
        boolean chains, whose value the analysis does not model, become Opaque."""
        operator = type(node.operator)  # type: ignore[attr-defined]
        operands: List[cst.BaseExpression] = []
        current = node
        while (
            isinstance(current, (cst.BinaryOperation, cst.BooleanOperation))
            and type(current.operator) is operator
            and (current is node or not current.lpar)
        ):
            operands.append(current.right)
            current = current.left
        operands.append(current)
        operands.reverse()
        op = _BINARY_OPS.get(operator)
        site = self._site(node)
        if op is None or len(operands) > MAX_MODELLED_OPERANDS:
            return ir.Opaque(tuple(self.expr(o) for o in operands), site=site)
        result = self.expr(operands[0])
        for operand in operands[1:]:
            result = ir.BinOp(op, result, self.expr(operand), site)
        return result

    def _comprehension(self, node: cst.BaseExpression) -> ir.Expr:
        parts: List[ir.Expr] = []
        binds: List[str] = []
        for_in: Optional[cst.CompFor] = node.for_in  # type: ignore[attr-defined]
        while for_in is not None:
            parts.append(self.expr(for_in.iter))
            binds.extend(_bound_names(for_in.target))
            parts.extend(self.expr(c.test) for c in for_in.ifs)
            for_in = for_in.inner_for_in
        if isinstance(node, cst.DictComp):
            parts.extend((self.expr(node.key), self.expr(node.value)))
        else:
            parts.append(self.expr(node.elt))  # type: ignore[attr-defined]
        return ir.Opaque(tuple(parts), tuple(binds), self._site(node))


def _number(node: Union[cst.Integer, cst.Float, cst.Imaginary]) -> Union[int, float, complex]:
    """A numeric literal's value; libcst's evaluated_value runs ast.parse for each one."""
    text = node.value.replace("_", "")
    if isinstance(node, cst.Integer):
        return int(text, 0) if not (len(text) > 1 and text[0] == "0" and text.isdigit()) else int(text)
    return float(text) if isinstance(node, cst.Float) else complex(text)


def _bound_names(target: cst.BaseExpression) -> List[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        names: List[str] = []
        for element in target.elements:
            names.extend(_bound_names(element.value))
        return names
    return []


def lower(module: cst.Module) -> Tuple[ir.Module, List[cst.CSTNode]]:
    """Lower a parsed module; returns the IR and the site nodes by ordinal."""
    lowerer = Lowerer()
    return lowerer.module(module), lowerer.sites
