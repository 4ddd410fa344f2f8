"""Plain words (issue 12): no sentence of the notebooks' Markdown is longer than 35 words.

The readers learn English as a second language, so lecture prose keeps to short sentences (we aim
for 30 words; the test allows 35). The splitter below is deliberately small:

* fenced code blocks, HTML comments, tables and headings are not prose and are dropped;
* HTML tags are dropped, the text between them is kept (a ``<details>`` answer is prose);
* a formula (``$...$`` or ``$$...$$``) and a code span count as one word, and their dots end nothing;
* a link counts by its text, an image not at all;
* a blank line or a list item or quote line starts a new block; a sentence ends with ``.``, ``!`` or
  ``?`` followed by a space, unless the next word starts in lower case or the dot ends a known
  abbreviation (``e.g.``, ``et al.``);
* a word is a run of non-space characters holding a letter or a digit, so ``(卷积)`` is one word.
"""

import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))
LIMIT = 35

_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.S | re.M)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_DISPLAY_MATH = re.compile(r"\$\$.+?\$\$", re.S)
_INLINE_MATH = re.compile(r"(?<!\\)\$[^$]+?(?<!\\)\$")
_CODE_SPAN = re.compile(r"(`+)[^`].*?\1", re.S)
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_ITEM = re.compile(r"^\s*(?:[-*+]|(\d{1,9})[.)])\s+")
_END = re.compile(r"[.!?][\"'’”)\]*_]*\s+")
_ABBREVIATIONS = ("e.g.", "i.e.", "al.", "vs.", "cf.", "eq.", "Eq.", "Fig.", "Sec.", "No.")
_WORD = re.compile(r"\w")
FORMULA = "FORMULA"  # what a formula or a code span reads as: one word


def prose_blocks(markdown: str) -> list[str]:
    """The paragraphs, list items and quotes of ``markdown`` as single lines, without code, math or markup."""
    text = _FENCE.sub("\n", markdown)
    text = _COMMENT.sub(" ", text)
    text = _DISPLAY_MATH.sub(f" {FORMULA} ", text)
    text = _CODE_SPAN.sub(f" {FORMULA} ", text)
    text = _INLINE_MATH.sub(f" {FORMULA} ", text)
    text = _IMAGE.sub(" ", text)
    text = _LINK.sub(r"\1", text)
    text = _TAG.sub(" ", text)
    blocks, current, quote, in_list = [], [], False, False
    for line in text.splitlines():
        stripped = line.strip()
        in_quote = stripped.startswith(">")
        if in_quote:
            stripped = stripped[1:].strip()
        item = _ITEM.match(line)
        if item and item.group(1) and item.group(1) != "1" and current and not in_list:
            item = None  # "2016) was..." inside a paragraph: a numbered item interrupts one only at 1
        if not stripped or stripped.startswith(("#", "|")):
            blocks.append(current)
            current, in_list = [], in_list and not stripped.startswith(("#", "|"))
        elif item or in_quote != quote:
            blocks.append(current)
            current, in_list = [line[item.end():].strip() if item else stripped], bool(item)
        else:
            current.append(stripped)
        quote = in_quote
    blocks.append(current)
    return [" ".join(" ".join(b).split()) for b in blocks if b]


def sentences(markdown: str) -> list[str]:
    """The sentences of ``markdown``'s prose, in order."""
    out = []
    for block in prose_blocks(markdown):
        start = 0
        for m in _END.finditer(block):
            after = block[m.end():]
            last_word = block[start:m.start() + 1].split()[-1].lstrip("(*_")
            if not after or after[0].islower() or last_word in _ABBREVIATIONS:
                continue
            out.append(block[start:m.end()])
            start = m.end()
        out.append(block[start:])
    return [s.strip() for s in out if s.strip()]


def words(sentence: str) -> int:
    """How many words ``sentence`` has: its space-separated tokens that hold a letter or a digit."""
    return sum(1 for token in sentence.split() if _WORD.search(token))


def long_sentences(path: Path, limit: int = LIMIT) -> list[str]:
    """``"NAME cell K (N words): start…"`` for each Markdown sentence of the notebook over ``limit`` words."""
    nb = nbformat.read(path, as_version=4)
    return [f"{path.name} cell {k} ({words(s)} words): {s[:80]}…"
            for k, cell in enumerate(nb.cells) if cell.cell_type == "markdown"
            for s in sentences(cell.source) if words(s) > limit]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_no_sentence_is_longer_than_the_limit(path):
    long = long_sentences(path)
    assert not long, f"split these sentences (at most {LIMIT} words each):\n" + "\n".join(long)


def test_the_splitter_on_a_small_example():
    md = ("## A heading that is not counted as a sentence at all\n\n"
          "First sentence, with `helpers.train.fit(model, data)` and $a.b + c.d$ inside. Second one (Luo et al.\n"
          "2016) has a [link text](https://example.com/a.b.c) and <b>bold</b> words! Is this the third? yes.\n"
          "A signal. Ends here.\n\n"
          "```python\nx = 1. Not prose. Not prose either.\n```\n"
          "| a table. | Not prose. |\n|---|---|\n"
          "* an item without a full stop\n* another item.\n\n1. one\n2. two\n\n"
          "$$y = x. \\quad z = 2.$$\n\n<details><summary>Answer</summary>\n\nIn the answer.\n\n</details>")
    assert sentences(md) == [
        f"First sentence, with {FORMULA} and {FORMULA} inside.",
        "Second one (Luo et al. 2016) has a link text and bold words!",
        "Is this the third? yes.", "A signal.", "Ends here.",
        "an item without a full stop", "another item.", "one", "two", FORMULA, "Answer", "In the answer."]
    assert [words(s) for s in sentences(md)][:2] == [7, 13]


def test_a_long_sentence_is_reported(tmp_path):
    long = "This " + "word " * 38 + "end."
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("Short. " + long + " Short again."),
                                         nbformat.v4.new_code_cell("# " + long)])
    path = tmp_path / "99_long.ipynb"
    nbformat.write(nb, path)
    assert long_sentences(path) == [f"99_long.ipynb cell 0 (40 words): {long[:80]}…"]
    assert long_sentences(path, limit=40) == []
