"""Paintings for the painting inpainter: reassembled from GCompris' jigsaw puzzle, and a crack finder.

    boards(bundle)              the puzzle boards of gcompris-qt-data's paintings.rcc: title, painter, pieces
    assemble(placed)            pieces (RGBA) placed at their centres -> one RGB painting, cropped to full cover
    solve_positions(pieces)     centres for pieces that have no board, found by fitting them like a jigsaw
    read_paintings(bundle)      every painting in the bundle, reassembled, with its title and painter
    find_cracks(image)          a mask of thin dark cracks (black-hat on log brightness), for the user to edit

GCompris' "Assemble the puzzle" activity stores each painting as 6 to 25 jigsaw pieces (RGBA WebP, about
200x230 px, tabs and blanks in the alpha channel) and a board file per painting, a QML object whose
`levels` list holds a background of 702x515 and, per piece, its image and the position of its centre as a
fraction of that background (`x: posX * width - piece.width / 2` in Babymatch.qml). One painting,
Degas' "The Dance Class", has pieces but no board; its pieces are fitted by their shapes (solve_positions).
"""
import io
import re
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image

from gan_core.photos.containers import QtResources

PAINTINGS_RCC = "/usr/share/gcompris-qt/rcc/paintings.rcc"
RESOURCE = "/gcompris/src/activities/paintings/resource/"
BACKGROUND_SIZE = (702, 515)  # width, height of every board's background

# Typos in the boards' captions, and the painting whose board is missing from gcompris-qt-data 3.1.
PAINTER_NAMES = {"Katsushika Hokusa": "Katsushika Hokusai", "Pieter Brugel": "Pieter Bruegel",
                 "Bazille": "Frédéric Bazille"}
BOARDLESS = {"degas_class-dance": ("Edgar Degas", "The Dance Class", "1874")}


@dataclass
class Board:
    """One puzzle: its caption, split into painter, title and year, and its pieces."""
    name: str                      # short name from the pieces' file names, e.g. "GreatWave"
    painter: str
    title: str
    year: str
    width: int = BACKGROUND_SIZE[0]
    height: int = BACKGROUND_SIZE[1]
    pieces: list[tuple[str, float, float]] = field(default_factory=list)  # (image path, centre x, centre y) in [0, 1]


def parse_board(text: str) -> Board:
    """Read a board file (QML). It is not JSON, so the fields are picked out with regular expressions.

    The caption is `qsTr("Painter, Title - year")`; the background entry gives the board's size.
    """
    caption = re.search(r'instruction:\s*qsTr\("(.*)"\)', text)
    pieces = re.findall(r'"pixmapfile"\s*:\s*"([^"]+)"\s*,\s*"x"\s*:\s*"?([0-9.]+)"?\s*,\s*"y"\s*:\s*"?([0-9.]+)"?', text)
    if caption is None or not pieces:
        raise ValueError("not a GCompris paintings board: no caption or no pieces with x/y positions")
    painter, _, rest = caption.group(1).partition(", ")
    title, _, year = rest.rpartition(" - ")
    if not title:  # no year given
        title, year = rest, ""
    width = re.search(r'"width"\s*:\s*(\d+)', text)
    height = re.search(r'"height"\s*:\s*(\d+)', text)
    name = re.sub(r"[_-](\w?\d+)\.webp$", "", pieces[0][0].rsplit("/", 1)[-1])
    return Board(name=name, painter=PAINTER_NAMES.get(painter, painter), title=title.strip().rstrip("."),
                 year=year.strip().rstrip("."),
                 width=int(width.group(1)) if width else BACKGROUND_SIZE[0],
                 height=int(height.group(1)) if height else BACKGROUND_SIZE[1],
                 pieces=[(path, float(x), float(y)) for path, x, y in pieces])


def boards(bundle: QtResources) -> list[Board]:
    """Every board in the bundle, in the game's level order (board1, board2, ...)."""
    paths = [p for p in bundle.paths() if p.startswith(RESOURCE + "board/") and p.endswith(".qml")]
    paths.sort(key=lambda p: int(re.search(r"board(\d+)", p).group(1)))
    return [parse_board(bundle.read(p).decode("utf-8")) for p in paths]


def read_piece(bundle: QtResources, path: str) -> np.ndarray:
    """A piece as HxWx4 float32 RGBA in [0, 1]; `path` is relative to the resource folder ('image/x.webp')."""
    return np.asarray(Image.open(io.BytesIO(bundle.read(RESOURCE + path))).convert("RGBA"), np.float32) / 255.0


# ----------------------------------------------------------------------------------------------------
# Putting the pieces together


