"""Terraform `resource` and `data` blocks checked against their provider's published schema.

The google providers cannot be installed here, so their schema comes from the CDK for Terraform
bindings, which are generated from it: each wheel carries a jsii assembly (every resource's config
struct: its properties, their struct types and which are optional) and the generated JavaScript
(`synthesizeHclAttributes` and the `...ToHclTerraform` functions: the Terraform name written for each
property and whether it is a block). The names come from the JavaScript because that is what cdktf
itself writes into a configuration; camelCase cannot be turned back reliably (`buildAttribute` is
`build`, `fetchhDetails` is `geth_details`, `vlanTag8021Q` is `vlan_tag8021q`).

The .tf files are read by a small structural parser rather than python-hcl2: only the shape matters
here (which names are arguments and which are blocks, with their lines), never an expression's
value, and a structural reader cannot fall behind Terraform's expression syntax.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import tarfile
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Bumped whenever the cached schema's shape or the extraction changes, so old caches are not read.
FORMAT = 2

# ---------------------------------------------------------------------------------------------
# The schema
# ---------------------------------------------------------------------------------------------

# A block's schema, as cached: {"attributes": {name: required}, "blocks": {name: [required, Block]}}.
# A name in both is an argument that may also be written as a block; a block's schema is None where
# the bindings do not describe its content.
SchemaBlock = dict[str, Any]


@dataclass(frozen=True)
class ProviderSchema:
    source: str  # "hashicorp/google"
    version: str  # the provider's version the bindings were generated from
    package: str  # "cdktf-cdktf-provider-google==16.12.1"
    resource: Mapping[str, SchemaBlock]
    data: Mapping[str, SchemaBlock]


_README_VERSION = re.compile(r"prebuilt bindings for (\S+/\S+) provider version (\d+\.\d+\.\d+)")
_TF_TYPE = re.compile(r'^(\w+)\.tfResourceType = "(\w+)";$', re.M)
_CONFIG_FIELD = re.compile(r"^\s+this\._(\w+)(?:\.internalValue)? = config\.(\w+);$", re.M)
_FUNCTION = re.compile(r"^function (\w+)ToHclTerraform\(struct\) \{\n(.*?)^\}$", re.M | re.S)
_SYNTHESIZE = re.compile(r"^    synthesizeHclAttributes\(\) \{\n(.*?)^    \}$", re.M | re.S)
# One property of `attrs` in a ...ToHclTerraform function or synthesizeHclAttributes:
#     name: {
#         value: <mapper>(struct.camelName) or (this._field) or (this._field.internalValue),
#         isBlock: true,
_ENTRY = re.compile(
    r"^ +(\w+): \{\n +value: [^\n]*\((struct\.|this\._)(\w+?)(?:\.internalValue)?\),\n +isBlock: (true|false),",
    re.M,
)


def _wheel_assembly(wheel: Path) -> tuple[str, str, dict[str, bytes]]:
    """(provider source, provider version, {path in the npm package: bytes}) from a bindings wheel."""
    with zipfile.ZipFile(wheel) as archive:
        metadata = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        found = _README_VERSION.search(archive.read(metadata).decode())
        if not found:
            raise ValueError(f"{wheel.name}: its README does not name the provider version it was built from")
        tarballs = [n for n in archive.namelist() if n.endswith(".jsii.tgz")]
        if len(tarballs) != 1:
            raise ValueError(f"{wheel.name}: expected one .jsii.tgz, found {tarballs}")
        files: dict[str, bytes] = {}
        with tarfile.open(fileobj=io.BytesIO(archive.read(tarballs[0])), mode="r:gz") as tar:
            for member in tar:
                if member.isfile() and (member.name == "package/.jsii" or member.name.endswith(".js")):
                    extracted = tar.extractfile(member)
                    assert extracted is not None
                    files[member.name] = extracted.read()
    assembly = files.pop("package/.jsii")
    # A jsii assembly may be stored compressed, pointing at the file that holds it.
    redirect = json.loads(assembly)
    if redirect.get("schema") == "jsii/file-redirect":
        assembly = gzip.decompress(files[f"package/{redirect['filename']}"])
    files["package/.jsii"] = assembly
    return found.group(1), found.group(2), files


@dataclass
class _Generated:
    """What the JavaScript of one module folder (lib/<folder>/) says."""

    tf_types: dict[str, str] = field(default_factory=dict)  # class -> Terraform type
    config_fields: dict[str, str] = field(default_factory=dict)  # config property -> private field
    top: dict[str, tuple[str, bool]] = field(default_factory=dict)  # field -> (name, is block)
    # struct function (camelCase struct name) -> property -> (Terraform name, is block)
    structs: dict[str, dict[str, tuple[str, bool]]] = field(default_factory=dict)


def _read_javascript(files: Mapping[str, bytes]) -> dict[str, _Generated]:
    folders: dict[str, _Generated] = {}
    for path, raw in files.items():
        if not path.startswith("package/lib/") or path.count("/") < 3:
            continue
        text = raw.decode()
        gen = folders.setdefault(path.split("/")[2], _Generated())
        gen.tf_types.update(dict(_TF_TYPE.findall(text)))
        gen.config_fields.update({prop: private for private, prop in _CONFIG_FIELD.findall(text)})
        for body in _SYNTHESIZE.findall(text):
            for name, _, private, block in _ENTRY.findall(body):
                gen.top[private] = (name, block == "true")
        for function, body in _FUNCTION.findall(text):
            gen.structs[function] = {
                prop: (name, block == "true") for name, _, prop, block in _ENTRY.findall(body)
            }
    return folders


def _struct_in(ref: Mapping[str, Any]) -> str | None:
    """The struct a property's type is built on (a block), or None for a plain attribute."""
    if "fqn" in ref:
        return None if ref["fqn"].startswith("cdktf.") else str(ref["fqn"])
    if "collection" in ref:
        return _struct_in(ref["collection"]["elementtype"])
    if "union" in ref:
        found = {_struct_in(member) for member in ref["union"]["types"]} - {None}
        if len(found) > 1:
            raise ValueError(f"a union of several structs: {found}")
        return found.pop() if found else None
    return None


