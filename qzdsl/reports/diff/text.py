"""`qzdsl diff` as terminal text and as Markdown, laid out from the record."""

from __future__ import annotations

from qzdsl import escape
from qzdsl.wording.labels import label


def markdown(data: dict, lang: str = "zh") -> str:
    def t(key: str, **values) -> str:
        return label(key, lang).format(**values)

    md = escape.markdown
    lines = [f"# {t('diff.title')}", "",
             f"- {t('diff.old')}: {md(data['old']['doc_number'])} (sha256 `{data['old']['sha256'][:12]}`)",
             f"- {t('diff.new')}: {md(data['new']['doc_number'])} (sha256 `{data['new']['sha256'][:12]}`)",
             "", f"**{md(data['verdict'])}**", ""]
    for c in data["clauses"]:
        lines += [f"## {md(c['section'])} {md(c['title'])}", "", f"*{md(c['impact_text'])}*", ""]
        if c["changes"]:
            lines += [f"| {t('diff.aspect')} | {t('diff.old')} | {t('diff.new')} |", "| --- | --- | --- |"]
            lines += [f"| {escape.markdown_cell(x['what'])} | {escape.markdown_cell(x['old'] or '—')} | "
                      f"{escape.markdown_cell(x['new'] or '—')} |" for x in c["changes"]]
            lines.append("")
        w = c["witness"]
        if w:
            lines += [f"{t('diff.witness')}（{t('diff.as_of')} {w['as_of']}）：" if lang == "zh"
                      else f"{t('diff.witness')} ({t('diff.as_of')} {w['as_of']}):", ""]
            lines += [f"- {md(f['text'])}" for f in w["facts"]]
            lines += ["", f"| {t('diff.old')} | {t('diff.new')} |", "| --- | --- |",
                      f"| {escape.markdown_cell(w['old']['text'])} | {escape.markdown_cell(w['new']['text'])} |", ""]
            if not w["replays"]:
                lines += [f"> {t('diff.no_replay')}", ""]
    return "\n".join(lines).rstrip() + "\n"


def table(data: dict, console, lang: str = "zh") -> None:
    from rich.table import Table

    def t(key: str, **values) -> str:
        return label(key, lang).format(**values)

    say = escape.terminal
    console.print(f"{t('diff.title')}: {say(data['old']['doc_number'])} → {say(data['new']['doc_number'])}")
    console.print(say(data["verdict"]))
    for c in data["clauses"]:
        grid = Table(title=say(f"{c['section']} {c['title']} — {c['impact_text']}"), show_header=True,
                     title_justify="left")
        for column in ("diff.aspect", "diff.old", "diff.new"):
            grid.add_column(t(column), overflow="fold")
        for x in c["changes"]:
            grid.add_row(say(x["what"]), say(x["old"] or "—"), say(x["new"] or "—"))
        w = c["witness"]
        if w:
            grid.add_section()
            grid.add_row(t("diff.witness"), say(w["old"]["text"]), say(w["new"]["text"]))
        console.print(grid)
        if w:
            console.print(f"  {t('diff.as_of')} {w['as_of']}: " + say("；".join(f["text"] for f in w["facts"])))
