"""Training curves for the Learn tab's line plots: one long table of (step, value, series)."""
import gradio as gr
import pandas as pd

from gan_core.learn.toy import game as toy


def empty_curves() -> pd.DataFrame:
    """No points yet, with the column types of the real curves (a float "series" would get a colour gradient)."""
    return pd.DataFrame({"step": pd.Series(dtype="int64"), "value": pd.Series(dtype="float64"),
                         "series": pd.Series(dtype="object")})


def curves(history: dict, names: dict[str, str]) -> pd.DataFrame:
    """The columns of a history ({"step": [...], key: [...]}) named in `names`, each as a series with its label."""
    table = pd.DataFrame(toy.history_table(history, tuple(names)))
    table["series"] = table["series"].map(names)
    return table


def line_plot(title: str, y_title: str, height: int) -> gr.LinePlot:
    """An empty plot of curves, one colour per series, filled by a handler."""
    return gr.LinePlot(empty_curves(), x="step", y="value", color="series", title=title, height=height,
                       y_title=y_title)
