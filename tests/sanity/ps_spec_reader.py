"""Read a PowerShell module's literal ``$spec`` without PowerShell.

ansible-test validate-modules learns a PowerShell module's argument spec by
running ``pwsh ps_argspec.ps1 <manifest>``, which loads the module and dumps
the hashtable handed to ``[Ansible.Basic.AnsibleModule]::Create``. No machine
here has pwsh, so ``tests/sanity/pwsh-spec-reader/pwsh`` answers exactly that
call with this reader: it parses the module with the tree-sitter PowerShell
grammar and evaluates the ``$spec = @{ ... }`` literal with PowerShell's own
array semantics (``@(...)`` unrolls one level, a unary comma wraps), so a
flattened ``required_if`` is read the way PowerShell would read it.

Only literals are accepted (strings, numbers, $true/$false/$null, arrays,
hashtables). Anything else (a variable, a command, a fragment passed as the
third argument of Create) fails with the line number: the collection's style
keeps ``$spec`` a literal so that it can be checked here.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import sys

import tree_sitter
import tree_sitter_pwsh

_PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_pwsh.language()))

# Nodes that only wrap one meaningful child.
_WRAPPERS = {
    "pipeline", "pipeline_chain", "unary_expression", "assignment_value", "argument_expression",
    "parenthesized_expression", "logical_expression", "bitwise_expression", "comparison_expression",
    "additive_expression", "multiplicative_expression", "format_expression", "range_expression",
}


class SpecError(Exception):
    """The module's $spec cannot be read as a literal."""


def parse(source: bytes) -> tree_sitter.Tree:
    return _PARSER.parse(source)


def syntax_errors(source: bytes, parser: tree_sitter.Parser = _PARSER) -> list[str]:
    """Return 'line:column: text' for every ERROR or MISSING node (empty when the file parses)."""
    problems = []
    stack = [parser.parse(source).root_node]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            row, column = node.start_point
            snippet = node.text.decode("utf-8", "replace").splitlines()[0][:60] if node.text else node.type
            kind = "missing " + node.type if node.is_missing else "cannot parse"
            problems.append(f"{row + 1}:{column + 1}: {kind}: {snippet!r}")
        elif node.has_error:
            stack.extend(node.children)
    return sorted(problems, key=lambda p: tuple(int(x) for x in p.split(":")[:2]))


def _where(node) -> str:
    return f"line {node.start_point[0] + 1}"


def _named(node):
    return [child for child in node.children if child.is_named and child.type != "comment"]


def _string(node) -> str:
    text = node.text.decode("utf-8")
    if text.startswith("@'") or text.startswith('@"'):
        return text[2:-2].strip("\r\n")
    quote, body = text[0], text[1:-1]
    if quote == "'":
        return body.replace("''", "'")
    if "$" in body.replace("`$", ""):
        raise SpecError(f"{_where(node)}: expandable string {text} is not a literal")
    escapes = {"`n": "\n", "`t": "\t", "`r": "\r", '`"': '"', "`$": "$", "``": "`", '""': '"'}
    for escaped, plain in escapes.items():
        body = body.replace(escaped, plain)
    return body


def _number(node):
    text = node.text.decode("utf-8").lower()
    multiplier = 1
    for suffix, factor in (("kb", 1024), ("mb", 1024 ** 2), ("gb", 1024 ** 3)):
        if text.endswith(suffix):
            text, multiplier = text[: -len(suffix)], factor
    text = text.rstrip("ld")
    value = int(text, 16) if text.startswith("0x") else (float(text) if node.type == "real_literal" else int(text))
    return value * multiplier


def _unroll(value):
    """PowerShell enumerates an array written to the pipeline one level deep."""
    return list(value) if isinstance(value, list) else [value]


def evaluate(node):
    """Evaluate a literal expression node the way PowerShell would."""
    kind = node.type
    if kind in _WRAPPERS:
        children = _named(node)
        if len(children) != 1:
            raise SpecError(f"{_where(node)}: unsupported expression {node.text.decode()[:60]!r}")
        return evaluate(children[0])
    if kind == "hash_literal_expression":
        result = {}
        body = [child for child in _named(node) if child.type == "hash_literal_body"]
        for entry in _named(body[0]) if body else []:
            if entry.type != "hash_entry":
                continue
            key_node, value_node = _named(entry)[0], _named(entry)[-1]
            key = key_node.text.decode("utf-8")
            if key[:1] in "'\"":
                key = _string(_named(key_node)[0] if _named(key_node) else key_node)
            lowered = {existing.lower() for existing in result}
            if key.lower() in lowered:
                raise SpecError(f"{_where(entry)}: duplicate key {key!r} (PowerShell keys are case-insensitive)")
            result[key] = evaluate(value_node)
        return result
    if kind == "array_expression":
        items = []
        for statements in _named(node):
            for statement in _named(statements):
                items.extend(_unroll(evaluate(statement)))
        return items
    if kind == "array_literal_expression":
        return [evaluate(child) for child in _named(node)]
    if kind == "expression_with_unary_operator":
        operator = node.children[0].text.decode()
        operand = evaluate(_named(node)[-1])
        if operator == ",":
            return [operand]
        if operator == "-" and isinstance(operand, (int, float)):
            return -operand
        if operator == "+" and isinstance(operand, (int, float)):
            return operand
        raise SpecError(f"{_where(node)}: unsupported operator {operator!r}")
    if kind == "string_literal":
        return _string(node)
    if kind in ("verbatim_string_characters", "expandable_string_literal", "verbatim_here_string_characters",
                "expandable_here_string_literal"):
        return _string(node)
    if kind in ("integer_literal", "decimal_integer_literal", "hexadecimal_integer_literal", "real_literal"):
        return _number(node)
    if kind == "variable":
        name = node.text.decode().lower()
        constants = {"$true": True, "$false": False, "$null": None}
        if name in constants:
            return constants[name]
        raise SpecError(f"{_where(node)}: variable {node.text.decode()} in $spec is not a literal")
    if kind == "cast_expression":
        # [type]value: keep the value; a cast to a delegate type means a custom type, reported as raw.
        return evaluate(_named(node)[-1])
    if kind == "script_block_expression":
        return "raw"
    raise SpecError(f"{_where(node)}: {kind} {node.text.decode()[:60]!r} is not a literal")


