"""One colour table for every status the product draws (Okabe–Ito, safe for colour-blind readers; the same
values are in static/css/app.css). Every colour is shown with a text label, never alone."""

STATUS_COLOURS = {
    "achieved": "#009e73",
    "on_track": "#56b4e9",
    "accelerate": "#e69f00",
    "limited": "#cc79a7",
    "regressing": "#d55e00",
    "no_data": "#999999",
    "qualitative": "#c9c9c9",
    # task occurrences and report timeliness share the palette
    "done_on_time": "#009e73",
    "in_progress": "#56b4e9",
    "not_due": "#c9c9c9",
    "done_late": "#e69f00",
    "overdue": "#d55e00",
    "awaiting_trigger": "#999999",
    "on_time": "#009e73",
    "late": "#e69f00",
    "missing": "#d55e00",
}


def _luminance(colour: str) -> float:
    """WCAG relative luminance of a "#rrggbb" colour."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """The WCAG contrast ratio of two "#rrggbb" colours (1 to 21; text needs 4.5)."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_colour_on(background: str) -> str:
    """Black or white, whichever reads better on ``background`` (a value written inside a coloured bar)."""
    return "#000000" if contrast_ratio("#000000", background) >= contrast_ratio("#ffffff", background) else "#ffffff"
