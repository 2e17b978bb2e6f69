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