def assemble(placed: list[tuple[np.ndarray, float, float]], min_cover: float = 0.995) -> np.ndarray:
    """Paste RGBA pieces whose centres are at (x, y) pixels, and crop to where the painting is whole.

    Pieces are alpha-composited in order on a canvas with a margin (a tab can stick out past the board's
    edge). The outer edges of the pieces do not line up to the pixel, so the bounding box of the
    covered area is trimmed, one row or column at a time from the side with the most uncovered pixels,
    until every edge line is covered to `min_cover`; the few pixels still uncovered inside (gaps
    between anti-aliased edges) are filled with OpenCV's Telea inpainting. Returns HxWx3 uint8.
    """
    boxes = [(int(round(x - piece.shape[1] / 2)), int(round(y - piece.shape[0] / 2))) for piece, x, y in placed]
    left = min(b[0] for b in boxes)
    top = min(b[1] for b in boxes)
    width = max(b[0] + p.shape[1] for b, (p, _, _) in zip(boxes, placed)) - left
    height = max(b[1] + p.shape[0] for b, (p, _, _) in zip(boxes, placed)) - top
    colour = np.zeros((height, width, 3), np.float32)
    cover = np.zeros((height, width), np.float32)
    for (x0, y0), (piece, _, _) in zip(boxes, placed):
        h, w = piece.shape[:2]
        region = np.s_[y0 - top:y0 - top + h, x0 - left:x0 - left + w]
        alpha = piece[..., 3:]
        colour[region] = colour[region] * (1 - alpha) + piece[..., :3] * alpha
        cover[region] = np.maximum(cover[region], alpha[..., 0])
    covered = cover > 0.5
    rows, cols = np.nonzero(covered.any(axis=1))[0], np.nonzero(covered.any(axis=0))[0]
    t, b, l, r = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    while b - t > 2 and r - l > 2:
        edges = {"top": covered[t, l:r].mean(), "bottom": covered[b - 1, l:r].mean(),
                 "left": covered[t:b, l].mean(), "right": covered[t:b, r - 1].mean()}
        worst = min(edges, key=edges.get)
        if edges[worst] >= min_cover:
            break
        t, b, l, r = t + (worst == "top"), b - (worst == "bottom"), l + (worst == "left"), r - (worst == "right")
    image = (np.clip(colour[t:b, l:r], 0, 1) * 255 + 0.5).astype(np.uint8)
    holes = (~covered[t:b, l:r]).astype(np.uint8)
    if holes.any():
        image = cv2.inpaint(image, holes, 3, cv2.INPAINT_TELEA)
    return image


