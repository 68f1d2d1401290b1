"""The mock interview's offline grader: a free answer against the question's rubric (engine.interview.rubrics).

    g = grade_answer("w2v-01", "CBOW predicts the centre word from its context ...", "en")
    g.score            -> 0.75                       (weighted share of hit points, less contradictions, in [0, 1])
    g.points           -> [("cbow-direction", True), ("skipgram-direction", True), ("sum-no-hidden", False), ...]
    g.missed           -> (Point, ...)               (each with .link(lang): the demo tab that proves it)
    follow_up("w2v-01", g, "en").ask                  -> the next question, on the first missed point
    grade_point("w2v-01", "sum-no-hidden", "It adds the context vectors ...", "en").score -> 1.0

How it decides, lexically (no model; every step is in this file):
1. normalise: cap at MAX_CHARS (`truncated`), NFKC, lower case, control characters out, '-', '_', '/' between
   letters become spaces, numbers to one written form ("eight in ten" / 八成 -> 80%, 四分之三 -> 3/4, 十二 -> 12);
   split into sentences (. ! ? ; and their CJK forms, blank lines, list items; not the dot of "0.75").
2. match every term of the rubric (see RUBRIC_FORMAT: Latin terms at word starts, CJK terms as substrings,
   "a ... b" relations inside one sentence, "re:" regexes), each widened to other spellings, inflections, number
   forms and the shared paraphrase vocabulary (_part_pattern), noting for each occurrence whether a negation cue
   stands just before it (or inside a relation).
3. a point is HIT when, inside `span` consecutive sentences, `need` of its groups match by non-negated occurrences
   (in order if `ordered`), at least one of them by a term the question does not contain (a copied question hits
   nothing); it is CONTRADICTED when one of its `contra` statements matches (non-negated), or when it is not hit
   but would be if negated occurrences counted. A contradicted point is missed and costs half its weight.
4. a bare list of terms (almost no function words: no sentence) is capped at TERMS_CAP; an answer that is mostly
   the question's own words is capped at COPY_CAP.
Chinese answers are segmented with jieba (initialised once, quietly) for the function-word and copy measures.
"""

from __future__ import annotations

import bisect
import functools
import html
import logging
import re
import threading
import unicodedata
from dataclasses import dataclass, field

from engine.core.errors import InputError
from engine.interview import rubrics as rb
from engine.interview.rubrics import Point

MAX_CHARS = 4000
TERMS_CAP = 0.25  # a bare list of terms scores at most this share of what it matched (<= 0.5 by the bar)
COPY_CAP = 0.2
CONTRA_COST = 0.5  # share of its weight a contradicted point subtracts
RELATION_GAP = 60
NEGATION_CONTRADICTS = True  # a point matched only under a negation cue counts as contradicted (the brief asks for it;
# on the held-out batch it costs one false contradiction: "the true previous word rather than its own guess")

