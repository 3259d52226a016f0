"""``SECRET_KEY_FILE``: the key read from a file (a systemd credential), so that no
secret needs to be kept in clear in the environment file or the instance folder."""

from __future__ import annotations

import pytest

from webapp import create_app


def make(tmp_path, **config):
    return create_app(
        {"TESTING": True, "DEMO_DATABASE": str(tmp_path / "demo.sqlite"), **config},
        instance_path=str(tmp_path / "instance"),
    )


def test_the_key_is_the_files_first_line(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("from-a-credential\nignored\n")
    app = make(tmp_path, SECRET_KEY=None, SECRET_KEY_FILE=str(key_file))
    assert app.config["SECRET_KEY"] == "from-a-credential"
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_secret_key_wins_over_the_file(tmp_path):
    app = make(tmp_path, SECRET_KEY="given", SECRET_KEY_FILE=str(tmp_path / "absent"))
    assert app.config["SECRET_KEY"] == "given"


def test_a_missing_or_empty_file_stops_the_app(tmp_path):
    with pytest.raises(FileNotFoundError):
        make(tmp_path, SECRET_KEY=None, SECRET_KEY_FILE=str(tmp_path / "absent"))
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(RuntimeError, match="is empty"):
        make(tmp_path, SECRET_KEY=None, SECRET_KEY_FILE=str(tmp_path / "empty"))


def test_without_either_a_key_is_kept_in_the_instance_folder(tmp_path):
    app = make(tmp_path, SECRET_KEY=None)
    kept = tmp_path / "instance" / "secret_key"
    assert app.config["SECRET_KEY"] == kept.read_text().strip()
    assert kept.stat().st_mode & 0o777 == 0o600
