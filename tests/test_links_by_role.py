"""Issue 19, point 7: pages show only the actions the person may take. Every page of the
permission table a role may open is read as that role; every link and every form's action
on it is followed (GET: a POST-only action answers 405 once the permission passed, since
the permission is checked first), and none answers 403."""

import re
from urllib.parse import urljoin, urlsplit

import pytest

from tests.test_permissions import PAGES
from trial_edc.accounts.roles import Role

HREF = re.compile(r'<a\b[^>]*\bhref="([^"#][^"]*)"', re.IGNORECASE)
ACTION = re.compile(r'<form\b[^>]*\baction="([^"]+)"', re.IGNORECASE)
SKIP = ("/accounts/logout/", "/static/", "/i18n/")


@pytest.fixture
def page_objects(site, role_users):
    from portal.demo.enrollment import enrolled_subject, open_screening

    return {
        "site": site,
        "users": role_users,
        "screening": open_screening(site=site, user=role_users[Role.SITE_COORDINATOR]),
        "subject": enrolled_subject(
            site=site,
            coordinator=role_users[Role.SITE_COORDINATOR],
            investigator=role_users[Role.INVESTIGATOR],
        ),
    }


def _targets(page_url: str, html: str) -> set[str]:
    found = set()
    for raw in HREF.findall(html) + ACTION.findall(html):
        url = urljoin(page_url, raw.replace("&amp;", "&"))
        parts = urlsplit(url)
        if parts.netloc and parts.netloc != "testserver":
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if not path.startswith(SKIP):
            found.add(path)
    return found


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_no_link_or_button_answers_403(role, page_objects, role_users, client_for):
    client = client_for(role_users[role])
    pages = [build(page_objects) for _name, build, expected in PAGES if expected[role] == 200]
    targets: dict[str, str] = {}
    for url in pages:
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for target in _targets(url, response.content.decode()):
            targets.setdefault(target, url)
    refused = {
        target: found_on
        for target, found_on in sorted(targets.items())
        if client.get(target).status_code == 403
    }
    assert refused == {}, f"{role.label} is shown links it may not follow: {refused}"
