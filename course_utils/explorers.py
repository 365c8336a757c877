"""Explorers: sliders over a pure function that tests call directly.

- ``conv_explorer()`` over ``conv_explorer_html()``: output size, parameters and MACs of one convolution.
- ``bottleneck_explorer()`` over ``bottleneck_costs()`` and ``bottleneck_html()``: a direct convolution against a
  1x1 bottleneck followed by the same convolution.
"""
import html

from .arguments import positive_int, whole_number
from .shapes import conv_macs, conv_output_size, conv_params
from .static_html import StaticFallback, stepper_html
from .volumes import volumes_svg


def _fmt(number):
    return f"{number:,}"


def bottleneck_costs(height=28, width=28, in_channels=192, bottleneck=16, kernel_size=5, filters=32):
    """Parameters and multiply-accumulates (MACs) of a ``kernel_size`` convolution to ``filters`` channels on a
    ``height x width x in_channels`` input ("same" padding, stride 1), done directly or after a 1x1 convolution to
    ``bottleneck`` channels.  Biases are counted in the parameters; MACs are for one image.

    >>> costs = bottleneck_costs()
    >>> costs["direct_macs"], costs["reduce_macs"], costs["conv_macs"], costs["bottleneck_macs"]
    (120422400, 2408448, 10035200, 12443648)
    """
    height = positive_int(height, "height", hint="It is the height of the input volume in pixels, such as 28.")
    width = positive_int(width, "width", hint="It is the width of the input volume in pixels, such as 28.")
    in_channels = positive_int(in_channels, "in_channels", hint="It is the depth of the input volume, such as 192.")
    bottleneck = positive_int(bottleneck, "bottleneck", hint="It is the number of 1x1 filters, such as 16.")
    kernel_size = positive_int(kernel_size, "kernel_size", hint="Use the side of the square kernel, such as 5.")
    filters = positive_int(filters, "filters", hint="It is the number of output channels, such as 32.")
    costs = {
        "output_shape": (height, width, filters),
        "direct_params": conv_params(kernel_size, in_channels, filters),
        "direct_macs": conv_macs(height, width, kernel_size, in_channels, filters),
        "reduce_params": conv_params(1, in_channels, bottleneck),
        "reduce_macs": conv_macs(height, width, 1, in_channels, bottleneck),
        "conv_params": conv_params(kernel_size, bottleneck, filters),
        "conv_macs": conv_macs(height, width, kernel_size, bottleneck, filters),
    }
    costs["bottleneck_params"] = costs["reduce_params"] + costs["conv_params"]
    costs["bottleneck_macs"] = costs["reduce_macs"] + costs["conv_macs"]
    costs["macs_ratio"] = costs["direct_macs"] / costs["bottleneck_macs"]
    return costs


def bottleneck_html(height=28, width=28, in_channels=192, bottleneck=16, kernel_size=5, filters=32):
    """The comparison that ``bottleneck_explorer()`` shows, as an HTML table (arguments as ``bottleneck_costs``)."""
    c = bottleneck_costs(height, width, in_channels, bottleneck, kernel_size, filters)
    f, volume = kernel_size, f"{height} x {width} x {in_channels}"
    rows = [
        (f"direct: {f}x{f} conv, {in_channels} → {filters} channels", c["direct_params"], c["direct_macs"]),
        (f"1x1 conv, {in_channels} → {bottleneck} channels", c["reduce_params"], c["reduce_macs"]),
        (f"then {f}x{f} conv, {bottleneck} → {filters} channels", c["conv_params"], c["conv_macs"]),
        ("bottleneck total", c["bottleneck_params"], c["bottleneck_macs"]),
    ]
    cell = "style='text-align:right;padding-left:1.2em'"
    body = "".join(f"<tr><td style='text-align:left'>{html.escape(label)}</td><td {cell}>{_fmt(params)}</td>"
                   f"<td {cell}>{_fmt(macs)}</td></tr>" for label, params, macs in rows)
    ratio = c["macs_ratio"]
    verdict = (f"The bottleneck needs {ratio:.1f}x fewer MACs." if ratio >= 1 else
               f"Here the bottleneck costs {1 / ratio:.1f}x more MACs: it has too many 1x1 filters to save anything.")
    return (f"<p>Input {volume} → output {height} x {width} x {filters} (padding 'same', stride 1).</p>"
            f"<table><thead><tr><th style='text-align:left'>path</th><th {cell}>params</th>"
            f"<th {cell}>MACs</th></tr></thead><tbody>{body}</tbody></table>"
            f"<p data-field='verdict'><b>{html.escape(verdict)}</b></p>"
            + volumes_svg([(height, width, in_channels), (height, width, bottleneck), (height, width, filters)],
                          ["input", f"1x1 conv to {bottleneck}", f"{f}x{f} conv to {filters}"]))