def extract(wheel: Path) -> dict[str, Any]:
    """The compact schema of every resource and data source in a cdktf bindings wheel."""
    source, version, files = _wheel_assembly(wheel)
    types: dict[str, Any] = json.loads(files["package/.jsii"])["types"]
    generated = _read_javascript(files)

    def folder(jsii_type: Mapping[str, Any]) -> str:
        return str(jsii_type["locationInModule"]["filename"]).split("/")[1]  # src/<folder>/...

    def block(struct_fqn: str, names: Mapping[str, tuple[str, bool]], where: str) -> SchemaBlock:
        struct = types[struct_fqn]
        if set(struct.get("interfaces", [])) - {"cdktf.TerraformMetaArguments"}:
            raise ValueError(f"{where}: {struct_fqn} inherits properties: {struct['interfaces']}")
        # The code writes nothing the types leave out (else a real argument would be reported).
        if unknown := set(names) - {prop["name"] for prop in struct.get("properties", [])}:
            raise ValueError(f"{where}: written by the code but not in {struct_fqn}: {sorted(unknown)}")
        attributes: dict[str, bool] = {}
        blocks: dict[str, Any] = {}
        for prop in struct.get("properties", []):
            if prop["name"] not in names:
                raise ValueError(f"{where}: no Terraform name for {struct_fqn}.{prop['name']}")
            name, is_block = names[prop["name"]]
            required = not prop.get("optional", False)
            nested = _struct_in(prop["type"])
            if is_block != (nested is not None):
                raise ValueError(f"{where}.{name}: a block in the code and not in the types, or the reverse")
            # cdktf documents every Terraform block as "<name> block." and nothing else so. A block
            # nested too deep for it is typed `any` (its content is not known: None); an attribute
            # of object type is typed as a struct, like a block, and may be written either way.
            documented_block = prop.get("docs", {}).get("summary") == f"{name} block."
            if nested is not None:
                inner = types[nested]
                function = inner["name"][0].lower() + inner["name"][1:]
                content = block(nested, generated[folder(inner)].structs[function], f"{where}.{name}")
                blocks[name] = [required, content]
                if not documented_block:
                    attributes[name] = required
            elif documented_block:
                blocks[name] = [required, None]
            else:
                attributes[name] = required
        return {"attributes": attributes, "blocks": blocks}

    kinds = {"cdktf.TerraformResource": "resource", "cdktf.TerraformDataSource": "data"}
    schema: dict[str, Any] = {"resource": {}, "data": {}}
    for jsii_type in types.values():
        kind = kinds.get(jsii_type.get("base", ""))
        if jsii_type["kind"] != "class" or kind is None:
            continue
        gen = generated[folder(jsii_type)]
        tf_type = gen.tf_types[jsii_type["name"]]
        config = jsii_type["initializer"]["parameters"][2]["type"]["fqn"]
        if unset := set(gen.top) - set(gen.config_fields.values()):
            raise ValueError(
                f"{tf_type}: written by the code but set from no config property: {sorted(unset)}"
            )
        names = {prop: gen.top[private] for prop, private in gen.config_fields.items() if private in gen.top}
        schema[kind][tf_type] = block(config, names, tf_type)
    return {"format": FORMAT, "provider": source, "provider_version": version, **schema}


