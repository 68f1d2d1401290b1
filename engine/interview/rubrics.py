"""The mock interview's rubrics: 3–6 key points per curriculum id and language (assets/rubrics/{en,zh}/<stem>.toml).

    points("w2v-01", "en")   -> (Point('w2v-01', 'cbow-direction', ...), ...)
    question("w2v-01", "en") -> the question as the learner sees it (curriculum title + the answer file's question)
    rubrics("zh")            -> {qid: (Point, ...)} for every file present
    synonyms("en")           -> {member: (member, alternative, ...)}: the paraphrase classes every rubric shares

The format is described in docs of the rubric files' owner (tests/engine/interview/test_grader.py checks every file):
a point has an id, `say` (what an interviewer listens for), `ask` (the follow-up question), `demo` (query params of
the tab that proves it, `page` inside it overriding the curriculum entry's page), `evidence` (groups of alternative
terms, every group — or `need` of them — matched in one window of `span` sentences), optional `contra` (one wrong
statement as groups, or a list of such statements), `weight`, `ordered`, `negation`.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from engine.core.errors import InputError
from engine.interview import curriculum as cur

ROOT = Path(__file__).resolve().parents[2]
RUBRIC_DIR = ROOT / "assets" / "rubrics"
QA_DIR = ROOT / "assets" / "qa"
LANGS = ("en", "zh")

Group = tuple[str, ...]
Statement = tuple[Group, ...]


@dataclass(frozen=True)
class Point:
    qid: str
    id: str
    say: str
    ask: str
    page: str  # url path of the page whose tab proves the point
    params: tuple[tuple[str, str], ...]  # that tab's query params
    evidence: tuple[Group, ...]
    contra: tuple[Statement, ...] = ()
    weight: float = 1.0
    need: int = 0  # groups needed; 0 = all
    ordered: bool = False
    span: int = 2
    negation: bool = True

    @property
    def needed(self) -> int:
        return self.need or len(self.evidence)

    def link(self, lang: str) -> str:
        """The demo tab's address, e.g. '/word2vec?w2v_tab=train&lang=en'."""
        return f"/{self.page}?" + urlencode([*self.params, ("lang", lang)])


def _groups(raw, where: str) -> tuple[Group, ...]:
    if not isinstance(raw, list) or not raw:
        raise InputError("rubric", f"{where}: expected a non-empty list of groups")
    out = []
    for g in raw:
        if isinstance(g, str):
            g = [g]
        if not isinstance(g, list) or not g or not all(isinstance(t, str) and t.strip() for t in g):
            raise InputError("rubric", f"{where}: a group is a non-empty list of non-empty strings, got {g!r}")
        out.append(tuple(g))
    return tuple(out)


def _contra(raw, where: str) -> tuple[Statement, ...]:
    if raw is None or raw == []:
        return ()
    if not isinstance(raw, list):
        raise InputError("rubric", f"{where}: contra must be a list")
    # one statement (a list of groups: raw[0][0] is a string) or several (raw[0][0] is a list)
    if raw and isinstance(raw[0], list) and raw[0] and isinstance(raw[0][0], list):
        return tuple(_groups(s, where) for s in raw)
    return (_groups(raw, where),)


def _point(qid: str, p: dict, page: str, where: str) -> Point:
    for key in ("id", "say", "ask", "evidence"):
        if key not in p:
            raise InputError("rubric", f"{where}: point without {key!r}")
    demo = dict(p.get("demo", {}))
    point_page = str(demo.pop("page", page))
    evidence = _groups(p["evidence"], f"{where}/{p['id']}")
    need = int(p.get("need", 0))
    if not 0 <= need <= len(evidence):
        raise InputError("rubric", f"{where}/{p['id']}: need={need} with {len(evidence)} groups")
    weight = float(p.get("weight", 1.0))
    if not weight > 0:
        raise InputError("rubric", f"{where}/{p['id']}: weight must be > 0")
    return Point(
        qid=qid,
        id=str(p["id"]),
        say=str(p["say"]),
        ask=str(p["ask"]),
        page=point_page,
        params=tuple((str(k), str(v)) for k, v in demo.items()),
        evidence=evidence,
        contra=_contra(p.get("contra"), f"{where}/{p['id']}"),
        weight=weight,
        need=need,
        ordered=bool(p.get("ordered", False)),
        span=max(1, int(p.get("span", 2))),
        negation=bool(p.get("negation", True)),
    )


