"""GAN Restoration Studio: repair a photo with a GAN, compare it with classical methods, and see how it judges.

Run `python app.py` and open http://127.0.0.1:7860 (GRADIO_SERVER_NAME / GRADIO_SERVER_PORT change where it
listens; on Hugging Face Spaces the same file is the app). This file only puts the tabs together: each tab is a
module of the `studio` package (studio/restore.py is the Restore tab), and every model, metric and mask lives
in `gan_core`.
"""
import importlib.util
import logging
import os

import gradio as gr

from studio import api, evaluate, extend, inpaint, learn, medical, paintings, restore
from studio.common import EXAMPLES_DIR, MAX_FILE_SIZE, prune_on_a_schedule
from studio.i18n import I18N, t

TABS = (("Inpaint", "inpaint", inpaint), ("Extend", "extend", extend), ("Paintings", "paintings", paintings),
        ("Evaluate", "evaluate", evaluate), ("Learn", "learn", learn), ("Restore", "restore", restore),
        ("Medical", "medical", medical))   # (title, id, module with build())


def build_demo() -> gr.Blocks:
    """The whole studio: one tab per job, and the endpoints for scripts."""
    with gr.Blocks(title="GAN Restoration Studio", delete_cache=(600, 3600)) as demo:
        gr.Markdown(t("title"))
        with gr.Tabs():
            for title, tab_id, module in TABS:
                with gr.Tab(t(f"tab_{tab_id}"), id=tab_id):
                    module.build()
        api.build()
    demo.queue(default_concurrency_limit=2, max_size=64)
    prune_on_a_schedule()
    return demo


def has_mcp() -> bool:
    """Whether `gradio[mcp]` is installed (pip install "gradio[mcp]"): then agents can call the endpoints."""
    return importlib.util.find_spec("mcp") is not None


def main() -> None:
    """Serve on GRADIO_SERVER_NAME:GRADIO_SERVER_PORT (default 127.0.0.1:7860), and as an MCP server if possible.

    With MCP, /inpaint and /restore are tools at /gradio_api/mcp/ (their docstrings are the descriptions).
    """
    logging.basicConfig(level=logging.INFO)
    build_demo().launch(server_name=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
                        server_port=int(os.environ.get("GRADIO_SERVER_PORT", "7860")),
                        max_file_size=MAX_FILE_SIZE, allowed_paths=[str(EXAMPLES_DIR)], mcp_server=has_mcp(),
                        i18n=I18N)


if __name__ == "__main__":
    main()