def load(wheel: Path, cache_dir: Path) -> ProviderSchema:
    """A wheel's schema, extracted once per wheel (the cache file is named by the wheel's version)."""
    package, package_version = wheel.name.split("-")[:2]
    cache = cache_dir / f"{package}-{package_version}.schema-v{FORMAT}.json"
    if not cache.is_file():
        compact = extract(wheel)
        partial = cache.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(compact, separators=(",", ":"), sort_keys=True))
        partial.replace(cache)
        for stale in cache_dir.glob(f"{package}-*.schema-v*.json"):
            if stale != cache:
                stale.unlink()
    data = json.loads(cache.read_text())
    return ProviderSchema(
        source=data["provider"],
        version=data["provider_version"],
        package=f"{package.replace('_', '-')}=={package_version}",
        resource=data["resource"],
        data=data["data"],
    )


def _from_terraform(block: Mapping[str, Any]) -> SchemaBlock:
    attributes: dict[str, bool] = {}
    blocks: dict[str, Any] = {}
    for name, attribute in block.get("attributes", {}).items():
        if not (attribute.get("required") or attribute.get("optional")):
            continue  # computed only: not settable
        attributes[name] = bool(attribute.get("required"))
        kind = attribute.get("type")
        # Terraform also takes an attribute of list or set of objects written as blocks, one a
        # member (its "attributes as blocks" mode, which SDKv2 providers rely on).
        if (
            isinstance(kind, list)
            and kind[0] in {"list", "set"}
            and isinstance(kind[1], list)
            and kind[1][0] == "object"
        ):
            blocks[name] = [False, {"attributes": dict.fromkeys(kind[1][1], False), "blocks": {}}]
    for name, nested in block.get("block_types", {}).items():
        blocks[name] = [nested.get("min_items", 0) > 0, _from_terraform(nested["block"])]
    return {"attributes": attributes, "blocks": blocks}


def from_terraform(provider_schemas: Mapping[str, Any], source: str, version: str) -> ProviderSchema:
    """A provider's schema from `terraform providers schema -json` (where the provider is installed)."""
    found = provider_schemas["provider_schemas"][f"registry.terraform.io/{source}"]
    return ProviderSchema(
        source=source,
        version=version,
        package=f"terraform providers schema ({source} {version})",
        resource={t: _from_terraform(s["block"]) for t, s in found.get("resource_schemas", {}).items()},
        data={t: _from_terraform(s["block"]) for t, s in found.get("data_source_schemas", {}).items()},
    )


# ---------------------------------------------------------------------------------------------
# The configuration
# ---------------------------------------------------------------------------------------------


class HclError(ValueError):
    pass


@dataclass(frozen=True)
class Token:
    kind: str  # ident, string, heredoc, punct, other, newline, eof
    text: str
    line: int


@dataclass
class Attribute:
    name: str
    line: int
    tokens: list[Token]

    @property
    def text(self) -> str:
        """The expression as written, without spaces (a string keeps its quotes)."""
        return "".join(t.text for t in self.tokens)


@dataclass
class Body:
    attributes: list[Attribute] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)

    def attribute(self, name: str) -> Attribute | None:
        return next((a for a in self.attributes if a.name == name), None)


@dataclass
class Block:
    type: str
    labels: list[str]
    body: Body
    line: int


_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n")
_TWO_CHAR = {"==", "!=", "<=", ">=", "=>", "&&", "||", "::"}
_OPEN = {"{": "}", "[": "]", "(": ")"}