_SENT_END = re.compile(r"[.!?;。！？；\n]")
# a line break inside a sentence (a hard-wrapped paragraph) is a space; a blank line or a list item ends a sentence
_LONE_NEWLINE = re.compile(r"(?<!\n)\n(?![ \t]*(?:\n|[-*•·+]|\d+[.)、]))")
_BETWEEN_LETTERS = re.compile(r"(?<=[^\W\d_])[-_/‐–—](?=[^\W\d_])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WORD_EN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

NEG_EN = {
    "not",
    "no",
    "never",
    "without",
    "unlike",
    "neither",
    "nor",
    "cannot",
    "none",
    "nothing",
    "isnt",
    "doesnt",
    "dont",
}
NEG_EN_PHRASES = ("instead of", "rather than", "as opposed to")
NOT_NEG_EN = ("not only", "not just", "no longer", "not necessarily", "no matter")  # removed before looking
NEG_ZH = ("不", "没", "无", "未", "非", "别")
NOT_NEG_ZH = (
    "不同",
    "不仅",
    "不只",
    "不断",
    "不过",
    "不少",
    "不管",
    "无论",
    "非常",
    "除非",
    "未来",
    "并非只",
    "不止",
    "别的",
)
ARTICLES_EN = {"the", "a", "an", "its", "their", "this", "that", "any", "all", "each", "every", "one"}

FUNCTION_EN = {
    *"the a an is are was were be been being of to from in on by for with as at that this these those which it its"
    " and or but so because each every than then only into over per has have had does do did can could"
    " will would should may might must they their there them we you i he she what how why when where while if also"
    " just more most less both all any some such same other another very not no never without".split(),
}
FUNCTION_ZH = {
    *"的 是 在 了 会 把 让 因为 所以 和 与 就 而 用 对 被 从 它 它们 这 那 这个 那个 可以 通过 每 个 一个 都 也 还 但 但是 如果"
    " 只 为 为了 将 给 能 要 时 中 上 得 地 着 过 向 由 使 其 并 又 再 更 最 很 及 以及 或 或者 即 于 以 则 却 才 比 像"
    " 这样 那样 这些 那些 什么 怎么 为什么 如何 之 所 而且 并且 于是 因此 只有 还是 就是 不是 也是 都是 一种 一样 不会 能够"
    " 需要 只是 已经 一次 每个 各 自己 我们 你 我 他 她 有 不 没 没有 不用 无需 并不 不能".split(),
}
# words a sentence can hardly do without and a term almost never contains: an answer of 5+ words without any of
# them has no sentence in it
CORE_EN = {
    *"the a an is are was were be been it its this that these those which so because has have does do can will would"
    " there they we you".split()
}
CORE_ZH = {
    *"的 是 了 在 会 把 让 被 就 而 所以 因为 这 那 它 也 都 还 但 但是 可以 能 要 着 就是 不是 并 并且 而且 如果 对 从 用 给 将 使"
    " 这个 那个 这样 只 才 再 又 每 一个".split()
}
CORE_ZH_CHARS = {w for w in CORE_ZH if len(w) == 1} - {"对"}  # looked for inside tokens too (对称, 对数: not)
TERMS_SHARE_EN = 0.12  # below this share of function words an English answer is a bare list
TERMS_SHARE_ZH = 0.08
SEGMENTS_SAMPLED = 40  # items of a long answer whose length the bare-list guard measures
COPY_SHARE = 0.75  # above this share of content words taken from the question (and short) it is a copy


@dataclass(frozen=True)
class Grade:
    qid: str
    lang: str
    score: float
    points: list = field(default_factory=list)  # [(point_id, hit: bool)] in rubric order
    missed: tuple = ()  # the missed Points, in rubric order
    contradicted: tuple = ()  # ids of points the answer states wrongly
    truncated: bool = False
    notes: tuple = ()  # codes: truncated, empty, terms, copy, contradiction
    shown: str = ""  # the (capped) answer, HTML-escaped, for display

    @property
    def hits(self) -> int:
        return sum(hit for _, hit in self.points)


# ------------------------------------------------------------------ text
def _normalise(text: str) -> str:
    s = unicodedata.normalize("NFKC", _THOUSANDS.sub("", text)).lower()
    s = _CONTROL.sub(" ", s).replace("\r", "\n").replace("’", "'").replace("‘", "'")
    return _numbers(_BETWEEN_LETTERS.sub(" ", s))


# ------------------------------------------------------------------ numbers, written in words or in digits
# Answers, terms and questions all pass through _normalise, so a number reads the same however it is written:
# "sixty-four" -> 64, "fifteen percent" / "15 %" / "百分之十五" -> 15%, "eight in ten" / "八成" -> 80%,
# "three quarters" / "四分之三" -> 3/4, "0 point 7 5" -> 0.75, "30,000" -> 30000, "五十" -> 50, "十二层" -> 12层.
# A term's fraction (0.75, 3/4, 75%) then matches all of its written forms (_number_pattern).
_EN_UNITS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen"
        " seventeen eighteen nineteen".split()
    )
}
_EN_TENS = {w: 10 * i for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)}
_EN_SCALES = {"hundred": 100, "thousand": 1000}
# "one" and "a" are words first ("one vector", "the other one"): numbers only before a scale ("one hundred")
_EN_FIRST = "|".join([*(w for w in _EN_UNITS if w != "one"), *_EN_TENS])
_EN_NEXT = "|".join([*_EN_UNITS, *_EN_TENS, *_EN_SCALES])
_EN_NUM_RUN = re.compile(
    rf"\b(?:(?:a|one)(?=\s+(?:hundred|thousand)\b)|{_EN_FIRST})(?:\s+(?:and\s+)?(?:{_EN_NEXT}))*\b"
)
_ZH_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000, "亿": 10**8}
_ZH_NUM = "[零〇一二两三四五六七八九十百千万亿]+"
_ZH_MEASURE = "层维头轮遍倍亿万"


