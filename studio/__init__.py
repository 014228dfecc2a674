"""The GAN Restoration Studio's user interface (Gradio): one module per tab, built into one page by app.py.

    common.py     uploads, friendly errors, warnings, result files: what every tab shares
    models.py     the inpainting models in weights/ and their cards (Inpaint and Evaluate pick one)
    inpaint.py    the Inpaint tab        evaluate.py   the Evaluate tab
    learn/        the Learn tab          restore.py    the Restore tab
    extend.py     the Extend tab         paintings.py  the Paintings tab (find cracks, fill them)
    medical.py    the Medical tab
    api.py        /inpaint and /restore, endpoints for scripts with no place on the page
    adaptation.py "Learn this photo first": the option and the live view Inpaint, Extend and Paintings share

Each tab module has build(), which creates the tab's components and events inside the current gr.Blocks;
app.py calls it inside `with gr.Tab(...)`. A new tab is a new module with a build() and one line in app.py.
The UI holds no ML: every model, metric, mask and task list comes from gan_core, and no module here
imports torch or OpenCV.
"""
