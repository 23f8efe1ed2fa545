"""The room's pages in English: its own catalogue is complete and used."""

import polib

from lantu.projects.apps import ProjectsConfig


def test_catalogue_is_complete():
    import pathlib

    import lantu.projects

    po = polib.pofile(
        str(pathlib.Path(lantu.projects.__file__).parent / "locale/en/LC_MESSAGES/django.po")
    )
    assert po.percent_translated() == 100 and ProjectsConfig.name == "lantu.projects"


def test_library_in_english(client, world):
    client.force_login(world["users"]["county_approval"])
    client.cookies["django_language"] = "en"
    body = client.get("/projects/").content.decode()
    assert "county project library" in body and "Projects and funds" in body