def _en_value(words: list[str]) -> list[tuple[int, int]]:
    """Split a run of number words into numbers: [(value, words used)], e.g. sixty four -> 64, two three -> 2, 3."""
    out, i = [], 0
    while i < len(words):
        total, cur, n, last = 0, 0, 0, None
        while i < len(words):
            w = words[i]
            if w == "and":
                if last != "scale" or i + 1 >= len(words) or words[i + 1] in _EN_SCALES or words[i + 1] == "and":
                    break
                i, n = i + 1, n + 1
                continue
            if w in ("a", "one") and i + 1 < len(words) and words[i + 1] in _EN_SCALES and last is None:
                cur, last = 1, "unit"
            elif w in _EN_UNITS:
                v = _EN_UNITS[w]
                if last == "unit" or last == "teen" or (last == "ten" and (v >= 10 or cur % 10)):
                    break
                cur += v
                last = "teen" if v >= 10 else "unit"
            elif w in _EN_TENS:
                if last in ("unit", "teen", "ten"):
                    break
                cur += _EN_TENS[w]
                last = "ten"
            elif w in _EN_SCALES:
                if last is None or (last == "scale" and _EN_SCALES[w] <= 100):
                    break
                if w == "hundred":
                    cur = max(cur, 1) * 100
                else:
                    total, cur = total + max(cur, 1) * 1000, 0
                last = "scale"
            else:
                break
            i, n = i + 1, n + 1
        if n == 0:
            out.append((-1, 1))  # a word that starts no number: kept as it is
            i += 1
        else:
            out.append((total + cur, n))
    return out


def _en_numbers(s: str) -> str:
    def run(m: re.Match) -> str:
        words = m.group().split()
        parts, k = [], 0
        for value, n in _en_value(words):
            parts.append(" ".join(words[k : k + n]) if value < 0 else str(value))
            k += n
        return " ".join(parts)

    return _EN_NUM_RUN.sub(run, s)


def _zh_value(run: str) -> int | None:
    total, section, num, prev_digit = 0, 0, 0, False
    for c in run:
        if c in _ZH_DIGITS:
            if prev_digit and num:
                return None  # 五六十: two digits in a row, not one number
            num, prev_digit = _ZH_DIGITS[c], True
        elif c == "亿":
            total = (total + section + num) * 10**8
            section, num, prev_digit = 0, 0, False
        elif c == "万":
            total += (section + num) * 10000
            section, num, prev_digit = 0, 0, False
        else:
            section += (num or 1) * _ZH_UNITS[c]
            num, prev_digit = 0, False
    return total + section + num


def _zh_numbers(s: str) -> str:
    def num(x: str) -> str | None:
        if x[0].isdigit():
            return x
        v = _zh_value(x)
        return None if v is None else str(v)

    def pct(m: re.Match) -> str:
        v = num(m.group(1))
        return m.group() if v is None else f"{v}%"

    def frac(m: re.Match) -> str:
        a, b = num(m.group(1)), num(m.group(2))
        if a is None or b is None:
            return m.group()
        return f"{int(b) * 100 // int(a)}%" if a in ("10", "100") and int(b) <= int(a) else f"{b}/{a}"

    def plain(m: re.Match) -> str:
        x = m.group()
        if x in ("千万", "万一", "亿万") or not any(c in _ZH_UNITS for c in x) and len(x) > 1:
            return x
        if len(x) == 1 and not (m.end() < len(s) and s[m.end()] in _ZH_MEASURE):
            return x  # 十分, 一个, 一样: words, not numbers
        v = _zh_value(x)
        if v is None:
            return x
        return f"{v / 10**8:g}亿" if v >= 10**8 else str(v)  # 一亿一千万 -> 1.1亿, as the rubrics write it

    def point(m: re.Match) -> str:
        return "".join(str(_ZH_DIGITS[c]) for c in m.group(1)) + "." + "".join(str(_ZH_DIGITS[c]) for c in m.group(2))

    s = re.sub(r"([零〇一二两三四五六七八九]+)点([零〇一二两三四五六七八九]+)", point, s)  # 零点零五 -> 0.05
    s = re.sub(r"百分之(%s|\d+(?:\.\d+)?)" % _ZH_NUM, pct, s)
    s = re.sub(r"(%s|\d+)分之(%s|\d+)" % (_ZH_NUM, _ZH_NUM), frac, s)
    s = re.sub(
        r"(?<![一二三四五六七八九十])([一二三四五六七八九])成(?![为功本绩员熟立果型分千了就]|不变)",
        lambda m: f"{_ZH_DIGITS[m.group(1)]}0%",
        s,
    )
    s = re.sub(
        r"(?<![零〇一二两三四五六七八九十百千万])[一二两三四五六七八九](?=[%s]|个头)" % _ZH_MEASURE[:-2], plain, s
    )
    return re.sub(_ZH_NUM, plain, s)