def _check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise InputError("lang", f"language must be one of {LANGS}, got {lang!r}")
    return lang


@functools.lru_cache(maxsize=None)
def rubrics(lang: str, directory: Path = RUBRIC_DIR) -> dict[str, tuple[Point, ...]]:
    """Every rubric of this language, from every file present."""
    _check_lang(lang)
    pages = {e.id: e.page for e in cur.entries()}
    out: dict[str, tuple[Point, ...]] = {}
    for path in sorted((directory / lang).glob("*.toml")):
        try:
            with path.open("rb") as f:
                table = tomllib.load(f)
        except tomllib.TOMLDecodeError as e:
            raise InputError("rubric", f"{path.name}: {e}") from e
        for qid, body in table.items():
            where = f"{path.name}:{qid}"
            if qid not in pages:
                raise InputError("rubric", f"{where}: not a curriculum id")
            if qid in out:
                raise InputError("rubric", f"{where}: defined twice")
            out[qid] = tuple(_point(qid, p, pages[qid], where) for p in body.get("points", []))
    return out


def points(qid: str, lang: str) -> tuple[Point, ...]:
    table = rubrics(lang)
    if qid not in table:
        raise InputError("qid", f"no {lang} rubric for {qid!r}")
    return table[qid]


@functools.lru_cache(maxsize=None)
def _qa_questions(lang: str) -> dict[str, str]:
    out = {}
    for path in sorted((QA_DIR / lang).glob("*.toml")):
        with path.open("rb") as f:
            for qid, body in tomllib.load(f).items():
                if isinstance(body, dict) and "question" in body:
                    out[qid] = str(body["question"])
    return out


def question(qid: str, lang: str) -> str:
    """Every wording of the question the learner may have seen: the curriculum title and the answer file's question."""
    _check_lang(lang)
    entry = cur.by_id().get(qid)
    if entry is None:
        raise InputError("qid", f"unknown curriculum id {qid!r}")
    return "\n".join(x for x in (entry.title(lang), _qa_questions(lang).get(qid, "")) if x)


