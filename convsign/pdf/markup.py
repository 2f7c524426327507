"""The small text markup of clauses (articles, preamble), turned into data for typst, never into markup.

What a clause's text may contain, and nothing more (this list is shown to staff beside the editor):

- a blank line separates two paragraphs; a single line break inside a paragraph is a space;
- lines starting with « - » (or « • ») form a bulleted list, lines starting with « 1. », « 2. »… a numbered one;
- ``*mots*`` or ``_mots_`` are set in italics, ``**mots**`` in bold (on one line, not nested);
- ``{nom}`` is replaced by a value the document knows (``{intercommunalite}``, ``{nombre_communes}``…)
  when the name is known, and shown as typed otherwise; a line holding only a known block name
  (``{objectifs}``) is replaced by that block (the objectives by domain, the steering committee).

Anything else is shown exactly as typed: typst or HTML syntax, a lone ``*``, ``#``, ``$``, ``[``.
The result is JSON-ready lists and dictionaries; the typst template only places their strings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

Span = dict[str, str]
Block = dict[str, Any]

_BULLET = re.compile(r"^[ \t]*[-•][ \t]+(.*)$")
_NUMBERED = re.compile(r"^[ \t]*\d{1,3}[.)][ \t]+(.*)$")
_INLINE = re.compile(
    r"\*\*(?=\S)(?P<strong>.+?)(?<=\S)\*\*"
    r"|\*(?=[^\s*])(?P<emph>[^*]+?)(?<=\S)\*"
    r"|(?<![\w])_(?=\S)(?P<emph2>[^_]+?)(?<=\S)_(?![\w])"
)
_PLACEHOLDER = re.compile(r"\{([a-z_]{1,40})\}")
_BLOCK_LINE = re.compile(r"^\s*\{([a-z_]{1,40})\}\s*$")


def parse(
    text: str,
    variables: Mapping[str, str] | None = None,
    blocks: Mapping[str, list[Block]] | None = None,
    clean: Callable[[str], str] = lambda s: s,
) -> list[Block]:
    """The blocks of `text`: ``{"kind": "par", "spans": [...]}``, ``{"kind": "list", "numbered": …, "items": […]}``.

    `variables` fill ``{name}`` inside text, `blocks` replace a line holding only ``{name}`` (the caller's
    blocks may also be ``{"kind": "label", "spans": …}``: a short heading kept with what follows);
    `clean` (French typography) is applied to every literal piece of text, values included.
    """
    result: list[Block] = []
    for chunk in _chunks(text):
        name = _BLOCK_LINE.match("\n".join(chunk))
        if name and blocks and name.group(1) in blocks:
            result.extend(blocks[name.group(1)])
            continue
        result.extend(_chunk_blocks(chunk, variables or {}, clean))
    return result


def _chunks(text: str) -> list[list[str]]:
    """Lines grouped by blank lines."""
    chunks: list[list[str]] = [[]]
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.strip():
            chunks[-1].append(line)
        elif chunks[-1]:
            chunks.append([])
    return [c for c in chunks if c]


def _chunk_blocks(lines: list[str], variables: Mapping[str, str], clean: Callable[[str], str]) -> list[Block]:
    """A chunk may mix a paragraph and list items: each run of items is one list."""
    out: list[Block] = []
    paragraph: list[str] = []
    for line in lines:
        item = _BULLET.match(line) or _NUMBERED.match(line)
        if item is None:
            if out and out[-1]["kind"] == "list" and not paragraph:
                out[-1]["raw"][-1] += " " + line.strip()  # a continuation line of the last item
            else:
                paragraph.append(line.strip())
            continue
        if paragraph:
            out.append({"kind": "par", "raw": " ".join(paragraph)})
            paragraph = []
        numbered = _BULLET.match(line) is None
        if not out or out[-1]["kind"] != "list" or out[-1]["numbered"] != numbered:
            out.append({"kind": "list", "numbered": numbered, "raw": []})
        out[-1]["raw"].append(item.group(1).strip())
    if paragraph:
        out.append({"kind": "par", "raw": " ".join(paragraph)})
    return [_finish(b, variables, clean) for b in out]


def _finish(block: Block, variables: Mapping[str, str], clean: Callable[[str], str]) -> Block:
    if block["kind"] == "par":
        return {"kind": "par", "spans": spans(block["raw"], variables, clean)}
    return {"kind": "list", "numbered": block["numbered"],
            "items": [spans(raw, variables, clean) for raw in block["raw"]]}


def spans(
    text: str, variables: Mapping[str, str] | None = None, clean: Callable[[str], str] = lambda s: s
) -> list[Span]:
    """One line of text as styled spans: ``{"text": …, "style": "plain" | "emph" | "strong"}``."""
    out: list[Span] = []
    position = 0
    for match in _INLINE.finditer(text):
        out += _plain(text[position:match.start()], "plain", variables or {}, clean)
        style = "strong" if match.group("strong") is not None else "emph"
        inner = match.group("strong") or match.group("emph") or match.group("emph2") or ""
        out += _plain(inner, style, variables or {}, clean)
        position = match.end()
    out += _plain(text[position:], "plain", variables or {}, clean)
    return [s for s in out if s["text"]]


def _plain(text: str, style: str, variables: Mapping[str, str], clean: Callable[[str], str]) -> list[Span]:
    """Known placeholders replaced by their values (never parsed), unknown ones kept as typed."""
    filled = _PLACEHOLDER.sub(lambda m: variables.get(m.group(1), m.group(0)), text)
    return [{"text": clean(filled), "style": style}]


def plain_text(blocks: list[Block]) -> str:
    """The blocks' words, for a length check or a search (no styling)."""
    words = []
    for block in blocks:
        rows = block["items"] if block["kind"] == "list" else [block["spans"]]
        words += ["".join(s["text"] for s in row) for row in rows]
    return "\n".join(words)
