"""The terms table (helpers.glossary): sane entries, readable renderings, and each term in its notebook."""

import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from helpers.glossary import NOTEBOOKS, TERMS, TERMS_BY_ZH, glossary_html, glossary_markdown, terms_for

NOTEBOOK_DIR = Path(__file__).parent.parent / "notebooks"
HAN = re.compile(r"^[\u4e00-\u9fff]+$")
#: The terms issue 12 found missing from the notebooks, and the slides' main terms.
REQUIRED = ["简单细胞", "复杂细胞", "上半场", "下半场", "参数量", "学习参数", "学习算法",
            "卷积", "互相关", "稀疏交互", "参数共享", "感受野", "等变表示", "不变表示", "步幅", "填充",
            "空洞卷积", "池化", "下采样", "归一化", "局部对比度归一化", "全连接", "特征图", "卷积核",
            "新进展", "典型网络架构"]


def test_the_required_terms_are_there():
    assert [zh for zh in REQUIRED if zh not in TERMS_BY_ZH] == []
    assert TERMS_BY_ZH["步幅"].also == ("步长",)  # the brief's word for it, beside the slides'
    assert TERMS_BY_ZH["新进展"].notebook == "07_modern_convolutions"
    assert TERMS_BY_ZH["典型网络架构"].notebook == "08_architectures"


def test_entries_are_well_formed():
    assert len(TERMS_BY_ZH) == len(TERMS), "a Chinese term is listed twice"
    ens = [t.en for t in TERMS]
    assert len(set(ens)) == len(ens), "an English term is listed twice"
    for t in TERMS:
        assert HAN.match(t.zh), t
        assert all(HAN.match(a) for a in t.also), t
        assert t.notebook in NOTEBOOKS, t
        assert t.en and t.en == t.en.strip() and not re.search(r"[\u4e00-\u9fff]", t.en), t
        assert "\n" not in t.explain and t.explain.endswith("."), t
        assert len(t.explain.split()) <= 20, f"keep it to one short sentence: {t.explain!r}"


def test_terms_follow_the_slides_order():
    order = [NOTEBOOKS.index(t.notebook) for t in TERMS]
    assert order == sorted(order)
    assert [n for n in NOTEBOOKS[1:] if not terms_for(n)] == [], "every part of the slides has terms"
    with pytest.raises(ValueError, match="notebook='09_x' is not allowed"):
        terms_for("09_x")


def test_markdown_table_has_one_row_per_term():
    lines = glossary_markdown().splitlines()
    assert lines[0] == "| 中文 | English | Notebook | Meaning |" and lines[1] == "|---|---|---|---|"
    rows = [[c.strip() for c in line.strip("|").split(" | ")] for line in lines[2:]]
    assert len(rows) == len(TERMS) and all(len(r) == 4 for r in rows)
    assert rows[0][:3] == [TERMS[0].zh, TERMS[0].en, TERMS[0].notebook[:2]]
    step = next(r for r in rows if r[1] == "stride")
    assert step[0] == "步幅 (步长)" and step[2] == "03"


def test_html_table_parses_to_the_same_cells():
    class Cells(HTMLParser):
        def __init__(self):
            super().__init__()
            self.rows, self.inside = [], False

        def handle_starttag(self, tag, attrs):
            if tag == "tr":
                self.rows.append([])
            self.inside = tag in ("td", "th")

        def handle_endtag(self, tag):
            self.inside = False

        def handle_data(self, data):
            if self.inside:
                self.rows[-1].append(data)

    parser = Cells()
    parser.feed(glossary_html())
    assert parser.rows[0] == ["中文", "English", "Notebook", "Meaning"]
    assert len(parser.rows) == len(TERMS) + 1
    assert parser.rows[1:] == [[r.strip() for r in line.strip("|").split(" | ")]
                               for line in glossary_markdown().splitlines()[2:]]


def _text(stem):
    path = NOTEBOOK_DIR / f"{stem}.ipynb"
    if not path.exists():
        pytest.fail(f"{path.name} does not exist yet")
    return "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)


def missing_terms(stem):
    """Terms of notebook ``stem`` whose Chinese (or another name of it) does not appear in it."""
    text = _text(stem)
    return [t.zh for t in terms_for(stem) if not any(name in text for name in (t.zh, *t.also))]


@pytest.mark.parametrize("stem", NOTEBOOKS)
def test_each_term_appears_in_its_notebook(stem):
    assert missing_terms(stem) == []


def test_the_course_map_holds_the_glossary():
    """00 has a 术语表 section that shows the whole table (rendered from helpers.glossary when run)."""
    text = _text("00_course_map")
    assert "术语表" in text and "glossary.show()" in text
    from helpers.glossary import glossary_markdown

    assert [t.zh for t in TERMS if t.zh not in glossary_markdown()] == []