def _slider(description, value, low, high):
    import ipywidgets as widgets

    return widgets.IntSlider(value=value, min=low, max=high, description=description, continuous_update=True,
                             style={"description_width": "initial"}, layout={"width": "420px"})


class Explorer(StaticFallback):
    """Sliders (``explorer.sliders``, name -> IntSlider) and an HTML output (``explorer.output``) that shows
    ``render(**values)`` live.  Without a kernel (an HTML export, a slide deck, the static site) it shows the pages of
    one slider, ``static_slider``, rendered ahead at the other sliders' current values."""

    def __init__(self, render, sliders, static_slider, static_values):
        import ipywidgets as widgets

        self.render, self.sliders, self.output = render, sliders, widgets.HTML()
        self.static_slider, self.static_values = static_slider, list(static_values)
        for slider in sliders.values():
            slider.observe(lambda _change: self.update(), names="value")
        self.update()
        self.widget = widgets.VBox([*sliders.values(), self.output])

    def values(self):
        return {name: slider.value for name, slider in self.sliders.items()}

    def update(self):
        self.output.value = self.render(**self.values())

    def static_html(self):
        """The explorer without a kernel: one page per value of ``static_slider``, the others as they are now."""
        values = self.values()
        steps = sorted(set(self.static_values) | {values[self.static_slider]})
        pages = [self.render(**dict(values, **{self.static_slider: step})) for step in steps]
        fixed = ", ".join(f"{name} = {value}" for name, value in values.items() if name != self.static_slider)
        return stepper_html(pages, [f"{self.static_slider} = {step}" for step in steps], self.static_slider,
                            start=steps.index(values[self.static_slider]),
                            note=f"(with {fixed}; run the notebook to move every slider)")

    def __repr__(self):
        return f"explorer: {self.values()}; run it in Jupyter to move the sliders."


def bottleneck_explorer(height=28, width=28, in_channels=192, bottleneck=16, kernel_size=5, filters=32):
    """Sliders for the input channels, the 1x1 filters, the kernel size and filters of the following convolution;
    shows parameters and MACs of the direct convolution against the 1x1 bottleneck, live.
    Starts at GoogLeNet's inception (3a) example 28 x 28 x 192 → 1x1 to 16 → 5x5 to 32 (``height`` and ``width`` stay fixed).
    """
    bottleneck_costs(height, width, in_channels, bottleneck, kernel_size, filters)  # check the arguments
    sliders = {
        "in_channels": _slider("input channels", in_channels, 1, max(512, in_channels)),
        "bottleneck": _slider("1x1 filters (bottleneck)", bottleneck, 1, max(256, bottleneck)),
        "kernel_size": _slider("kernel_size of the conv", kernel_size, 1, max(7, kernel_size)),
        "filters": _slider("filters of the conv", filters, 1, max(256, filters)),
    }

    def render(**values):
        return bottleneck_html(height, width, **values)

    return Explorer(render, sliders, "bottleneck", [1, 2, 4, 8, 16, 32, 64, 128, 192])