_ANY_NUMBER = re.compile(r"[\d零〇一二两三四五六七八九十百千万]|quarter|third|fourth|" + _EN_NEXT)
_ZEROS = re.compile(r"\bzero(?:e)?s\b")
_THOUSANDS = re.compile(r"(?<=[0-9]),(?=[0-9]{3}(?![0-9]))")  # ASCII commas only: 768，12 is two numbers
_POINT = re.compile(r"\b(\d+) point (\d+(?: \d)*)\b")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|percent\b|per cent\b|pct\b)")
_IN_TEN = re.compile(r"\b(one|\d+) (?:in|out of|of every|in every|out of every) (10|100)\b(?!\s*%)")
_WORD_FRACTIONS = (
    (re.compile(r"\b(?:a|one|1) quarter\b"), "1/4"),
    (re.compile(r"\b([1-3]) (?:quarters|fourths)\b"), r"\1/4"),
    (re.compile(r"\b(?:a|one|1) third\b"), "1/3"),
    (re.compile(r"\b2 thirds\b"), "2/3"),
    (re.compile(r"\b(?:a|one|1) tenth\b"), "10%"),
)


def _numbers(s: str) -> str:
    if not _ANY_NUMBER.search(s):
        return s
    s = _ZEROS.sub("0s", _en_numbers(s))
    s = _POINT.sub(lambda m: f"{m.group(1)}.{m.group(2).replace(' ', '')}", s)
    s = _PERCENT.sub(r"\1%", s)

    def in_ten(m: re.Match) -> str:
        x = 1 if m.group(1) == "one" else int(m.group(1))
        whole = int(m.group(2))
        return f"{x * 100 // whole}%" if x <= whole else m.group()

    s = _IN_TEN.sub(in_ten, s)
    for rx, rep in _WORD_FRACTIONS:
        s = rx.sub(rep, s)
    return _zh_numbers(s) if _CJK.search(s) else s


def _sentence_starts(s: str) -> list[int]:
    starts = [0]
    for m in _SENT_END.finditer(s):
        if (
            m.group() == "."
            and m.start() > 0
            and s[m.start() - 1].isdigit()
            and m.end() < len(s)
            and s[m.end()].isdigit()
        ):
            continue  # 0.75
        starts.append(m.end())
    return starts


_jieba_lock = threading.Lock()


@functools.lru_cache(maxsize=1)
def _jieba():
    with _jieba_lock:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        logging.getLogger("jieba").setLevel(logging.WARNING)
        jieba.initialize()
        return jieba


def _tokens(s: str, lang: str) -> list[str]:
    """Word tokens: jieba for text with CJK characters, else Latin words."""
    if lang == "zh" or _CJK.search(s):
        return [t for t in (w.strip() for w in _jieba().lcut(s)) if t and (t[0].isalnum() or _CJK.match(t))]
    return _WORD_EN.findall(s)


def _stem(w: str) -> str:
    """A crude English stem for the copy measure (predicts/predicted/predicting -> predict)."""
    for suf in ("ings", "ing", "ed", "es", "s"):
        if len(w) > len(suf) + 3 and w.endswith(suf):
            return w[: -len(suf)]
    return w


# ------------------------------------------------------------------ terms
# How a term's word matches beyond its own spelling (the answer is never rewritten, the term's pattern widens):
# - British and American spellings: normalise/normalize, analyse/analyze, neighbour/neighbor, centre/center,
#   modelling/modeling;
# - a final silent e or y: "compute" matches computing / computation, "dependency" dependencies; a word inside a
#   phrase takes its inflections ("share weights" matches "shared weights"), a few irregular verbs their forms;
# - a number in (0, 1) matches its other forms: 0.75 = .75 = 3/4 = 75%;
# - the shared vocabulary (engine.interview.rubrics.synonyms): a term or word equal to a member matches the whole
#   class ("predict" matches "guess"); in Chinese every member found inside the term is widened.
_NUMERIC = re.compile(r"\d+/\d+|\d*\.\d+%?|\d+%")
_IRREGULAR = (
    ("see", "saw", "seen"),
    ("take", "took", "taken"),
    ("make", "made"),
    ("feed", "fed"),
    ("run", "ran"),
    ("write", "wrote", "written"),
    ("get", "got", "gotten"),
    ("keep", "kept"),
    ("find", "found"),
    ("build", "built"),
    ("lose", "lost"),
    ("grow", "grew", "grown"),
    ("know", "knew", "known"),
    ("bring", "brought"),
    ("hold", "held"),
    ("choose", "chose", "chosen"),
    ("give", "gave", "given"),
    ("throw", "threw", "thrown"),
    ("begin", "began", "begun"),
    ("teach", "taught"),
    ("think", "thought"),
    ("break", "broke", "broken"),
    ("win", "won"),
    ("fall", "fell", "fallen"),
    ("say", "said"),
    ("tell", "told"),
    ("understand", "understood"),
)
_IRREG = {f: cls for cls in _IRREGULAR for f in cls}
_INFLECT = r"(?:s|es|d|ed|ing|'s)?"


