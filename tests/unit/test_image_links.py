"""The editor's DSS / ROSAT / RASS links (ocat-data-page §2.5) from the folder of the `target_image_dir` setting."""

from __future__ import annotations

from pathlib import Path

from data.settings import load_settings
from pages._components.editor_fields import image_links


def test_links_prefer_the_soe_image_and_say_none_when_missing(tmp_path: Path) -> None:
    folder = tmp_path / "500123"
    folder.mkdir()
    for name in ("500123.12345.soe.dss.gif", "500123.12345.dss.gif", "500123.12345.pspc.gif", "500123.9.rass.gif"):
        (folder / name).write_bytes(b"GIF89a")
    links = {key: url for key, _label, url in image_links(500123, 12345, tmp_path)}
    assert links["dss"] == "https://cxc.harvard.edu/targets/500123/500123.12345.soe.dss.gif"
    assert links["rosat"] == "https://cxc.harvard.edu/targets/500123/500123.12345.pspc.gif"
    assert links["rass"] is None  # only another obsid's image
    assert all(url is None for _k, _l, url in image_links(999999, 1, tmp_path))


def test_the_folder_is_a_setting(tmp_path: Path) -> None:
    settings = load_settings({"instance_path": tmp_path}, environ={"USINT_TARGET_IMAGE_DIR": "/srv/targets"})
    assert settings.target_image_dir == Path("/srv/targets")
    assert load_settings({"instance_path": tmp_path}, environ={}).target_image_dir == Path("/data/targets")
