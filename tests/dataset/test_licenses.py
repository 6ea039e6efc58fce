"""Licence detection on real repositories: licence texts as projects wrap
and name them."""

from __future__ import annotations

import pytest

from reviewer.dataset.licenses import detect_license, is_permissive
from reviewer.git import History
from tests.conftest import GitRepo

BSD3_WRAPPED = """Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:
    * Redistributions in binary form must reproduce the above copyright
      notice, this list of conditions and the following disclaimer.
    * Neither the name of Ask Solem, nor the
      names of its contributors may be used to endorse or promote products
"""
BSD2 = """Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are
met:
* Redistributions in binary form must reproduce the above copyright
  notice, this list of conditions and the following disclaimer in the
"""
MIT_WRAPPED = "Permission is hereby granted, free\nof charge, to any person obtaining a copy\n"


@pytest.mark.parametrize(
    ("path", "text", "spdx"),
    [
        ("LICENSE", BSD3_WRAPPED, "BSD-3-Clause"),  # "nor the / names" across lines
        ("LICENSE.rst", BSD2, "BSD-2-Clause"),
        ("license", MIT_WRAPPED, "MIT"),  # lower-case file name
        ("LICENSE.MIT", MIT_WRAPPED, "MIT"),
    ],
)
def test_the_licence_file_names_the_licence(repo: GitRepo, path: str, text: str, spdx: str) -> None:
    repo.write(path, text)
    repo.commit("Add licence")
    assert detect_license(History(repo.path)) == spdx


def test_a_pointer_file_defers_to_the_licence_it_names(repo: GitRepo) -> None:
    repo.write("LICENSE", "Available under either LICENSE.APACHE2 or LICENSE.MIT.\n")
    repo.write("LICENSE.MIT", MIT_WRAPPED)
    repo.commit("Add licences")
    assert detect_license(History(repo.path)) == "MIT"


def test_no_licence_file_means_unknown(repo: GitRepo) -> None:
    repo.write("README.md", "Permission is hereby granted, free of charge\n")
    repo.commit("Add readme")
    assert detect_license(History(repo.path)) is None


@pytest.mark.parametrize(
    ("spdx", "permissive"),
    [("MIT", True), ("Unlicense OR MIT", True), ("GPL-3.0", False), ("LGPL-3.0", False)],
)
def test_which_licences_are_permissive(spdx: str, permissive: bool) -> None:
    assert is_permissive(spdx) is permissive
