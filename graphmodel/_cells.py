"""Checks on single text cells and column names: control and invisible characters,
personal data (privacy) and look-alike ids.

Every check scans a whole column as one joined string first (a C-speed search), and
looks at cells one by one only in a column where something was found, so clean data
costs one pass over its text.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata

import pandas as pd

__all__ = [
    "PRIVACY_COLUMN_WORDS",
    "fold_lookalikes",
    "is_personal_data_column",
    "mask_matching",
    "personal_number_mask",
]

_SEPARATOR = "\ue000"  # a private-use character: never matched by the patterns below

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""C0/C1 control characters other than tab, line feed and carriage return."""

LINE_BREAK = re.compile(r"[\t\n\r\x85\u2028\u2029]")

INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb]"
)
"""Zero-width, joiner, direction-override and other invisible format characters."""

PRIVACY_COLUMN_WORDS = (
    "ethnic", "ethnicity", "nationality", "民族", "族别", "idnumber", "idcard", "idno",
    "nationalid", "identitycard", "identitynumber", "身份证", "证件号", "phone", "mobile",
    "cellphone", "telephone", "tel", "telno", "手机", "电话", "联系电话", "联系方式",
)
"""Personal-data words: a column whose normalised name contains one of the long words,
or is (or starts or ends with) one of the short ones, is refused outside ``population``."""

_SHORT_WORDS = frozenset({"tel", "telno", "idno"})
_LONG_WORDS = tuple(w for w in PRIVACY_COLUMN_WORDS if w not in _SHORT_WORDS)

_ID_NUMBER = re.compile(r"(?<![0-9])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])"
                        r"(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?1[3-9]\d{9}(?![0-9])")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def normalise_column_name(name: str) -> str:
    """NFKC, case-folded, with spaces and separators removed.

    Examples
    --------
    >>> normalise_column_name("ID Number"), normalise_column_name("ｅｔｈｎｉｃｉｔｙ")
    ('idnumber', 'ethnicity')
    >>> normalise_column_name("民 族")
    '民族'
    """
    text = unicodedata.normalize("NFKC", str(name)).casefold()
    return re.sub(r"[\s_\-.·/\\:|()（）\[\]]+", "", text)


def is_personal_data_column(name: str) -> bool:
    """True when a column name names ethnicity, an ID-card number or a phone number.

    Examples
    --------
    >>> [is_personal_data_column(n) for n in ("id-number", "tel", "visitor_ethnicity",
    ...                                        "证件号码", "hotel", "name", "valid_no")]
    [True, True, True, True, False, False, False]
    """
    text = normalise_column_name(name)
    if any(word in text for word in _LONG_WORDS):
        return True
    tokens = [t for t in re.split(r"[\s_\-.·/]+", unicodedata.normalize("NFKC", str(name))
                                  .casefold()) if t]
    joined_pairs = {a + b for a, b in itertools.pairwise(tokens)}
    return text in _SHORT_WORDS or bool(_SHORT_WORDS & (set(tokens) | joined_pairs))


def mask_matching(values: pd.Series, pattern: re.Pattern[str]) -> pd.Series:
    """Boolean mask of the cells (strings or None) in which ``pattern`` is found."""
    present = values.dropna()
    mask = pd.Series(False, index=values.index)
    if present.empty or pattern.search(_SEPARATOR.join(map(str, present))) is None:
        return mask
    hits = present.map(lambda v: pattern.search(str(v)) is not None).astype(bool)
    mask[hits[hits].index] = True
    return mask


def _valid_id_number(text: str) -> bool:
    digits = text[:17]
    total = sum(int(d) * w for d, w in zip(digits, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == text[17].upper()


def _has_personal_number(text: str) -> bool:
    if _MOBILE.search(text):
        return True
    return any(_valid_id_number(m.group(0)) for m in _ID_NUMBER.finditer(text))


def personal_number_mask(values: pd.Series) -> pd.Series:
    """Cells holding a mainland ID-card number (valid check digit) or a mobile number.

    Examples
    --------
    >>> personal_number_mask(pd.Series(["11010519491231002X", "电话13912345678", "楼宇07",
    ...                                 "110105194912310021", None])).tolist()
    [True, True, False, False, False]
    """
    candidates = mask_matching(values, re.compile(f"{_ID_NUMBER.pattern}|{_MOBILE.pattern}"))
    if not candidates.any():
        return candidates
    found = values[candidates].map(lambda v: _has_personal_number(str(v))).astype(bool)
    candidates[found.index] = found
    return candidates


@functools.cache
def _fold_char(char: str) -> str:
    from confusable_homoglyphs import confusables

    found = confusables.is_confusable(char, greedy=True, preferred_aliases=["latin", "common"])
    for entry in found or ():
        for glyph in entry["homoglyphs"]:
            if glyph["c"].isascii():
                return glyph["c"]
    return char


def fold_lookalikes(text: str) -> str:
    """The id as a reader sees it: NFKC, invisible characters dropped, and non-ASCII
    characters that look like an ASCII one (Cyrillic В, Greek Ο ...) replaced by it.

    Examples
    --------
    >>> fold_lookalikes("Ｂ-Ｃ01"), fold_lookalikes("В-C01"), fold_lookalikes("B-C\\u200b01")
    ('B-C01', 'B-C01', 'B-C01')
    >>> fold_lookalikes("居民区甲")
    '居民区甲'
    """
    text = INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    if text.isascii():
        return text
    return "".join(c if c.isascii() or "\u4e00" <= c <= "\u9fff" else _fold_char(c)
                   for c in text)
