"""Decoding fetched bytes to text: the charset a page declares, checked against what its bytes say.

Order of evidence:

1. A byte-order mark. It cannot be there by accident, so it beats everything (as in the WHATWG
   encoding standard).
2. Bytes that are valid UTF-8 and not plain ASCII are UTF-8, whatever the labels say: legacy
   Cyrillic or Japanese text is practically never valid UTF-8 by chance.
3. The declared charsets in order: the HTTP ``Content-Type`` header, then ``<meta charset>`` /
   ``http-equiv`` in the first 4 KiB, then the XML declaration. A label is used only if the bytes decode
   with it strictly and the result does not read as mojibake (charset-normalizer's mess ratio); a page
   served as ``charset=utf-8`` or ``iso-8859-1`` whose bytes are Shift_JIS fails that test.
4. Detection with charset-normalizer (windows-1251, KOI8-R, Shift_JIS, EUC-JP, ...).
5. UTF-8 with replacement characters, so that decoding never fails.

Labels are mapped as browsers map them: ``iso-8859-1`` and ``ascii`` mean windows-1252, ``shift_jis``
means windows-31J (cp932), ``gb2312`` means GB18030.

Example::

    >>> decode_html("<p>Привет, мир! Как дела?</p>".encode("cp1251"), "text/html")
    ('<p>Привет, мир! Как дела?</p>', 'cp1251')

The text returned holds no C0 control characters other than tab, newline and carriage return, no
DEL, and no bidirectional embedding, override or isolate controls (U+202A-U+202E, U+2066-U+2069): a
parser stops or substitutes at the former (lxml turns NUL into U+FFFD, and text after some controls is
lost), and the latter can make stored text display reversed ("Trojan Source" spoofing). Form feed
becomes a space.

Detection needs some text to go on: a body with only a word or two of non-ASCII text in a legacy
encoding and no usable label may be misread (``"Привет"`` alone reads as clean Big5 too).
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer
from charset_normalizer.md import mess_ratio

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Browser (WHATWG) label mapping, expressed as Python codec names: the superset each label really means.
_SUPERSETS = {
    "ascii": "cp1252",
    "latin_1": "cp1252",
    "iso8859_1": "cp1252",
    "iso8859_9": "cp1254",
    "shift_jis": "cp932",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc_kr": "cp949",
    "tis_620": "cp874",
}
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([^"';,\s]+)""", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_PRESCAN_BYTES = 4096
# Removed from decoded text: C0 controls but tab/newline/CR, DEL, bidi embeddings/overrides/isolates.
_UNWANTED: dict[int, str | None] = {
    c: None
    for c in (
        *range(0x00, 0x09),
        0x0B,
        *range(0x0E, 0x20),
        0x7F,
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    )
}
_UNWANTED[0x0C] = " "  # form feed separates words
# str.translate looks every character up in the table: a search for one unwanted character first is
# about 20 times faster on the usual page, which has none
_UNWANTED_RE = re.compile("[" + "".join(re.escape(chr(c)) for c in _UNWANTED) + "]")


#: attribute values longer than this are emptied: libxml2 refuses values over 10,000,000 characters
#: without ``huge_tree`` and then loses the rest of the document
MAX_ATTRIBUTE_CHARS = 1 << 20
_HUGE_ATTRIBUTE_RE = re.compile(
    f"""=(\\s*)(?:"[^"]{{{MAX_ATTRIBUTE_CHARS},}}"|'[^']{{{MAX_ATTRIBUTE_CHARS},}}')"""
)


def shrink_huge_attributes(text: str) -> str:
    """``text`` with attribute values over MAX_ATTRIBUTE_CHARS emptied (``data-x=""``); others untouched.

    >>> shrink_huge_attributes("<div data-x='" + "A" * (MAX_ATTRIBUTE_CHARS + 1) + "'>text</div>")
    '<div data-x="">text</div>'
    """
    if len(text) <= MAX_ATTRIBUTE_CHARS:
        return text
    return _HUGE_ATTRIBUTE_RE.sub('=""', text)


def strip_unwanted(text: str) -> str:
    """``text`` without control and bidi override characters (form feed becomes a space).

    >>> strip_unwanted("Both\\x00 sides\\x0cagreed \\u202egnp.exe\\u202c")
    'Both sides agreed gnp.exe'
    """
    return text.translate(_UNWANTED) if _UNWANTED_RE.search(text) else text


