"""The playground's lessons in words, in English and Chinese: what each preset shows, the loss formulas, and
one training step in slow motion, stage by stage; and what the live chart of "Learn this photo first" shows.

The game and its numbers are gan_core.learn.toy.game's; the words are the studio's. Each entry is
key: (English, 中文), like studio/i18n.py's, which gives them to gr.I18n. Texts fixed when the page is built
are translated in the browser (t(key)); texts with live numbers are written by the server in the browser's
language (say(key, language, ...), the language from studio.i18n.language).
"""
from gan_core.learn.toy.game import PRESETS

ENGLISH, CHINESE = 0, 1   # the place of each language in an entry

LOSS_FORMULAS = {  # (D's loss, G's loss) as students read them; D(.) = sigmoid of the logit for the log losses
    "minimax": ("-E[log D(x)] - E[log(1 - D(G(z)))]", "E[log(1 - D(G(z)))]"),
    "nonsaturating": ("-E[log D(x)] - E[log(1 - D(G(z)))]", "-E[log D(G(z))]"),
    "lsgan": ("E[(D(x) - 1)^2] + E[D(G(z))^2]", "E[(D(G(z)) - 1)^2]"),
    "hinge": ("E[max(0, 1 - D(x))] + E[max(0, 1 + D(G(z)))]", "-E[D(G(z))]"),
    "wgan": ("E[D(G(z))] - E[D(x)] + lambda * gradient penalty", "-E[D(G(z))]"),
}

PRESET_KEYS = {   # gan_core.learn.toy.game.PRESETS' names -> their lesson's key
    "Mode collapse: minimax loss on the ring": "toy_preset_collapse",
    "Fixed: non-saturating loss + 5 D steps on the ring": "toy_preset_d_steps",
    "Fixed: WGAN-GP on the ring": "toy_preset_wgan",
    "Vanishing gradients: minimax against a perfect discriminator": "toy_preset_vanishing",
    "Grid with WGAN-GP": "toy_preset_grid",
    "Two moons: least squares GAN": "toy_preset_moons",
    "Spiral: hinge loss": "toy_preset_spiral",
}