class _Lexer:
    def __init__(self, text: str, name: str) -> None:
        self.text, self.name, self.pos, self.line = text, name, 0, 1

    def fail(self, message: str) -> HclError:
        return HclError(f"{self.name}:{self.line}: {message}")

    def tokens(self) -> Iterator[Token]:
        text = self.text
        while self.pos < len(text):
            char, line = text[self.pos], self.line
            if char in " \t\r":
                self.pos += 1
            elif char == "\n":
                self.pos += 1
                self.line += 1
                yield Token("newline", "\n", line)
            elif char == "#" or text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                if end < 0:
                    raise self.fail("unterminated comment")
                self.line += text.count("\n", self.pos, end)
                self.pos = end + 2
            elif char == '"':
                start = self.pos
                self._string()
                yield Token("string", text[start : self.pos], line)
            elif heredoc := _HEREDOC.match(text, self.pos):
                yield Token("heredoc", self._heredoc(heredoc), line)
            elif ident := _IDENT.match(text, self.pos):
                self.pos = ident.end()
                yield Token("ident", ident.group(), line)
            elif text[self.pos : self.pos + 2] in _TWO_CHAR:
                self.pos += 2
                yield Token("punct", text[self.pos - 2 : self.pos], line)
            elif char in "{}[]()=,.:?!<>+-*/%&|;~" or char.isdigit():
                self.pos += 1
                yield Token("punct" if not char.isdigit() else "other", char, line)
            else:
                self.pos += 1
                yield Token("other", char, line)
        yield Token("eof", "", self.line)

    def _string(self) -> None:
        """Past a quoted template, whose `${ }` and `%{ }` may hold braces and strings of their own."""
        text = self.text
        self.pos += 1
        while self.pos < len(text):
            char = text[self.pos]
            if char == "\\":
                self.pos += 2
            elif char == '"':
                self.pos += 1
                return
            elif char == "\n":
                raise self.fail("a quoted string runs past the end of its line")
            elif text.startswith(("$${", "%%{"), self.pos):
                self.pos += 3
            elif text.startswith(("${", "%{"), self.pos):
                self.pos += 2
                self._interpolation()
            else:
                self.pos += 1
        raise self.fail("unterminated string")

    def _interpolation(self) -> None:
        depth, text = 1, self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char == '"':
                self._string()
                continue
            if char == "\n":
                self.line += 1
            elif char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    self.pos += 1
                    return
            self.pos += 1
        raise self.fail("unterminated interpolation")

    def _heredoc(self, opening: re.Match[str]) -> str:
        marker = opening.group(2)
        self.pos = opening.end()
        self.line += 1
        lines = self.text[self.pos :].split("\n")
        for count, body_line in enumerate(lines):
            if body_line.strip() == marker:
                consumed = "\n".join(lines[: count + 1])
                self.pos += len(consumed)  # stops before the newline that ends the marker's line
                self.line += count
                return f"<<{opening.group(1)}{marker}"
        raise self.fail(f"heredoc <<{marker} is never closed")


class _Parser:
    def __init__(self, text: str, name: str) -> None:
        self.name = name
        self.tokens = list(_Lexer(text, name).tokens())
        self.pos = 0

    def fail(self, token: Token, message: str) -> HclError:
        return HclError(f"{self.name}:{token.line}: {message} (at {token.text!r})")

    def peek(self) -> Token:
        return self.tokens[self.pos]

    def next(self) -> Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def body(self, closing: bool) -> Body:
        body = Body()
        while True:
            token = self.next()
            if token.kind == "newline":
                continue
            if token.text == "}" and closing:
                return body
            if token.kind == "eof":
                if closing:
                    raise self.fail(token, "a block is never closed")
                return body
            if token.kind != "ident":
                raise self.fail(token, "expected an argument or a block")
            following = self.peek()
            if following.text == "=":
                self.next()
                body.attributes.append(Attribute(token.text, token.line, self.expression()))
                continue
            labels: list[str] = []
            while self.peek().kind in {"string", "ident"}:
                label = self.next()
                labels.append(label.text[1:-1] if label.kind == "string" else label.text)
            opening = self.next()
            if opening.text != "{":
                raise self.fail(opening, f"expected '=' or a block after {token.text!r}")
            body.blocks.append(Block(token.text, labels, self.body(closing=True), token.line))

    def expression(self) -> list[Token]:
        """An argument's value: up to the end of its line, or the `}` of a one-line block."""
        tokens: list[Token] = []
        stack: list[str] = []
        while True:
            token = self.peek()
            if token.kind == "eof":
                if stack:
                    raise self.fail(token, "an expression is never closed")
                return tokens
            if not stack and (token.kind == "newline" or token.text == "}"):
                if not tokens:
                    raise self.fail(token, "an argument has no value")
                return tokens
            self.next()
            if token.text in _OPEN:
                stack.append(_OPEN[token.text])
            elif token.text in {"}", "]", ")"} and (not stack or stack.pop() != token.text):
                raise self.fail(token, "unbalanced brackets")
            if token.kind != "newline":
                tokens.append(token)