def _spell(stem: str) -> str:
    """A plain lower-case stem as a pattern that accepts British and American spellings."""
    x = re.sub(r"(?<=[a-z]{2})i[sz](?=e|ed|es|ing|ation|er|$)", "i[sz]", stem)
    x = re.sub(r"(?<=[a-z]{2})y[sz](?=e|ed|es|ing|er|$)", "y[sz]", x)
    x = re.sub(r"(?<=[a-z]{3})ou?r(?=$|s$|ed$|ing$|ite|able)", "ou?r", x)
    return re.sub(r"(?<=[a-z]{3})ell?(?=ed|ing|er)", "ell?", x)


def _latin_word(w: str, final: bool) -> str:
    if len(w) >= 5 and w.endswith(("tre", "ter")):
        pat = _spell(w[:-3]) + "t(?:re|er)"
    elif len(w) >= 4 and w.endswith("e") and not w.endswith(("ee", "ye", "oe")):
        pat = _spell(w[:-1]) + ("(?:e|ing|ion|ation|able|ible|ive)" if final else "(?:e|ing|ion|ation)")
    elif len(w) >= 5 and w.endswith(("ix", "ex")):
        pat = _spell(w[:-2]) + "(?:%s|ices)" % w[-2:]  # matrix / matrices, index / indices
    elif len(w) >= 4 and w[-1] == "y" and w[-2] not in "aeiouy":
        pat = _spell(w[:-1]) + ("(?:y|ie|ica)" if final else "(?:y|ies|ied|ying)")
    else:
        pat = _spell(w)
    if not final and w not in FUNCTION_EN:
        pat += _INFLECT
    if w in _IRREG:
        pat = "(?:%s)" % "|".join([pat, *(f + "(?![a-z])" for f in _IRREG[w] if f != w)])
    return pat


def _number_pattern(w: str) -> str:
    """0.75 -> (?:0.75|.75|3/4|75%): the written forms of one number in (0, 1); any other number as it is."""
    if "/" in w:
        a, b = w.split("/")
        v = int(a) / int(b) if int(b) else -1.0
    elif w.endswith("%"):
        v = float(w[:-1]) / 100
    else:
        v = float(w)
    if not 0 < v < 1:
        return re.escape(w)
    forms = {w}
    dec = f"{v:.4f}".rstrip("0")
    if abs(float(dec) - v) < 1e-12:
        forms |= {dec, dec[1:]}
        pct = f"{v * 100:.2f}".rstrip("0").rstrip(".")
        forms.add(pct + "%")
    for den in (2, 3, 4, 5, 8, 10):
        if abs(v * den - round(v * den)) < 1e-9:
            forms.add(f"{round(v * den)}/{den}")
            break
    return "(?:%s)" % "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))


@functools.lru_cache(maxsize=2)
def _lexicon(lang: str) -> dict[str, tuple[str, ...]]:
    return {_normalise(k): tuple(_normalise(a) for a in v) for k, v in rb.synonyms(lang).items()}


@functools.lru_cache(maxsize=1)
def _zh_keys() -> re.Pattern:
    keys = sorted((k for k in _lexicon("zh") if _CJK.search(k)), key=len, reverse=True)
    return re.compile("|".join(re.escape(k) for k in keys))


def _en_synonyms(w: str) -> tuple[str, ...] | None:
    lex = _lexicon("en")
    for cand in (w, w[:-1] if w.endswith("s") else "", w[:-2] if w.endswith("es") else ""):
        if cand and cand in lex:
            return lex[cand]
    return None


def _cjk_plain(w: str) -> str:
    """Chinese as written, with an optional 的 inside a compound of 3+ characters (中心词 = 中心的词)."""
    out = []
    for i, c in enumerate(w):
        if i and _CJK.match(c) and _CJK.match(w[i - 1]) and len(w) >= 3 and "的" not in (c, w[i - 1]):
            out.append("的?")
        out.append(re.escape(c))
    return "".join(out)