PRESET_LESSONS = {   # what students should look for in each preset
    "toy_preset_collapse": (
        "G learns 5 times faster than D (lr G 0.005, lr D 0.001) and D gets one step per G step. G rushes all "
        "its points to whatever spot D currently calls real, so the purple points pile onto one or two of the 8 "
        "modes; D then learns that this spot is fake and G jumps to another one. Watch 'modes covered' stay at "
        "0-2 while the cluster hops around the ring (after a few thousand steps it may stumble out). Changing "
        "only the loss does not cure it here (try non-saturating); giving D 5 steps per G step does.",
        "G 的学习速度是 D 的 5 倍（G 的学习率 0.005，D 的学习率 0.001），而且 G 每走一步，D 只走一步。G 把所有的"
        "点都赶到 D 此刻认为是真实的地方，于是紫色的点堆在 8 个模式中的一两个上；接着 D 学会了那个地方是假的，G 又"
        "跳到另一个地方。注意“覆盖的模式”一直停在 0-2，而这团点绕着圆环跳来跳去（几千步之后它可能会偶然跳出来）。"
        "在这里只换损失函数治不好它（试试非饱和损失）；让 G 每走一步 D 走 5 步才行。"),
    "toy_preset_d_steps": (
        "The same learning rates as the mode collapse preset, but D takes 5 steps for every G step, so G always "
        "chases an up-to-date D that rewards every mode it has not covered yet. All 8 modes are covered within "
        "a few hundred steps. The non-saturating loss -log D(G(z)) also keeps G's push strong where D is sure. "
        "Try 5 D steps with the minimax loss too: it works as well, so here the cure is D's extra steps.",
        "学习率与模式崩塌预设相同，但 G 每走一步，D 走 5 步，所以 G 追赶的总是一个最新的 D，它奖励每一个还没被"
        "覆盖的模式。几百步之内 8 个模式全部被覆盖。非饱和损失 -log D(G(z)) 还让 G 在 D 很有把握的地方依然得到"
        "很强的推力。也试试极小极大损失配 5 步 D：同样有效，所以这里的良方是 D 多走的那几步。"),
    "toy_preset_wgan": (
        "A Wasserstein critic scores points instead of classifying them, and the gradient penalty keeps the "
        "slope of its score near 1, so every generated point gets a useful push toward the data, even far from "
        "it (look at the arrows). With 5 critic steps per G step it covers all 8 modes within a few hundred "
        "steps. The background shows higher (green) and lower (purple) scores: there is no probability here.",
        "Wasserstein 评判器给点打分，而不是给点分类；梯度惩罚让它的分数的斜率保持在 1 附近，所以每个生成的点都会"
        "得到一个朝向数据的有用推力，即使离数据很远（看箭头）。G 每走一步评判器走 5 步，几百步之内就覆盖全部 8 个"
        "模式。背景显示的是较高（绿色）和较低（紫色）的分数：这里没有概率。"),
    "toy_preset_vanishing": (
        "Plain SGD, and D trains 10 times per G step with a huge learning rate, so it soon is almost perfectly "
        "sure that the generated points are fake (mean D(G(z)) near 0). The minimax loss log(1 - D(G(z))) is "
        "flat there: G's arrows are nearly invisible and its points do not move. Switch the loss to "
        "non-saturating, -log D(G(z)): the push becomes thousands of times stronger and G moves at once, but "
        "then piles onto one or two modes. The non-saturating loss fixes vanishing gradients, not mode collapse.",
        "使用普通的 SGD，而且 G 每走一步，D 就用极大的学习率训练 10 次，所以它很快就几乎完全确定生成的点是假的"
        "（D(G(z)) 的平均值接近 0）。极小极大损失 log(1 - D(G(z))) 在那里是平的：G 的箭头几乎看不见，它的点也不"
        "动。把损失换成非饱和的 -log D(G(z))：推力变强几千倍，G 立刻动起来，但随后堆到一两个模式上。非饱和损失"
        "解决的是梯度消失，而不是模式崩塌。"),
    "toy_preset_grid": (
        "25 modes are a harder test of coverage. WGAN-GP with 5 critic steps covers about 20 of the 25 within "
        "1000-2000 steps; the non-saturating loss with 1 D step covers fewer, and more slowly. Some points "
        "always sit between modes (quality below 1): G is a continuous map of one sheet of noise, so it must "
        "stretch that sheet across the gaps.",
        "25 个模式是对覆盖能力更难的考验。WGAN-GP 配 5 步评判器，在 1000-2000 步内覆盖 25 个中的大约 20 个；"
        "非饱和损失配 1 步 D 覆盖得更少，也更慢。总有一些点落在模式之间（质量低于 1）：G 是一整张噪声平面的连续"
        "映射，所以它必须把这张平面拉伸着跨过空隙。"),
    "toy_preset_moons": (
        "The least squares loss pushes D's score toward 1 on real and 0 on generated points, and charges G the "
        "squared distance of its score from 1, so even points D rejects firmly still get a push in proportion "
        "to how wrong they are. Watch the manifold grid bend into two interleaved arcs and the JS distance "
        "fall toward 0.",
        "最小二乘损失把 D 对真实点的分数推向 1、对生成点的分数推向 0，并按 G 的分数与 1 之差的平方向 G 计罚，所以"
        "即使是 D 坚决拒绝的点，也会得到与其错误程度成正比的推力。看流形网格弯成两道交错的弧线，JS 距离降向 0。"),
    "toy_preset_spiral": (
        "A long curled shape: G has to wind its sheet of noise around two turns. The hinge loss stops "
        "rewarding D once a point is beyond the margin (score above +1 for real, below -1 for fake), which "
        "keeps D from growing overconfident; D gets 3 steps at twice G's learning rate. Watch the purple "
        "points wind along the arm as the JS distance falls.",
        "一个长长的卷曲形状：G 必须把它的噪声平面绕上两圈。一旦一个点越过边界（真实点的分数高于 +1，假点低于 "
        "-1），合页损失就不再奖励 D，这让 D 不会变得过于自信；D 以 G 两倍的学习率走 3 步。看紫色的点随着 JS "
        "距离下降，沿着旋臂缠绕。"),
}