def parse(text: str, name: str = "<text>") -> Body:
    return _Parser(text, name).body(closing=False)


# ---------------------------------------------------------------------------------------------
# The check
# ---------------------------------------------------------------------------------------------

_META_ARGUMENTS = {"count", "for_each", "depends_on", "provider"}
# Terraform's own blocks inside a resource; what a provisioner or connection holds depends on its
# type, so only lifecycle's content is checked here.
_LIFECYCLE: SchemaBlock = {
    "attributes": {
        "create_before_destroy": False,
        "prevent_destroy": False,
        "ignore_changes": False,
        "replace_triggered_by": False,
    },
    "blocks": {
        "precondition": [False, {"attributes": {"condition": True, "error_message": True}, "blocks": {}}],
        "postcondition": [False, {"attributes": {"condition": True, "error_message": True}, "blocks": {}}],
    },
}
_DATA_LIFECYCLE: SchemaBlock = {"attributes": {}, "blocks": _LIFECYCLE["blocks"]}


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)  # "resource.google_x.name" checked against a schema
    unchecked: list[str] = field(default_factory=list)  # blocks of providers without a schema here


@dataclass
class _Module:
    directory: Path
    files: dict[str, Body]
    providers: dict[str, str]  # local name -> source ("hashicorp/google")


def _source(raw: str) -> str:
    parts = raw.strip('"').lower().split("/")
    return "/".join(parts[-2:]) if len(parts) > 1 else f"hashicorp/{parts[0]}"


def _read_module(directory: Path) -> _Module:
    files = {
        path.name: parse(path.read_text(), str(path))
        for path in sorted(directory.glob("*.tf"))
        if path.is_file()
    }
    providers: dict[str, str] = {}
    for body in files.values():
        for terraform in (b for b in body.blocks if b.type == "terraform"):
            for required in (b for b in terraform.body.blocks if b.type == "required_providers"):
                for entry in required.body.attributes:
                    found = re.search(r'source="([^"]+)"', entry.text)
                    providers[entry.name] = _source(found.group(1) if found else entry.name)
    return _Module(directory, files, providers)