def _cjk_word(w: str, syn: bool) -> str:
    """A word holding Chinese: every member of the shared vocabulary inside it widens to its class."""
    if not syn:
        return _cjk_plain(w)
    lex, out, pos = _lexicon("zh"), [], 0
    for m in _zh_keys().finditer(w):
        out.append(_cjk_plain(w[pos : m.start()]))
        out.append("(?:%s)" % "|".join(_phrase(a, True, False) for a in lex[m.group()]))
        pos = m.end()
    out.append(_cjk_plain(w[pos:]))
    return "".join(out)


def _word_pattern(w: str, final: bool, syn: bool) -> str:
    if _CJK.search(w):
        return _cjk_word(w, syn)
    if _NUMERIC.fullmatch(w):
        return _number_pattern(w)
    alts = _en_synonyms(w) if syn else None
    if alts:
        return "(?:%s)" % "|".join(_phrase(a, final, False) for a in alts)
    if w.isascii() and w.isalpha() and len(w) >= 3:
        return _latin_word(w, final)
    return re.escape(w)


def _phrase(p: str, final: bool, syn: bool) -> str:
    """Words in order; the space between two words may be absent."""
    words, out = p.split(), ""
    for i, w in enumerate(words):
        if i:
            out += r"\s*"  # "12 层" = "12层", "layer norm" = "layernorm", "sub word" = "subword"
        out += _word_pattern(w, final and i == len(words) - 1, syn)
    return out


def _part_pattern(part: str) -> str:
    part = part.strip()
    alts = _lexicon("en").get(part) if " " in part and part.isascii() else None
    body = "(?:%s)" % "|".join(_phrase(a, True, False) for a in alts) if alts else _phrase(part, True, True)
    if part[0].isascii() and part[0].isalnum():
        body = r"(?<![a-z0-9])" + body
    if part[-1].isdigit():
        body += r"(?![0-9]|\.[0-9])"  # a comma left between digits ends a clause (NFKC of "，")
    elif len(part) <= 2 and part.isascii() and part.isalnum():
        body += r"(?![a-z0-9])"  # "hs", "ln", "v": whole words only
    return body


@functools.lru_cache(maxsize=None)
def _term_regex(term: str) -> re.Pattern:
    t = _normalise(term).strip()
    if term.startswith("re:"):
        return re.compile(term[3:])
    parts = [p for p in t.split(" ... ")] if " ... " in t else [t]
    # a gap stays inside one clause: no sentence end, no ". ", and no "," glued to the next word (a Chinese "，"
    # after NFKC), so "CBOW 用上下文预测中心词，skip-gram 预测上下文" does not relate CBOW to the second clause.
    # It is a group: _negated looks for cues inside the gaps.
    gap = r"((?:(?!\.\s|,(?=\S))[^;!?。；！？\n]){0,%d}?)" % RELATION_GAP
    return re.compile(gap.join(_part_pattern(p) for p in parts))


def _negated(s: str, m: re.Match, sent_start: int, relation: bool) -> bool:
    """A negation cue just before the match, or (for an "a ... b" relation) inside one of its gaps."""
    start = m.start()
    before = s[max(sent_start, start - 40) : start]
    gaps = " ".join(g or "" for g in m.groups()) if relation else ""
    zh = before[-4:] + " " + gaps
    for w in NOT_NEG_ZH:
        zh = zh.replace(w, "")
    if any(c in zh for c in NEG_ZH):
        return True
    b = before
    for w in NOT_NEG_EN:
        b = b.replace(w, " ")
    words = [w.replace("'", "") for w in _WORD_EN.findall(b)]
    content = [w for w in words if w not in ARTICLES_EN][-2:]
    if any(w in NEG_EN for w in content):
        return True
    tail = " ".join(words[-4:])
    if any(tail.endswith(p) or f"{p} " in tail for p in NEG_EN_PHRASES):
        return True
    g = gaps
    for w in NOT_NEG_EN:
        g = g.replace(w, " ")
    return any(w.replace("'", "") in NEG_EN for w in _WORD_EN.findall(g)) or any(p in g for p in NEG_EN_PHRASES)


@dataclass
class _Text:
    s: str
    starts: list[int]
    question: str
    _cache: dict = field(default_factory=dict)

    def sentence(self, pos: int) -> int:
        return bisect.bisect_right(self.starts, pos) - 1

    def occurrences(self, term: str) -> list[tuple[int, int, bool]]:
        """(sentence index, position, negated) of every match of `term`."""
        if term not in self._cache:
            rx = _term_regex(term)
            out = []
            relation = " ... " in term and not term.startswith("re:")
            for m in rx.finditer(self.s):
                k = self.sentence(m.start())
                out.append((k, m.start(), _negated(self.s, m, self.starts[k], relation)))
            self._cache[term] = out
        return self._cache[term]