SLOW_LESSONS = {   # one training step, stage by stage: (title, text) templates filled with the stage's numbers
    "toy_slow_sample": ("1. Sample real data and noise", "1. 采样真实数据和噪声"),
    "toy_slow_sample_text": (
        "We draw {batch} real points from the {target} (green) and {batch} noise vectors z, each made of "
        "{noise_dim} random numbers from a standard normal distribution.{extra}",
        "我们从 {target}（绿色）中抽取 {batch} 个真实点，以及 {batch} 个噪声向量 z，每个由 {noise_dim} 个来自"
        "标准正态分布的随机数组成。{extra}"),
    "toy_slow_practised": (" (D has already practised on {others}: it gets {d_steps} updates for each update of G.)",
                           "（D 已经在{others}上练习过：G 每更新一次，D 更新 {d_steps} 次。）"),
    "toy_slow_one_batch": ("1 other batch", "另外 1 批数据"),
    "toy_slow_batches": ("{count} other batches", "另外 {count} 批数据"),
    "toy_slow_generate": ("2. The generator makes points", "2. 生成器生成点"),
    "toy_slow_generate_text": (
        "G turns every z into a point G(z) in the plane (purple). Their centre is at ({x:.2f}, {y:.2f}); on "
        "average a generated point is {distance:.2f} away from the nearest real point.",
        "G 把每个 z 变成平面上的一个点 G(z)（紫色）。它们的中心在 ({x:.2f}, {y:.2f})；平均而言，一个生成的点离"
        "最近的真实点 {distance:.2f}。"),
    "toy_slow_classify": ("3. The discriminator judges", "3. 判别器做出判断"),
    "toy_slow_classify_text": (
        "D gives every point a {scored}. Real points get D(x) = {d_real:.3f} on average, generated points "
        "D(G(z)) = {d_fake:.3f}. The background shows D's opinion everywhere: green = real, purple = fake.",
        "D 给每个点一个{scored}。真实点平均得到 D(x) = {d_real:.3f}，生成的点 D(G(z)) = {d_fake:.3f}。背景显示"
        " D 在每个位置的看法：绿色 = 真实，紫色 = 虚假。"),
    "toy_slow_probability": ("probability that it is real", "是真实的概率"),
    "toy_slow_score": ("score (higher = more real)", "分数（越高越真实）"),
    "toy_slow_losses": ("4. Each player computes its loss", "4. 双方各自计算损失"),
    "toy_slow_losses_text": (
        "D's loss {d_formula} is {d_loss:.3f}: small when it scores real points high and generated points low. "
        "G's loss {g_formula} is {g_loss:.3f}: small when D is fooled.",
        "D 的损失 {d_formula} 为 {d_loss:.3f}：当它给真实点高分、给生成点低分时，损失就小。G 的损失 "
        "{g_formula} 为 {g_loss:.3f}：当 D 被骗过时，损失就小。"),
    "toy_slow_gradients": ("5. Backpropagation finds the directions", "5. 反向传播找出方向"),
    "toy_slow_gradients_text": (
        "Backpropagation tells each player how to change its weights to lower its loss. For G the chain rule "
        "passes through the generated points: the arrows show -dLoss_G/dG(z), where each point is being pushed "
        "(average strength {push:.3f}). The size of D's gradient is {d_grad:.3f}.{vanishing}",
        "反向传播告诉双方如何调整权重来降低各自的损失。对 G 来说，链式法则经过生成的点：箭头显示 "
        "-dLoss_G/dG(z)，即每个点被推向的方向（平均强度 {push:.3f}）。D 的梯度大小为 {d_grad:.3f}。{vanishing}"),
    "toy_slow_vanishing": (
        " The arrows are tiny: D is so sure these points are fake that log(1 - D(G(z))) is flat there, so G "
        "learns almost nothing. These are vanishing gradients.",
        "箭头很小：D 非常确定这些点是假的，以至于 log(1 - D(G(z))) 在那里是平的，所以 G 几乎学不到东西。这就是"
        "梯度消失。"),
    "toy_slow_update": ("6. Both players take a step", "6. 双方各走一步"),
    "toy_slow_update_text": (
        "{optimizer} moves D's weights a little (lr {lr_d:g}); then G scores its points against the improved D "
        "and moves its weights (lr {lr_g:g}). For the same z the generated points moved {moved:.4f} on average. "
        "That was step {step}.",
        "{optimizer} 把 D 的权重移动一点（学习率 {lr_d:g}）；然后 G 用改进后的 D 给自己的点打分，并移动自己的"
        "权重（学习率 {lr_g:g}）。对同样的 z，生成的点平均移动了 {moved:.4f}。这是第 {step} 步。"),
}

ADAPT_LESSONS = {   # "Learn this photo first" (studio/adaptation.py): what the live chart shows, and its status line
    "adapt_lesson": (
        "**What happens while the GAN learns your photo.** Before it fills, a copy of the generator G practises "
        "on this photo alone. Each step cuts holes shaped like the part to fill out of pixels the photo does show; "
        "G fills them and pays for the hidden pixels it got wrong (L1, orange). When adaptation plays the whole "
        "GAN game, the critic D learns alongside: G also pays for every patch D caught (adversarial loss, purple), "
        "and D for every patch it misjudged (green). The part you want filled is never a target: nothing under it "
        "is known. The fill is redrawn every few steps with G as it is then. The curves jump from step to step "
        "because each step sees a few new crops: read the trend, not single points. **Stop** keeps the fill "
        "reached so far.",
        "**GAN 学习你的照片时发生了什么。** 在填充之前，生成器 G 的一个副本只在这张照片上练习。每一步都从照片中"
        "可见的像素里挖出形状与待填充部分相似的洞，由 G 填上，并为填错的隐藏像素受罚（L1，橙色）。当学习过程玩"
        "完整的 GAN 博弈时，判别器 D 也一起学习：G 还要为每一个被 D 识破的图块受罚（对抗损失，紫色），D 为每一个"
        "判断错的图块受罚（绿色）。你要填充的部分从来不是目标：它下面的内容是未知的。每隔几步，就用当时的 G 重新"
        "画一次填充。曲线在各步之间跳动，因为每一步看到的是几块新的裁剪：要看趋势，不要看单个点。**停止**会保留"
        "目前得到的填充。"),
    "adapt_series_adv": ("G: caught by the critic (adversarial)", "G：被判别器识破（对抗损失）"),
    "adapt_series_l1": ("G: hidden pixels missed (L1)", "G：隐藏像素的误差（L1）"),
    "adapt_series_d": ("D: real and filled patches misjudged", "D：判断错的真实与填充图块"),
    "adapt_progress": ("Learning this photo", "正在学习这张照片"),
    "adapt_stopped": ("**Stopped.** The fill shown, and the download, are the last ones drawn while the GAN learned.",
                      "**已停止。** 显示的填充和下载的文件，是 GAN 学习过程中最后画出的那一次。"),
    "adapt_status_start": ("**Learning this photo**: the fill before learning; {steps} steps to go.",
                           "**正在学习这张照片**：这是学习之前的填充；还有 {steps} 步。"),
    "adapt_status_step": ("**Learning this photo**: step {step} of {steps}.  \n{losses}",
                          "**正在学习这张照片**：第 {step} 步，共 {steps} 步。  \n{losses}"),
}