def conv_explorer_html(size=6, kernel_size=3, strides=1, padding=0, in_channels=3, filters=8):
    """What ``conv_explorer()`` shows for a square ``size x size x in_channels`` input: the output size
    floor((n + 2p - f)/s) + 1 with the numbers, parameters and MACs, and a drawing.  An impossible combination
    (the kernel is larger than the padded input) gives a message instead of an exception.
    """
    n = positive_int(size, "size", hint="It is the height and width of the input, in pixels, such as 6.")
    f = positive_int(kernel_size, "kernel_size", hint="Use the side of the square kernel, such as 3.")
    s = positive_int(strides, "strides", hint="Use a step of 1 pixel or more.")
    p = whole_number(padding, "padding", hint="It is the number of zero pixels added on each side, such as 1.")
    c_in = positive_int(in_channels, "in_channels", hint="It is the depth of the input volume, such as 3.")
    c_out = positive_int(filters, "filters", hint="It is the number of output channels, such as 8.")
    if f > n + 2 * p:
        return (f"<p data-field='error' style='color:#cf222e'><b>Impossible:</b> the {f} x {f} kernel does not fit in "
                f"the padded input, which is only {n} + 2·{p} = {n + 2 * p} pixels wide. "
                f"Use kernel_size ≤ {n + 2 * p} or add padding.</p>")
    out = conv_output_size(n, f, strides=s, padding=p)
    notes = []
    if (n + 2 * p - f) % s:
        notes.append(f"The stride does not divide n + 2p - f = {n + 2 * p - f}: the floor drops the last "
                     f"{(n + 2 * p - f) % s} row(s) and column(s) of the padded input.")
    if p >= f:
        notes.append(f"padding {p} ≥ kernel_size {f}: the outer output pixels see only zeros.")
    if out == n and s == 1:
        notes.append("The output keeps the input size: p = (f - 1)/2 is what padding='same' does for stride 1.")
    params = conv_params(f, c_in, c_out)
    macs = conv_macs(out, out, f, c_in, c_out)
    drawing = volumes_svg([(n, n, c_in), (out, out, c_out)], ["input", "output"])
    note_html = "".join(f"<li>{html.escape(note)}</li>" for note in notes)
    return (f"<p>output size floor((n + 2p - f)/s) + 1 = floor(({n} + 2·{p} - {f})/{s}) + 1 = "
            f"<b data-field='output_size'>{out}</b></p>"
            f"<p>output volume <b data-field='output'>{out} x {out} x {c_out}</b></p>"
            f"<p>parameters f·f·n_c_in·n_c_out + n_c_out = {f}·{f}·{c_in}·{c_out} + {c_out} = "
            f"<b data-field='params'>{_fmt(params)}</b></p>"
            f"<p>MACs per image {out}·{out}·{c_out} · {f}·{f}·{c_in} = {_fmt(macs)}</p>"
            + (f"<ul>{note_html}</ul>" if notes else "") + drawing)


def conv_explorer(size=6, kernel_size=3, strides=1, padding=0, in_channels=3, filters=8):
    """Sliders for n (``size``), f (``kernel_size``), p (``padding``), s (``strides``) and the channels; shows the
    output size and the parameters live, and says so when a combination is impossible."""
    conv_explorer_html(size, kernel_size, strides, padding, in_channels, filters)  # check the arguments
    sliders = {
        "size": _slider("n = size", size, 1, max(64, size)),
        "kernel_size": _slider("f = kernel_size", kernel_size, 1, max(11, kernel_size)),
        "padding": _slider("p = padding", padding, 0, max(5, padding)),
        "strides": _slider("s = strides", strides, 1, max(5, strides)),
        "in_channels": _slider("n_c_in = input channels", in_channels, 1, max(64, in_channels)),
        "filters": _slider("n_c_out = filters", filters, 1, max(64, filters)),
    }
    return Explorer(conv_explorer_html, sliders, "kernel_size", range(1, 12))