@functools.lru_cache(maxsize=4096)
def _in_question(term: str, question: str) -> bool:
    return _term_regex(term).search(question) is not None


def _window_match(text: _Text, groups, span: int, need: int, ordered: bool, use_negated: bool, novel: bool):
    """Is there a window of `span` sentences where `need` groups match? (novel: one by a term not in the question)"""
    occ = []  # per group: [(sentence, pos, is_novel)]
    for g in groups:
        row = []
        for term in g:
            fresh = not _in_question(term, text.question)
            row.extend((k, p, fresh) for k, p, neg in text.occurrences(term) if use_negated or not neg)
        occ.append(sorted(row))
    sentences = sorted({k for row in occ for k, _, _ in row})
    for k0 in sentences:
        k1 = k0 + span - 1
        inside = [[o for o in row if k0 <= o[0] <= k1] for row in occ]
        if ordered:
            last, chosen = -1, []
            for row in inside:
                nxt = [o for o in row if o[1] > last]
                if nxt:
                    chosen.append(nxt[0])
                    last = nxt[0][1]
        else:
            chosen = [max(row, key=lambda o: o[2]) for row in inside if row]
        if len(chosen) >= need and (not novel or any(o[2] for o in chosen)):
            return True
    return False


def _judge(point: Point, text: _Text) -> tuple[bool, bool]:
    """(hit, contradicted) for one point."""
    for statement in point.contra:
        if _window_match(text, statement, point.span, len(statement), False, False, False):
            return False, True
    use_neg = not point.negation
    if _window_match(text, point.evidence, point.span, point.needed, point.ordered, use_neg, True):
        return True, False
    if (
        NEGATION_CONTRADICTS
        and point.negation
        and _window_match(text, point.evidence, point.span, point.needed, point.ordered, True, True)
    ):
        return False, True
    return False, False


# ------------------------------------------------------------------ answer-level guards
_SEGMENT = re.compile(r"[、,，;；:：\n|/·•]+|\s-\s|^\s*[-*]\s", re.M)
_SEGMENT_ZH = re.compile(r"[、,，;；:：\n|/·•]+|(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])|^\s*[-*]\s", re.M)


def _bare_list(s: str, tokens: list[str], lang: str) -> bool:  # tokens: of s with the rubric's terms masked
    """No sentences: (almost) no function words, or many short items (split at commas, and at spaces between two
    Chinese characters, which a Chinese sentence never has) with few function words."""
    core = CORE_ZH if lang == "zh" else CORE_EN
    # jieba may glue a one-character core word to its neighbour ("测试时用" -> 时用): in Chinese, look inside tokens
    glued = lang == "zh" and any(c in CORE_ZH_CHARS for t in tokens if t != "术语" for c in t)
    if len(tokens) >= 5 and not glued and not any(t in core for t in tokens):
        return True
    if lang == "zh":
        cjk = [t for t in tokens if _CJK.match(t)]
        tokens = cjk or tokens
    share = _function_share(tokens, lang)
    if share < (TERMS_SHARE_ZH if lang == "zh" else TERMS_SHARE_EN):
        return True
    cut = _SEGMENT_ZH if lang == "zh" else _SEGMENT
    segments = [x for x in cut.split(s) if x.strip()]
    if len(segments) >= 4:
        sample = segments[:SEGMENTS_SAMPLED]  # a long answer's first items tell as much, at a bounded jieba cost
        mean_len = sum(len(_tokens(x, lang)) for x in sample) / len(sample)
        return mean_len <= 2.5 and share < (0.2 if lang == "zh" else 0.45)
    return False


def _function_share(tokens: list[str], lang: str) -> float:
    if not tokens:
        return 0.0
    words = FUNCTION_ZH if lang == "zh" else FUNCTION_EN
    return sum(t in words for t in tokens) / len(tokens)


@functools.lru_cache(maxsize=256)
def _terms_regex(qid: str, lang: str) -> re.Pattern | None:
    terms = {
        t for p in rb.points(qid, lang) for g in p.evidence for t in g if " ... " not in t and not t.startswith("re:")
    }
    parts = [_term_regex(t).pattern for t in sorted(terms, key=len, reverse=True)]
    return re.compile("|".join(f"(?:{x})" for x in parts)) if parts else None


def _mask_terms(s: str, qid: str, lang: str) -> str:
    rx = _terms_regex(qid, lang)
    return rx.sub("术语" if lang == "zh" else " term ", s) if rx else s


