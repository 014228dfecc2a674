"""The studio's words in English and Chinese (gr.I18n): the browser's language picks one.

The article this project grew from is written in Chinese, and many of its readers are. Each entry is
key: (English, 中文); components take `t("key")`, and app.py passes I18N to launch(). gr.I18n translates
what the page is built with; a text the server writes later (the playground's lessons, with their live
numbers) is written in the browser's language, language(request). Texts not listed here or in
studio/lessons.py (the Learn, Evaluate and Restore tabs' explanations, messages from the server) are
English.
"""
import gradio as gr

from studio.lessons import CHINESE, ENGLISH, LESSONS

TEXTS = {
    "title": ("# GAN Restoration Studio\nRepair a photo with a generative adversarial network, compare it with "
              "classical methods, and see what its critic thinks.",
              "# GAN 修复工作室\n用生成对抗网络修复照片，与经典方法比较，并看看它的判别器怎么评价。"),
    "tab_inpaint": ("Inpaint", "修补"),
    "tab_evaluate": ("Evaluate", "评测"),
    "tab_learn": ("Learn", "学习"),
    "tab_restore": ("Restore", "复原"),
    "tab_extend": ("Extend", "扩展画面"),
    "tab_paintings": ("Paintings", "修复画作"),
    "tab_medical": ("Medical", "医学影像"),
    "inpaint_intro": ("Upload or paste a photo (or click an example below), choose the **Brush** and paint over "
                      "what should disappear, then press **Fill**. Unpainted pixels come back exactly as they "
                      "were, at full resolution.",
                      "上传或粘贴一张照片（或点击下方的示例），选择**画笔**涂抹要去掉的部分，然后按**填充**。"
                      "未涂抹的像素会以原始的全分辨率原样返回。"),
    "upload": ("Your photo: drop it here or click to choose (it opens in the editor below)",
               "你的照片：拖到这里或点击选择（它会在下方的编辑器中打开）"),
    "editor_inpaint": ("Photo: paint over what to remove", "照片：涂抹要去掉的部分"),
    "editor_evaluate": ("Intact photo (draw on it only if you choose your own mask)",
                        "完好的照片（只有选择自己画遮罩时才在上面画）"),
    "mask_upload": ("Or upload a mask (white = fill, used exactly as given)", "或上传遮罩（白色 = 填充，按原样使用）"),
    "method": ("Method", "方法"),
    "method_info": ("GAN = the trained network; the others are classical fills: Telea, Navier-Stokes and FSR "
                    "(OpenCV, FSR and PatchMatch take seconds), PatchMatch (content-aware fill)",
                    "GAN = 训练好的网络；其余为经典填充：Telea、Navier-Stokes 和 FSR（OpenCV），PatchMatch"
                    "（内容感知填充）；FSR 和 PatchMatch 需要几秒"),
    "grow": ("Grow brush strokes (pixels)", "扩展笔触（像素）"),
    "grow_info": ("Covers the soft edges of the strokes, so no halo is left around the fill; an uploaded mask "
                  "is used exactly", "覆盖笔触的柔和边缘，填充周围不留光晕；上传的遮罩按原样使用"),
    "critic": ("What the critic sees", "判别器看到了什么"),
    "critic_info": ("Overlay the discriminator's verdict on the GAN's result", "把判别器的判断叠加在 GAN 的结果上"),
    "fill": ("Fill", "填充"),
    "compare": ("Compare all methods", "比较所有方法"),
    "examples_inpaint": ("Examples: photo and mask ready, press Fill", "示例：照片和遮罩已备好，按填充"),
    "download": ("Download the result (full resolution, the photo's own format)", "下载结果（全分辨率，照片原有格式）"),
    "before_after": ("Before / after (drag the handle)", "修复前 / 修复后（拖动手柄）"),
    "model": ("GAN model", "GAN 模型"),
    "model_details": ("Technical details (the model card)", "技术细节（模型卡）"),
    "adapt": ("Learn this photo first", "先学习这张照片"),
    "adapt_info": ("Before filling, the GAN practises on this photo's own pixels for a number of steps (40 take "
                   "6-9 s on a 2-core CPU), and you watch it learn. Off: the shipped model fills at once.",
                   "填充之前，GAN 先在这张照片自己的像素上练习若干步（在双核 CPU 上 40 步约需 6-9 秒），你可以看着它"
                   "学习。不勾选：直接用发布的模型填充。"),
    "adapt_steps": ("Learning steps", "学习步数"),
    "adapt_chart": ("Learning your photo: the losses by step", "学习你的照片：每一步的损失"),
    "adapt_cancel": ("Stop learning (keep the fill so far)", "停止学习（保留目前的填充）"),
}

TEXTS.update(LESSONS)
I18N = gr.I18n(en={key: english for key, (english, _) in TEXTS.items()},
               zh={key: chinese for key, (_, chinese) in TEXTS.items()})


def t(key: str):
    """The text called `key`, translated in the browser."""
    if key not in TEXTS:
        raise KeyError(f"no text {key!r} in studio/i18n.py")
    return I18N(key)


def language(request: gr.Request | None) -> int:
    """ENGLISH or CHINESE (the place in an entry): the browser's first choice of language, which the page's
    own translations follow too; English for scripts that name none."""
    headers = getattr(request, "headers", None) or {}
    first = headers.get("accept-language", "").split(",")[0].strip().lower()
    return CHINESE if first.startswith("zh") else ENGLISH