LESSONS = {
    **PRESET_LESSONS,
    "toy_preset_steps": ("*The lesson shows after about {steps} steps.*", "*大约 {steps} 步之后能看到这一课。*"),
    "toy_preset_none": ("Pick a preset to load settings that show one lesson, with what to look for.",
                        "选一个预设：载入能展示一课的设置，以及要观察什么。"),
    **{f"toy_formula_{loss}": (f"D minimises **{d}**  \nG minimises **{g}**", f"D 最小化 **{d}**  \nG 最小化 **{g}**")
       for loss, (d, g) in LOSS_FORMULAS.items()},
    **SLOW_LESSONS,
    **ADAPT_LESSONS,
}


def say(key: str, language: int = ENGLISH, **numbers) -> str:
    """The lesson called `key` in a language (ENGLISH or CHINESE), its {placeholders} filled in."""
    return LESSONS[key][language].format(**numbers)


def preset_text(name: str | None, language: int = ENGLISH) -> str:
    """What to look for in a preset, and after how many steps; a hint when no preset is chosen."""
    if name not in PRESETS:
        return say("toy_preset_none", language)
    return f"{say(PRESET_KEYS[name], language)}\n\n{say('toy_preset_steps', language, steps=PRESETS[name].steps)}"


def formula(loss: str, language: int = ENGLISH) -> str:
    """The two players' losses for a game, as Markdown."""
    return say(f"toy_formula_{loss}", language)


def slow_stage(stage, config, language: int = ENGLISH) -> str:
    """One stage of ToyGAN.slow_step() (a SlowStage) in words, as Markdown: "**title** — text"."""
    n = stage.numbers
    if stage.name == "sample":
        others = (say("toy_slow_one_batch", language) if config.d_steps == 2 else
                  say("toy_slow_batches", language, count=config.d_steps - 1))
        extra = say("toy_slow_practised", language, others=others, d_steps=config.d_steps) if config.d_steps > 1 else ""
        text = say("toy_slow_sample_text", language, batch=n["batch_size"], target=config.target,
                   noise_dim=n["noise_dim"], extra=extra)
    elif stage.name == "generate":
        text = say("toy_slow_generate_text", language, x=n["fake_centre_x"], y=n["fake_centre_y"],
                   distance=n["distance_to_nearest_real"])
    elif stage.name == "classify":
        probability = config.loss in ("minimax", "nonsaturating")
        text = say("toy_slow_classify_text", language, d_real=n["mean_d_real"], d_fake=n["mean_d_fake"],
                   scored=say("toy_slow_probability" if probability else "toy_slow_score", language))
    elif stage.name == "losses":
        d_formula, g_formula = LOSS_FORMULAS[config.loss]
        text = say("toy_slow_losses_text", language, d_formula=d_formula, d_loss=n["d_loss"], g_formula=g_formula,
                   g_loss=n["g_loss"])
    elif stage.name == "gradients":
        vanishing = config.loss == "minimax" and n["mean_d_fake"] < 0.1
        text = say("toy_slow_gradients_text", language, push=n["g_push"], d_grad=n["d_grad_norm"],
                   vanishing=say("toy_slow_vanishing", language) if vanishing else "")
    else:
        text = say("toy_slow_update_text", language, optimizer="Adam" if config.optimizer == "adam" else "SGD",
                   lr_d=config.lr_d, lr_g=config.lr_g, moved=n["moved"], step=n["step"])
    return f"**{say(f'toy_slow_{stage.name}', language)}** — {text}"

