"""A warm function reads its configuration again every few minutes, and only when it has changed."""

from __future__ import annotations

import pytest

from localangle.adapters import aws
from localangle.adapters.storage import Archive
from localangle.config import ConfigError
from localangle.local.world import World
from localangle.pipeline import runtime


def _expire() -> None:
    runtime._cache["config"].loaded -= runtime.CONFIG_TTL_SECONDS + 1


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    read: list[str] = []
    real = Archive.get_text

    def counted(archive: Archive, key: str) -> str:
        read.append(key)
        return real(archive, key)

    monkeypatch.setattr(Archive, "get_text", counted)
    return read


def test_an_unchanged_configuration_is_not_read_or_parsed_again(seed_world: World, reads: list[str]) -> None:
    runtime.forget()  # as a cold start finds it
    first = runtime.config()
    reader = runtime.reader()
    assert reads  # the operations, feeds.yaml and newsrooms.yaml, once
    reads.clear()
    _expire()
    assert runtime.config() is first
    assert runtime.reader() is reader
    assert reads == []
    # and its time starts again: within the next few minutes it is not even listed
    listed = runtime._cache["config"].loaded
    runtime.config()
    assert runtime._cache["config"].loaded == listed


def test_a_changed_file_is_read_at_the_next_refresh_and_the_reader_kept_for_the_same_operations(
    seed_world: World, reads: list[str]
) -> None:
    bucket, prefix = seed_world.cloud.env["ARCHIVE_BUCKET"], seed_world.cloud.env["CONFIG_PREFIX"]
    first = runtime.config()
    reader = runtime.reader()
    s3 = aws.client("s3")
    key = f"{prefix}newsrooms.yaml"
    text = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
    assert "name: National desk" in text
    s3.put_object(Bucket=bucket, Key=key, Body=text.replace("name: National desk", "name: UK desk").encode())
    assert runtime.config() is first  # not before the refresh is due
    reads.clear()
    _expire()
    now = runtime.config()
    assert now is not first
    assert [n.name for n in now.newsrooms if n.id == "national-desk"] == ["UK desk"]
    assert sorted(reads) == sorted(
        k for k in Archive(bucket).list(prefix) if k.endswith(".yaml")
    )  # every file again: they are validated together
    assert runtime.reader() is reader  # the operations are the same: their matcher is not built again


def test_a_broken_file_is_refused_by_name(seed_world: World) -> None:
    bucket, prefix = seed_world.cloud.env["ARCHIVE_BUCKET"], seed_world.cloud.env["CONFIG_PREFIX"]
    runtime.config()
    aws.client("s3").put_object(Bucket=bucket, Key=f"{prefix}feeds.yaml", Body=b"feeds: [unclosed\n")
    _expire()
    with pytest.raises(ConfigError, match=r"feeds\.yaml: not valid YAML at line 2"):
        runtime.config()


def test_a_deleted_file_is_noticed_at_the_next_refresh(seed_world: World) -> None:
    bucket, prefix = seed_world.cloud.env["ARCHIVE_BUCKET"], seed_world.cloud.env["CONFIG_PREFIX"]
    assert runtime.config().newsrooms
    aws.client("s3").delete_object(Bucket=bucket, Key=f"{prefix}newsrooms.yaml")
    _expire()
    assert runtime.config().newsrooms == []