# Above this share of "messy" characters a decoding is taken for mojibake (clean text scores ~0).
_MESS_LIMIT = 0.2
_MESS_SAMPLE_CHARS = 50_000
# Detection near-ties (see _detect): how close to the best candidate counts as "as clean".
_TIE_CHAOS = 0.02
_TIE_COHERENCE = 0.15
# charset-normalizer codec names, most common on Russian, Japanese and Western news sites first.
_WEB_PREFERENCE = (
    "utf_8",
    "cp1252",
    "cp1251",
    "cp932",
    "shift_jis",
    "euc_jp",
    "euc_jis_2004",
    "euc_jisx0213",
    "shift_jis_2004",
    "koi8_r",
    "iso8859_5",
    "iso2022_jp",
    "gb18030",
    "big5",
    "cp949",
)


def codec_name(label: str) -> str | None:
    """The Python codec for a charset label as browsers read it, or None if the label is unknown.

    >>> codec_name("Shift-JIS"), codec_name("ISO-8859-1"), codec_name("x-unknown")
    ('cp932', 'cp1252', None)
    """
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except (LookupError, ValueError):
        return None
    name = name.replace("-", "_")
    # A page cannot declare UTF-16 from inside ASCII-compatible bytes: browsers read that label as UTF-8.
    if name.startswith(("utf_16", "utf_32")):
        return "utf-8"
    if name == "utf_8":
        return "utf-8"
    return _SUPERSETS.get(name, name)


def declared_charsets(content: bytes, content_type: str = "") -> list[tuple[str, str]]:
    """The charset labels a response declares, as ``(where, label)`` pairs in order of authority.

    >>> declared_charsets(b'<meta charset="euc-jp">', "text/html; charset=utf-8")
    [('header', 'utf-8'), ('meta', 'euc-jp')]
    """
    found: list[tuple[str, str]] = []
    header = _HEADER_CHARSET.search(content_type or "")
    if header:
        found.append(("header", header.group(1)))
    head = content[:_PRESCAN_BYTES]
    meta = _META_CHARSET.search(head)
    if meta:
        found.append(("meta", meta.group(1).decode("ascii")))
    xml = _XML_ENCODING.search(head)
    if xml:
        found.append(("xml", xml.group(1).decode("ascii")))
    return found


def _is_messy(text: str) -> bool:
    return mess_ratio(text[:_MESS_SAMPLE_CHARS], maximum_threshold=1.0) > _MESS_LIMIT


def _detect(content: bytes) -> str | None:
    """charset-normalizer's guess, with near-ties broken in favour of encodings common on the web.

    On little or repetitive text several decodings score the same: "Текст статьи. " repeated in
    windows-1251 reads as clean ISO-8859-5 too, and a short EUC-JP body as clean CP949. Among the
    candidates as clean as the best one, the most common web encoding wins.
    """
    results = list(charset_normalizer.from_bytes(content))
    if not results:
        return None
    best = results[0]
    ties = [
        match.encoding
        for match in results
        if match.chaos <= best.chaos + _TIE_CHAOS and match.coherence >= best.coherence - _TIE_COHERENCE
    ]
    ranked = [name for name in _WEB_PREFERENCE if name in ties]
    chosen = ranked[0] if ranked else best.encoding
    return codec_name(chosen) or chosen


def decode_html(content: bytes, content_type: str = "") -> tuple[str, str]:
    """Decode an HTML or XML body; returns ``(text, encoding used)``. Never raises on bad bytes.

    ``content_type`` is the HTTP ``Content-Type`` header value (may be empty). The encoding returned is
    a Python codec name (``"utf-8"``, ``"cp1251"``, ``"cp932"``, ``"euc_jp"``, ...). Control and bidi
    override characters are removed from the text (see :func:`strip_unwanted`), and attribute values
    too long for the HTML parser are emptied (:func:`shrink_huge_attributes`).
    """
    text, encoding = _decode(content, content_type)
    return shrink_huge_attributes(strip_unwanted(text)), encoding


def _decode(content: bytes, content_type: str) -> tuple[str, str]:
    for bom, codec in _BOMS:
        if content.startswith(bom):
            return content.decode(codec, errors="replace"), codec.removesuffix("-sig")
    if content.isascii():
        return content.decode("ascii"), "utf-8"
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass  # not UTF-8, whatever the label says: look further
    for _where, label in declared_charsets(content, content_type):
        codec = codec_name(label)
        if codec is None or codec == "utf-8":
            continue
        try:
            text = content.decode(codec)
        except UnicodeDecodeError:
            continue  # the label lies (e.g. "iso-8859-1" on Shift_JIS bytes that cp1252 cannot map)
        if not _is_messy(text):
            return text, codec
    detected = _detect(content)
    if detected is not None:
        try:
            return content.decode(detected), detected
        except (UnicodeDecodeError, LookupError):
            pass
    return content.decode("utf-8", errors="replace"), "utf-8"
