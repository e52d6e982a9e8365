"""Report labels in Chinese (default) and English. One block per report family."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "zh": {
        # ---- common ----
        "policy": "政策",
        "section": "条款",
        "quote": "原文",
        # ---- eval ----
        # ---- audit ----
        # ---- test ----
        # ---- batch ----
    },
    "en": {
        # ---- common ----
        "policy": "Policy",
        "section": "Section",
        "quote": "Quote",
        # ---- eval ----
        # ---- audit ----
        # ---- test ----
        # ---- batch ----
    },
}

LANGS = tuple(LABELS)


def label(key: str, lang: str = "zh") -> str:
    """The label of `key` in `lang`; falls back to Chinese, then to the key itself."""
    return LABELS.get(lang, {}).get(key) or LABELS["zh"].get(key, key)
