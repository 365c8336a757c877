"""Widgets that work without a kernel: pages rendered ahead, stepped through by a slider in plain JavaScript.

Every widget of the course also shows itself this way in a saved notebook, so nbconvert's HTML export, the slide
decks and a static site can step through it with no kernel and no network.  JupyterLab with a kernel keeps the live
ipywidgets version (its widget view comes first in the output).
"""
import html
import uuid

MAX_PAGES = 150  # pages rendered ahead at most; larger models are sampled evenly, and the page says so


def sample(count, most=MAX_PAGES):
    """At most ``most`` indices from 0 to ``count - 1``, evenly spread, first and last included."""
    if count <= most:
        return list(range(count))
    return sorted({round(k * (count - 1) / (most - 1)) for k in range(most)})


def stepper_html(pages, labels, title, start=0, note=""):
    """One self-contained HTML block: a range slider (keyboard and mouse) over ``pages`` (HTML strings), the label of
    the current page beside it, ``title`` and an optional ``note`` above.  No external script, no network."""
    if not pages or len(pages) != len(labels):
        raise ValueError(f"pages and labels must be two non-empty lists of the same length, got {len(pages)} pages "
                         f"and {len(labels)} labels.")
    start = min(max(0, start), len(pages) - 1)
    ident = f"cu-static-{uuid.uuid4().hex[:12]}"
    templates = "".join(f"<template data-label='{html.escape(label, quote=True)}'>{page}</template>"
                        for page, label in zip(pages, labels))
    script = (f"<script>(function(){{var root=document.getElementById('{ident}');if(!root)return;"
              "var pages=root.querySelectorAll('template'),slider=root.querySelector('input[type=range]'),"
              "shown=root.querySelector('[data-field=static-page]'),label=root.querySelector('[data-field=static-label]');"
              "function show(){var page=pages[+slider.value];shown.innerHTML=page.innerHTML;"
              "label.textContent=page.getAttribute('data-label');}"
              "slider.addEventListener('input',show);slider.addEventListener('change',show);show();})();</script>")
    return (f"<div id='{ident}' class='course-static-widget'>"
            f"<p><b>{html.escape(title)}</b>{(' ' + html.escape(note)) if note else ''}</p>"
            f"<input type='range' min='0' max='{len(pages) - 1}' value='{start}' step='1' style='width:100%;max-width:480px;box-sizing:border-box' "
            f"aria-label='{html.escape(title, quote=True)}' data-field='static-slider'> "
            f"<span data-field='static-label'>{html.escape(labels[start])}</span>"
            f"<div data-field='static-page'>{pages[start]}</div>{templates}{script}</div>")


class StaticFallback:
    """Mixin for the course's widgets: shown live (``self.widget``, an ipywidgets box) in Jupyter with a kernel, and
    as ``self.static_html()`` wherever there is none; ``repr(self)`` is the plain-text line."""

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = repr(self)
        bundle["text/html"] = self.static_html()  # for pages without a kernel
        return bundle
