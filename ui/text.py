"""User text on a page as text: names, titles, comments, usernames, file names never as Markdown or HTML.

Nearly every Streamlit element renders its text as Markdown: st.markdown, st.caption, st.title and
st.subheader, st.info / st.warning / st.error / st.success, and the labels of buttons, checkboxes,
expanders, tabs and metrics (a label keeps Markdown's links and images, an image shown inline). A
person named `![x](https://attacker.example.org/p.png)` would make every viewer's browser fetch that
address. `plain` makes such text show as typed:

- a backslash before each character that starts Markdown anywhere on a line (backslash, backtick,
  * ~ [ ] < > & $ | #, an underscore not inside a word, and a colon before a letter), and before
  those that start a block at a line's beginning (- + =, the . or ) of "1."): no emphasis, code,
  link, image, HTML, entity, strikethrough, math, table, heading, list or Streamlit directive
  (`:red[...]`) can start in the text. A backslash before punctuation is always that character in
  CommonMark;
- a word joiner (U+2060, invisible) inside `http://`, `www.` and `name@host`: GitHub-flavoured
  Markdown turns addresses in text into links after the parse, where a backslash no longer counts;
  and after the first colon of `:smile:` or `:material/home:`, which Streamlit would show as an
  emoji or an icon.

Other punctuation (`.`, `-` inside a line, `:`, `(`, `@`...) is left as it is, so usernames, references
and dates read the same in the page's source as on the screen. Inside a code span (between backticks)
nothing is Markdown and a backslash shows as itself: use `code` there, never `plain`.

Selectbox options, table cells, text inputs and st.text / st.code / st.json show text as text: they
need none of this.

The page's own Markdown (bold around a value, a badge) stays in the page's code and its templates;
`t_md` fills a template's placeholders with escaped values.
"""

import re

from passage.core.errors import PassageError
from ui.i18n import explain, t

# An underscore between two letters or digits ("medical_escort") can neither open nor close emphasis.
_ANYWHERE = re.compile(r"[\\`*~\[\]<>&$|#]|(?<![^\W_])_|_(?![^\W_])")
# At a line's start, after up to any indent: a list item, a setext heading's underline, an ordered list.
_LINE_START = re.compile(r"^([ \t]*)([-+=])", re.MULTILINE)
_ORDERED = re.compile(r"^([ \t]*\d+)([.)])", re.MULTILINE)
# A colon before a letter starts a Streamlit directive (`:red[...]`, or `:red` alone, which shows nothing).
_DIRECTIVE = re.compile(r":(?=[A-Za-z])")
# Where GFM's link finder starts (`https://`, `www.`, `user@host`) and where a shortcode would become an
# emoji or an icon (`:smile:`, `:material/home:`), a word joiner breaks the pattern.
_ADDRESS = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)|(?<=:)(?=[\w+/-]+:)", re.IGNORECASE)
WORD_JOINER = "\u2060"


def plain(text: object) -> str:
    """`text` for an element that renders Markdown, so that it shows exactly as typed."""
    escaped = _ANYWHERE.sub(lambda sign: "\\" + sign.group(), str(text).replace("\r\n", "\n").replace("\r", "\n"))
    escaped = _LINE_START.sub(lambda m: f"{m[1]}\\{m[2]}", escaped)
    escaped = _ORDERED.sub(lambda m: f"{m[1]}\\{m[2]}", escaped)
    escaped = _DIRECTIVE.sub(r"\:", escaped)
    return _ADDRESS.sub(WORD_JOINER, escaped)


def t_md(template: str, /, **values: object) -> str:
    """`t(template, ...)` for an element that renders Markdown: the template's Markdown kept, the values
    (names, titles, usernames, reasons) shown as text."""
    return t(template, **{name: _shown(value) for name, value in values.items()})


def explain_md(exc: Exception) -> str:
    """`explain(exc)` for an element that renders Markdown: a refusal's values (a username typed into a form,
    a reference from a link) shown as text, its template as written."""
    if not isinstance(exc, PassageError):
        return plain(explain(exc))
    return t(
        exc.template,
        **{name: _shown(t(value) if isinstance(value, str) else value) for name, value in exc.values.items()},
    )


def _shown(value: object) -> object:
    """A value for a template: text escaped; a number or a date kept, so a format in the template
    (`{retry_at:%H:%M:%S}`, `{count:,}`) still applies (neither can carry Markdown)."""
    return plain(value) if isinstance(value, str) else value


def code(text: str) -> str:
    """`text` as inline code: a fence longer than any run of backticks inside, so that none ends it early."""
    if not text:
        return ""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    return f"{fence} {text} {fence}" if longest else f"{fence}{text}{fence}"