def _copy_share(tokens: list[str], question: str, lang: str) -> float:
    """Share of the answer's content words that the question already holds."""
    stop = FUNCTION_ZH | FUNCTION_EN
    content = [_stem(t) for t in tokens if t not in stop and len(t) > (0 if _CJK.match(t) else 2)]
    if not content:
        return 1.0
    qset = {_stem(t) for t in _tokens(question, lang)}
    return sum(t in qset for t in content) / len(content)


def _prepare(text, lang: str, qid: str) -> tuple[str, bool, str, str]:
    if not isinstance(text, str):
        raise InputError("answer", f"an answer is text, got {type(text).__name__}")
    truncated = len(text) > MAX_CHARS
    capped = text[:MAX_CHARS]
    # NFKC may expand a character (a ligature, "㍿"): the normalised text is capped too
    return capped, truncated, _normalise(capped)[: 2 * MAX_CHARS], _normalise(rb.question(qid, lang))


def _grade(qid: str, text, lang: str, pts: tuple[Point, ...]) -> Grade:
    capped, truncated, s, q = _prepare(text, lang, qid)
    notes = ["truncated"] if truncated else []
    shown = html.escape(_CONTROL.sub(" ", capped))
    if not pts:
        raise InputError("rubric", f"no points for {qid!r}")
    if not s.strip():
        return Grade(qid, lang, 0.0, [(p.id, False) for p in pts], tuple(pts), (), truncated, (*notes, "empty"), shown)
    joined = _LONE_NEWLINE.sub(" ", s)  # same length: positions stay valid
    t = _Text(joined, _sentence_starts(joined), q)
    judged = [(p, *_judge(p, t)) for p in pts]
    total = sum(p.weight for p in pts)
    raw = sum(p.weight for p, hit, _ in judged if hit) - CONTRA_COST * sum(p.weight for p, _, c in judged if c)
    score = min(1.0, max(0.0, raw / total))
    tokens = _tokens(s, lang)
    masked = _mask_terms(s, qid, lang)  # the rubric's own terms are not sentence structure ("one token at a time")
    if _bare_list(s, _tokens(masked, lang), lang):
        score = min(score, TERMS_CAP * score)
        notes.append("terms")
    if _copy_share(tokens, q, lang) >= COPY_SHARE and len(tokens) <= 2 * len(_tokens(q, lang)) + 5:
        score = min(score, COPY_CAP)
        notes.append("copy")
    contradicted = tuple(p.id for p, _, c in judged if c)
    if contradicted:
        notes.append("contradiction")
    return Grade(
        qid=qid,
        lang=lang,
        score=float(score),
        points=[(p.id, bool(hit)) for p, hit, _ in judged],
        missed=tuple(p for p, hit, _ in judged if not hit),
        contradicted=contradicted,
        truncated=truncated,
        notes=tuple(notes),
        shown=shown,
    )


def warm(rubrics: bool = True) -> None:
    """Load jieba's dictionary now (the first Chinese grade otherwise pays ~1–2 s for it) and, with `rubrics`, compile
    every rubric's term patterns (~1 s for both languages; the first grade of a question otherwise compiles its own,
    10–100 ms)."""
    _jieba()
    if rubrics:
        for lang in rb.LANGS:
            for qid, pts in rb.rubrics(lang).items():
                _terms_regex(qid, lang)
                for p in pts:
                    for group in (*p.evidence, *(g for statement in p.contra for g in statement)):
                        for term in group:
                            _term_regex(term)


def grade_answer(qid: str, text: str, lang: str) -> Grade:
    """Grade a free answer to question `qid` in `lang` ('en' | 'zh') against its rubric."""
    return _grade(qid, text, lang, rb.points(qid, lang))


def grade_point(qid: str, point_id: str, text: str, lang: str) -> Grade:
    """Grade the answer to a follow-up: only point `point_id` of the rubric counts (score 1.0 hit, 0.0 missed)."""
    pts = tuple(p for p in rb.points(qid, lang) if p.id == point_id)
    if not pts:
        raise InputError("point", f"{qid!r} has no point {point_id!r}")
    return _grade(qid, text, lang, pts)


def follow_up(qid: str, grade: Grade, lang: str) -> Point | None:
    """The next question: the missed point to ask about (a contradicted one first, then by weight, then rubric order)."""
    pts = rb.points(qid, lang)
    missed = {p.id for p in grade.missed}
    order = {p.id: i for i, p in enumerate(pts)}
    cands = [p for p in pts if p.id in missed]
    if not cands:
        return None
    return min(cands, key=lambda p: (p.id not in grade.contradicted, -p.weight, order[p.id]))