def _assignments(root, variable: str):
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "assignment_expression":
            left = node.child_by_field_name("left") or node.children[0]
            if left.text.decode().strip().lower() == variable.lower():
                yield node
        if node.type not in ("function_statement", "script_block_expression"):
            stack.extend(reversed(node.children))


def _create_calls(root):
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "invocation_expression" and node.text.decode().replace(" ", "").lower().startswith(
                "[ansible.basic.ansiblemodule]::create("):
            yield node
        stack.extend(node.children)


_FRAGMENT_CALLS = re.compile(r"^@\(\s*([A-Za-z][\w-]*)\s*\)$")


def _fragment_spec(name: str, module_utils: pathlib.Path) -> dict:
    """The literal hashtable a module_util function returns (the first one in its body), e.g. a shared options spec."""
    for util in sorted(module_utils.glob("*.psm1")):
        root = parse(util.read_bytes()).root_node
        stack = [root]
        while stack:
            node = stack.pop()
            if node.type == "function_statement" and any(
                    child.text.decode().lower() == name.lower() for child in _named(node) if child.type == "function_name"):
                inner = [node]
                while inner:
                    candidate = inner.pop(0)
                    if candidate.type == "hash_literal_expression":
                        return evaluate(candidate)
                    inner.extend(candidate.children)
                raise SpecError(f"{util.name}: function {name} returns no literal hashtable")
            stack.extend(node.children)
    raise SpecError(f"spec fragment function {name} not found in {module_utils}")


def _merge_spec(spec: dict, fragment: dict) -> None:
    """Ansible.Basic's merge of extra specs: options by name, the list keys appended."""
    for key, value in fragment.items():
        if isinstance(value, dict) and isinstance(spec.get(key), dict):
            spec[key].update(value)
        elif isinstance(value, list) and isinstance(spec.get(key), list):
            spec[key].extend(value)
        else:
            spec.setdefault(key, value)


def read_spec(source: bytes, module_utils: pathlib.Path | None = None) -> dict:
    """Return the module's $spec as plain data, or raise SpecError naming the line.

    Create($args, $spec, @(Get-XSpec)) is read too when module_utils is given and Get-XSpec,
    defined there, returns a literal hashtable (the shared domain-connection options).
    """
    errors = syntax_errors(source)
    if errors:
        raise SpecError("the module does not parse: " + "; ".join(errors[:5]))
    root = parse(source).root_node
    calls = list(_create_calls(root))
    if not calls:
        raise SpecError("no [Ansible.Basic.AnsibleModule]::Create(...) call found")
    arguments = [child for child in _named(calls[0]) if child.type == "argument_list"]
    expressions = _named(_named(arguments[0])[0]) if arguments and _named(arguments[0]) else []
    fragments = []
    if len(expressions) == 3 and module_utils is not None:
        match = _FRAGMENT_CALLS.match(expressions[2].text.decode().strip())
        if match:
            fragments = [_fragment_spec(match.group(1), module_utils)]
            expressions = expressions[:2]
    if len(expressions) != 2 or expressions[1].text.decode().strip().lower() != "$spec":
        raise SpecError(f"{_where(calls[0])}: Create must be called as Create($args, $spec) or "
                        "Create($args, $spec, @(Get-<Name>Spec)); other spec fragments cannot be read without PowerShell")
    assignments = list(_assignments(root, "$spec"))
    if len(assignments) != 1:
        raise SpecError(f"expected exactly one assignment to $spec, found {len(assignments)}")
    value = assignments[0].child_by_field_name("value") or _named(assignments[0])[-1]
    spec = evaluate(value)
    if not isinstance(spec, dict):
        raise SpecError(f"{_where(assignments[0])}: $spec is not a hashtable")
    for fragment in fragments:
        _merge_spec(spec, fragment)
    return spec


def pwsh_main(argv: list[str]) -> int:
    """Answer `pwsh <path>/ps_argspec.ps1 <manifest-json>` as validate-modules calls it."""
    if len(argv) != 2 or os.path.basename(argv[0]) != "ps_argspec.ps1":
        sys.stderr.write("pwsh-spec-reader: this is not PowerShell. It only answers ansible-test "
                         "validate-modules' 'pwsh ps_argspec.ps1 <manifest>' call (see tests/sanity/ps_spec_reader.py).\n")
        return 2
    manifest = json.loads(argv[1])
    with open(manifest["module_path"], "rb") as module:
        source = module.read()
    try:
        spec = read_spec(source, pathlib.Path(manifest["module_path"]).resolve().parent.parent / "module_utils")
    except SpecError as error:
        sys.stderr.write(f"{manifest['module_path']}: cannot read $spec: {error}\n")
        return 1
    sys.stdout.write(json.dumps(spec))
    return 0


if __name__ == "__main__":
    sys.exit(pwsh_main(sys.argv[1:]))