def _correlate(canvas: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """out[y, x] = sum(canvas[y:y+h, x:x+w] * kernel) for every top-left (x, y) where the kernel fits."""
    return cv2.matchTemplate(canvas.astype(np.float32), kernel.astype(np.float32), cv2.TM_CCORR)


def solve_positions(pieces: list[np.ndarray], min_overlap: float = 0.01,
                    max_overlap: float = 0.15) -> list[tuple[float, float]]:
    """Centres (x, y) in pixels for jigsaw pieces without a board, by fitting each to those already placed.

    GCompris' pieces overlap their neighbours by a band a few pixels wide, where both hold the same
    paint. So each new piece (in the given order; GCompris numbers them row by row) goes where its
    colours agree best, in mean squared difference, with the pieces already placed, among the offsets
    where the two overlap by a band (min_overlap..max_overlap of the piece's opaque area) rather than
    lying on top of each other. The sums over every offset at once are correlations of the canvas with
    the piece (cv2.matchTemplate):
        SSD = sum a_c a_p (c - p)^2 = corr(a_c c^2, a_p) - 2 corr(a_c c, a_p p) + corr(a_c, a_p p^2).
    The first piece sits at its own centre; `assemble` crops whatever offset results.
    """
    if not pieces:
        raise ValueError("no pieces to place")
    margin = max(max(p.shape[:2]) for p in pieces)
    size = margin * (2 * len(pieces) + 2)
    canvas = np.zeros((size, size, 3), np.float32)
    cover = np.zeros((size, size), np.float32)
    centres = []
    for index, piece in enumerate(pieces):
        alpha = (piece[..., 3] > 0.5).astype(np.float32)
        rgb = piece[..., :3] * alpha[..., None]
        h, w = alpha.shape
        if index == 0:
            y0 = x0 = size // 2 - margin
        else:
            overlap = _correlate(cover, alpha)
            ssd = np.zeros_like(overlap)
            for c in range(3):
                ssd += (_correlate(canvas[..., c] ** 2, alpha) - 2 * _correlate(canvas[..., c], rgb[..., c])
                        + _correlate(cover, rgb[..., c] ** 2))
            area = alpha.sum()
            banded = (overlap >= min_overlap * area) & (overlap <= max_overlap * area)
            if not banded.any():
                raise ValueError("a piece fits nowhere next to the others: are these pieces of one puzzle?")
            score = np.where(banded, ssd / np.maximum(overlap, 1.0), np.inf)
            y0, x0 = np.unravel_index(int(np.argmin(score)), score.shape)
        region = np.s_[y0:y0 + h, x0:x0 + w]
        canvas[region] = np.where(alpha[..., None] > 0, piece[..., :3], canvas[region])
        cover[region] = np.maximum(cover[region], alpha)
        centres.append((x0 + w / 2, y0 + h / 2))
    return centres


@dataclass
class Painting:
    name: str
    painter: str
    title: str
    year: str
    pieces: int
    image: np.ndarray  # HxWx3 uint8


def read_paintings(path: str = PAINTINGS_RCC) -> list[Painting]:
    """Every painting in GCompris' paintings bundle, reassembled: first the boards' paintings, in level
    order, then the ones whose pieces have no board (fitted by shape)."""
    bundle = QtResources(path)
    paintings = []
    for board in boards(bundle):
        placed = [(read_piece(bundle, p), x * board.width, y * board.height) for p, x, y in board.pieces]
        paintings.append(Painting(board.name, board.painter, board.title, board.year, len(placed), assemble(placed)))
    images = [p for p in bundle.paths() if p.startswith(RESOURCE + "image/") and p.endswith(".webp")]
    for name, (painter, title, year) in BOARDLESS.items():
        mine = [p for p in images if p.rsplit("/", 1)[-1].startswith(name)]
        mine.sort(key=lambda p: int(re.search(r"(\d+)\.webp$", p).group(1)))
        if not mine:
            continue
        pieces = [read_piece(bundle, p[len(RESOURCE):]) for p in mine]
        centres = solve_positions(pieces)
        image = assemble([(piece, x, y) for piece, (x, y) in zip(pieces, centres)])
        paintings.append(Painting(name, painter, title, year, len(pieces), image))
    return paintings


# ----------------------------------------------------------------------------------------------------
# Finding cracks


def find_cracks(image: np.ndarray, width: int = 2, darker: float = 0.45, min_length: int = 12,
                grow: int = 0) -> np.ndarray:
    """A mask (float32 HxW, 1 = crack) of thin dark lines: a first guess that the user then edits.

    Craquelure shows as lines darker than the paint on both sides and at most a few pixels wide. A
    black-hat filter (closing minus image) with a structuring element a little wider than the cracks
    keeps exactly such features: the closing fills dark details narrower than the element, so the
    difference is large on cracks and near 0 on broad dark areas. It runs on the logarithm of the
    brightness, so it measures how many times darker a pixel is than the paint around it: a crack is a
    shadowed groove, which darkens dark and light paint by the same factor, while a difference in levels
    would miss cracks in dark paint and take the dark outlines drawn on light paint for cracks. Pixels
    at least `darker` (a share, 0.45 = 45% darker) below their surroundings are kept, specks with fewer
    than `min_length` pixels are dropped (paint texture, not a crack), and the rest can be grown by
    `grow` pixels. On the training paintings with drawn cracks (`python -m gan_core.eval.cracks`) the
    defaults find 91% of the cracks, and 80% of what they mark is crack; a threshold in levels did no
    better than 71% and 73% at once. Growing the mask made the restored paintings worse (the cracks' own
    edges are mostly caught already, and every pixel filled is a pixel the fill can get wrong).
    """
    image = np.asarray(image)
    if image.ndim not in (2, 3) or min(image.shape[:2]) < 2:
        raise ValueError(f"find_cracks needs an HxW or HxWx3 image, got shape {image.shape}")
    if not 0 < darker < 1:
        raise ValueError(f"darker is a share between 0 and 1 (0.45 = 45% darker), got {darker}")
    grey = image if image.ndim == 2 else cv2.cvtColor(np.ascontiguousarray(image[..., :3]), cv2.COLOR_RGB2GRAY)
    grey = grey.astype(np.float32)
    if grey.max() <= 1.0 and image.dtype.kind == "f":
        grey = grey * 255.0
    log_brightness = np.log(grey + 4.0)        # + 4 levels: the sensor and JPEG noise of near-black paint
    size = 2 * width + 1
    element = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    times_darker = cv2.morphologyEx(log_brightness, cv2.MORPH_BLACKHAT, element)   # log(closing / image)
    candidates = (times_darker > -np.log(1.0 - darker)).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(candidates, connectivity=8)
    keep = np.zeros(count, bool)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= min_length
    mask = keep[labels].astype(np.uint8)
    if grow > 0:
        mask = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1)))
    return mask.astype(np.float32)