# ---------------------------------------------------------------- the vocabulary every rubric shares
# Paraphrases a candidate uses for the same idea. A rubric term equal to a member (a whole term or one of its words;
# in Chinese, a substring) also matches every other member of its class (engine.interview.grader builds the
# patterns). Classes are symmetric; ONE_WAY entries add alternatives to a key only (a "table" is not always a matrix).
# Keep every class tight: a member that also means something else widens every point that uses it, contras included.
SYNONYMS_EN: tuple[tuple[str, ...], ...] = (
    ("predict", "guess", "infer"),
    ("concatenat", "glue", "stitch"),
    ("sum", "add up", "adds up", "added up", "adding up"),
    ("bidirection", "both direction", "both side", "left and right", "two direction", "two side"),
    ("unidirection", "one direction", "single direction", "one sided", "one side only"),
    ("parallel", "at once", "simultaneous", "at the same time", "in one go", "in one pass", "concurrent"),
    ("sequential", "one after another", "one after the other", "step by step", "in sequence", "serial"),
    ("expensive", "costly", "cost a lot", "costs a lot", "pricey"),
    ("cheap", "inexpensive", "low cost"),
    ("large", "big", "huge", "massive", "enormous", "vast"),
    ("rare", "infrequent", "uncommon", "seldom"),
    ("unlabel", "unannotat", "un annotat", "raw text", "plain text"),
    ("remov", "eliminat", "get rid", "gets rid", "got rid", "throw away", "throws away", "discard"),
    ("replac", "substitut"),
    ("vanish", "near zero", "close to zero", "almost zero", "nearly zero"),
    ("gradient", "derivative"),
    ("meaning", "semantic"),
    ("word order", "order of words", "order of the words"),
    ("previous", "earlier", "preceding"),
    ("next token", "next word", "following word", "following token"),
    ("whole", "entire"),
    ("every", "each"),
    ("feed forward", "feedforward", "ffn"),
    ("residual", "skip connection", "shortcut"),
    ("standard deviation", "std"),
    ("optimal", "best possible"),
    ("successor", "outgoing", "exits"),
    ("gold", "ground truth", "reference", "true target", "correct target", "real target", "actual target"),
    ("inference", "test time", "at test", "decoding time", "prediction time"),
    ("probabilit", "chance"),
    ("mask", "hide", "hides", "hiding", "blank out", "blanked out", "blanks out"),
)
ONE_WAY_EN: dict[str, tuple[str, ...]] = {
    "matrix": ("table",),
    "vector": ("embedding",),
    "embedding": ("vector",),
    "count": ("how often", "number of times"),
    "context": ("surround", "neighbo", "words around", "nearby word"),
}
SYNONYMS_ZH: tuple[tuple[str, ...], ...] = (
    ("预测", "猜", "推断", "推测"),
    (
        "上下文",
        "周围的词",
        "周边的词",
        "前后的词",
        "左右的词",
        "两边的词",
        "两侧的词",
        "附近的词",
        "邻近的词",
        "旁边的词",
        "语境",
    ),
    ("中心词", "中间的词", "中间那个词", "中间的那个词", "当前词"),
    ("相加", "加起来", "加在一起", "求和", "加和", "累加"),
    ("拼接", "拼起来", "拼在一起", "串起来", "串联", "连起来", "首尾相连"),
    ("隐藏层", "隐层", "隐含层"),
    ("昂贵", "成本高", "代价高", "费钱", "花钱", "开销大"),
    ("无标注", "没有标注", "未标注", "不带标注", "不带标签", "没有标签", "无标签", "原始文本", "生文本", "纯文本"),
    ("并行", "同时计算", "同时算", "一起算", "一次算完", "一次性算"),
    ("串行", "依次", "逐步", "一步步", "一步一步", "挨个", "按顺序", "一个接一个"),
    ("词序", "语序", "先后顺序"),
    ("词向量", "词嵌入"),
    ("梯度", "导数"),
    ("消失", "趋近于零", "趋近于 0", "趋于零", "几乎为零", "几乎为 0", "接近零"),
    ("稠密", "密集", "致密"),
    ("多义", "歧义", "多种意思", "多个意思", "不同的意思", "多种含义", "不同含义"),
    ("冻结", "冻住", "固定住", "不更新"),
    ("微调", "精调"),
    ("下一句", "下一个句子", "后一句", "紧跟", "紧接"),
    ("双向", "两个方向", "左右两边", "左右两侧"),
    ("单向", "一个方向"),
    ("位置编码", "位置嵌入", "位置向量"),
    ("残差", "跳连", "跳跃连接", "捷径", "shortcut", "skip connection"),
    ("去掉", "去除", "删掉", "删除", "扔掉", "拿掉", "移除"),
    ("代替", "替换", "取代", "换成"),
    ("低频", "罕见", "稀有", "生僻", "少见"),
    ("高频", "常见", "频繁"),
    ("海量", "大规模", "巨量"),
    ("标准答案", "真实答案", "正确答案", "参考答案", "参考译文", "真实标签", "ground truth", "gold"),
    ("推理时", "推理阶段", "推断时", "测试时", "测试阶段", "预测阶段"),
    ("遮", "盖住", "挡住", "蒙住", "掩盖", "抹掉"),
)
ONE_WAY_ZH: dict[str, tuple[str, ...]] = {
    "掩码": ("遮", "mask"),
    "相似": ("相近", "类似", "靠近", "挨得近"),
    "矩阵": ("表格", "一张表"),
}


@functools.lru_cache(maxsize=None)
def synonyms(lang: str) -> dict[str, tuple[str, ...]]:
    """{member: every alternative of it, itself first}, from the classes and one-way entries above."""
    classes, one_way = (SYNONYMS_ZH, ONE_WAY_ZH) if _check_lang(lang) == "zh" else (SYNONYMS_EN, ONE_WAY_EN)
    out: dict[str, list[str]] = {}
    for cls in classes:
        for m in cls:
            out.setdefault(m, [m]).extend(x for x in cls if x not in out[m])
    for key, alts in one_way.items():
        out.setdefault(key, [key]).extend(x for x in alts if x not in out[key])
    return {k: tuple(v) for k, v in out.items()}
