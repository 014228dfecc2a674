"""gan_core.photos.paintings (board reader, reassembly, crack finder) and the damage masks of gan_core.inpainting.masks."""
import io
import struct

import numpy as np
import pytest
from PIL import Image

from gan_core.inpainting import masks
from gan_core.photos import paintings
from gan_core.photos.containers import QtResources

BOARD = """import QtQuick 2.12
QtObject {
   property string instruction: qsTr("Katsushika Hokusa, Test Wave - 1830")
   property var levels : [
      { "pixmapfile" : "image/bg.svg", "type" : "SHAPE_BACKGROUND_IMAGE", "width": 60, "height": 40 },
      { "pixmapfile" : "image/Test_a1.webp", "x" : "0.25", "y" : "0.5" },
      { "pixmapfile" : "image/Test_a2.webp", "x" : "0.75", "y" : "0.5" }
   ]
}
"""


def rcc(files: dict[str, bytes]) -> bytes:
    """A version-1 Qt resource bundle holding `files` (paths below one chain of folders), stored uncompressed."""
    tree_paths = {}
    for path in files:
        parts = path.strip("/").split("/")
        for depth in range(len(parts)):
            tree_paths.setdefault("/".join(parts[:depth]), set()).add(parts[depth])
    names, name_offsets = b"", {}
    for name in sorted({n for children in tree_paths.values() for n in children}):
        name_offsets[name] = len(names)
        encoded = name.encode("utf-16-be")
        names += struct.pack(">HI", len(name), 0) + encoded
    nodes, data, queue = [None], b"", [("", 0)]
    while queue:                                    # breadth first: children of a node are consecutive
        folder, index = queue.pop(0)
        children = sorted(tree_paths.get(folder, ()))
        first = len(nodes)
        nodes[index] = (nodes[index] or (0,))[:1] + (2, len(children), first)
        for child in children:
            path = f"{folder}/{child}".strip("/")
            if "/" + path in files:
                nodes.append((name_offsets[child], 0, 0, len(data)))
                data += struct.pack(">I", len(files["/" + path])) + files["/" + path]
            else:
                nodes.append((name_offsets[child],))
                queue.append((path, len(nodes) - 1))
    tree = b"".join(struct.pack(">IHII", *node) for node in nodes)
    header = 20
    return b"qres" + struct.pack(">4I", 1, header, header + len(tree), header + len(tree) + len(data)) \
        + tree + data + names


def piece(colour, width=30, height=40) -> bytes:
    rgba = np.zeros((height, width, 4), np.uint8)
    rgba[..., :3], rgba[..., 3] = colour, 255
    out = io.BytesIO()
    Image.fromarray(rgba).save(out, "WEBP", lossless=True)
    return out.getvalue()


@pytest.fixture
def bundle(tmp_path):
    root = paintings.RESOURCE
    path = tmp_path / "paintings.rcc"
    path.write_bytes(rcc({root + "board/board1_0.qml": BOARD.encode(),
                          root + "image/Test_a1.webp": piece((200, 30, 30)),
                          root + "image/Test_a2.webp": piece((30, 30, 200))}))
    return path


def test_a_board_gives_painter_title_year_and_piece_centres(bundle):
    (board,) = paintings.boards(QtResources(bundle))
    assert (board.name, board.painter, board.title, board.year) == ("Test", "Katsushika Hokusai", "Test Wave", "1830")
    assert (board.width, board.height) == (60, 40)
    assert board.pieces == [("image/Test_a1.webp", 0.25, 0.5), ("image/Test_a2.webp", 0.75, 0.5)]


def test_pieces_are_put_side_by_side_where_the_board_says(bundle):
    (painting,) = paintings.read_paintings(str(bundle))
    assert painting.image.shape == (40, 60, 3) and painting.pieces == 2
    assert tuple(painting.image[20, 10]) == (200, 30, 30) and tuple(painting.image[20, 50]) == (30, 30, 200)


def test_a_file_that_is_not_a_board_is_refused():
    with pytest.raises(ValueError, match="not a GCompris paintings board"):
        paintings.parse_board("QtObject { }")


def test_pieces_without_a_board_are_fitted_by_their_overlapping_edges():
    rng = np.random.default_rng(0)
    picture = rng.uniform(0, 1, (40, 70, 3)).astype(np.float32)
    left = np.concatenate([picture[:, :40], np.ones((40, 40, 1), np.float32)], axis=2)   # columns 0-39
    right = np.concatenate([picture[:, 32:], np.ones((40, 38, 1), np.float32)], axis=2)  # 32-69: 8 px shared
    (x0, y0), (x1, y1) = paintings.solve_positions([left, right], min_overlap=0.05, max_overlap=0.5)
    assert (x1 - 19) - (x0 - 20) == 32 and y1 == y0


def test_find_cracks_finds_a_thin_dark_line_and_not_a_broad_dark_area():
    image = np.full((80, 80, 3), 180, np.uint8)
    image[:, 55:80] = 40                   # a broad dark area: paint, not a crack
    image[10:70, 20:22] = 60               # a crack 2 px wide
    found = paintings.find_cracks(image, grow=0)
    assert found[10:70, 20:22].mean() > 0.9
    assert found[:, 60:].sum() == 0 and found[:, :15].sum() == 0
    with pytest.raises(ValueError):
        paintings.find_cracks(np.zeros(5))
    with pytest.raises(ValueError, match="share"):
        paintings.find_cracks(image, darker=45)


def test_find_cracks_measures_darker_as_a_share_so_cracks_in_dark_paint_count_and_faint_lines_do_not():
    image = np.full((80, 80, 3), 200, np.uint8)
    image[:, :40] = 50                      # dark paint on the left, light on the right
    image[10:70, 20:22] = 20                # a crack in the dark paint: 60% darker, but only 30 levels
    image[10:70, 60:62] = 140               # a faint line on the light paint: 60 levels, but only 30% darker
    found = paintings.find_cracks(image)
    assert found[10:70, 20:22].mean() > 0.9 and found[:, 50:].sum() == 0
    assert paintings.find_cracks(image, darker=0.25)[10:70, 60:62].mean() > 0.9


@pytest.mark.parametrize("make, low, high", [
    (masks.craquelure, 0.001, 0.2), (masks.flakes, 0.0005, 0.1), (masks.scratches, 0.0005, 0.1),
    (masks.damage_mask, 0.01, 0.4), (masks.crack_mask, 0.02, 0.12)])
def test_damage_masks_cover_their_range_and_are_reproducible(make, low, high):
    areas = []
    for seed in range(8):
        a, b = make(128, 160, np.random.default_rng(seed)), make(128, 160, np.random.default_rng(seed))
        assert np.array_equal(a, b) and a.shape == (128, 160) and set(np.unique(a)) <= {0.0, 1.0}
        areas.append(a.mean())
    assert low <= min(areas) and max(areas) < high


def test_craquelure_lines_are_thin():
    cracks = masks.craquelure(200, 200, np.random.default_rng(3), region=1.0)
    import cv2
    opened = cv2.morphologyEx(cracks.astype(np.uint8), cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    assert cracks.mean() > 0.02 and opened.sum() < 0.05 * cracks.sum()  # almost nothing 5 px wide


def test_crack_is_an_evaluation_mask_class():
    mask = masks.mask_of_size(120, 150, "crack", np.random.default_rng(1))
    low, high = masks.MASK_SIZES["crack"]
    assert low <= mask.mean() < high
    assert set(masks.TRAINING_MASKS) == {"photo", "strokes", "wide", "damage"}