def _check_body(
    body: Body,
    schema: SchemaBlock,
    path: str,
    at: str,
    problems: list[str],
    *,
    meta: Mapping[str, SchemaBlock | None] | None = None,
) -> None:
    """One body against its block's schema (`at`: the block's file and line). `meta` holds the
    blocks Terraform itself allows there, for a resource's or data source's own body."""
    attributes: Mapping[str, bool] = schema["attributes"]
    blocks: Mapping[str, list[Any]] = schema["blocks"]
    meta_blocks = meta or {}
    top = meta is not None
    where = at.rsplit(":", 1)[0]
    for attribute in body.attributes:
        here = f"{where}:{attribute.line}: {path}"
        if top and attribute.name in _META_ARGUMENTS:
            continue
        if attribute.name in attributes:
            continue
        if attribute.name in blocks:
            problems.append(
                f"{here}: {attribute.name!r} is a block, written as an argument ({attribute.name} = ...)"
            )
        else:
            problems.append(f"{here}: unsupported argument {attribute.name!r}")
    if top and body.attribute("count") and body.attribute("for_each"):
        problems.append(f"{at}: {path}: count and for_each together")
    present = {a.name for a in body.attributes}
    for block in body.blocks:
        here = f"{where}:{block.line}"
        name = block.type
        if name == "dynamic":
            if len(block.labels) != 1:
                problems.append(f"{here}: {path}: a dynamic block needs one label, the block it generates")
                continue
            name = block.labels[0]
            contents = [b for b in block.body.blocks if b.type == "content"]
            extra = {a.name for a in block.body.attributes} - {"for_each", "iterator", "labels"}
            if block.body.attribute("for_each") is None or len(contents) != 1 or extra:
                problems.append(
                    f"{here}: {path}: dynamic {name!r} needs for_each and one content block, and nothing else"
                )
            if name not in blocks:
                what = "an argument" if name in attributes else "not a block here"
                problems.append(f"{here}: {path}: dynamic {name!r}: {name!r} is {what}")
                continue
            if blocks[name][1] is not None:
                for content in contents:
                    _check_body(
                        content.body, blocks[name][1], f"{path}.{name}", f"{where}:{content.line}", problems
                    )
        elif top and name in meta_blocks:
            if name == "lifecycle" and name in present:
                problems.append(f"{here}: {path}: a second lifecycle block")
            if (inner := meta_blocks[name]) is not None:
                _check_body(block.body, inner, f"{path}.{name}", here, problems)
        elif name in blocks:
            if block.labels:
                problems.append(f"{here}: {path}: block {name!r} takes no labels")
            if blocks[name][1] is not None:
                _check_body(block.body, blocks[name][1], f"{path}.{name}", here, problems)
        elif name in attributes:
            problems.append(
                f"{here}: {path}: {name!r} is an argument, written as a block (write {name} = ...)"
            )
        else:
            problems.append(f"{here}: {path}: unsupported block type {name!r}")
        present.add(name)
    for name, required in attributes.items():
        if required and name not in present:
            problems.append(f"{at}: {path}: missing required argument {name!r}")
    for name, (required, _) in blocks.items():
        if required and name not in present and name not in attributes:
            problems.append(f"{at}: {path}: missing required block {name!r}")


def check_module(directory: Path, schemas: Mapping[str, ProviderSchema]) -> Report:
    """Every resource and data block of `directory` and of the local modules it calls."""
    report = Report()
    seen: set[Path] = set()
    pending = [directory.resolve()]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        module = _read_module(current)
        for filename, body in module.files.items():
            where = str(current / filename)
            for block in body.blocks:
                source = block.body.attribute("source")
                if block.type == "module" and source and source.text.startswith(('"./', '"../')):
                    pending.append((current / source.text.strip('"')).resolve())
                if block.type in {"resource", "data"}:
                    _check_resource(block, module, schemas, where, report)
    return report


def _check_resource(
    block: Block, module: _Module, schemas: Mapping[str, ProviderSchema], where: str, report: Report
) -> None:
    kind = block.type
    if len(block.labels) != 2:
        report.problems.append(f"{where}:{block.line}: a {kind} block needs a type and a name")
        return
    tf_type, name = block.labels
    address = f"{'data.' if kind == 'data' else ''}{tf_type}.{name}"
    chosen = block.body.attribute("provider")
    # A resource belongs to the provider named by its `provider` argument, else to the one whose
    # local name is its type's first word (Terraform's implied provider).
    local = chosen.text.split(".")[0] if chosen else tf_type.split("_")[0]
    source = module.providers.get(local, f"hashicorp/{local}")
    provider = schemas.get(source)
    if provider is None:
        report.unchecked.append(f"{address} ({source})")
        return
    report.checked.append(address)
    schema = (provider.resource if kind == "resource" else provider.data).get(tf_type)
    if schema is None:
        noun = "resource type" if kind == "resource" else "data source"
        report.problems.append(
            f"{where}:{block.line}: {address}: {source} {provider.version} has no {noun} {tf_type!r}"
        )
        return
    meta: dict[str, SchemaBlock | None] = (
        {"lifecycle": _LIFECYCLE, "provisioner": None, "connection": None}
        if kind == "resource"
        else {"lifecycle": _DATA_LIFECYCLE}
    )
    _check_body(block.body, schema, address, f"{where}:{block.line}", report.problems, meta=meta)


def schema_wheels(directory: Path) -> list[Path]:
    return sorted(directory.glob("cdktf_cdktf_provider_*.whl"))


def load_all(directory: Path) -> dict[str, ProviderSchema]:
    """The schema of every bindings wheel in `directory`, by provider source."""
    schemas = [load(wheel, directory) for wheel in schema_wheels(directory)]
    return {schema.source: schema for schema in schemas}
