"""Issue 19, point 6: a screen failure that was re-screened links forward to the new
screening and no longer offers "Re-screen"; the re-screening links back."""

from django.urls import reverse

from enrollment.models import Screening
from portal.demo.enrollment import complete_checklist, open_screening


def _detail(client, screening):
    return client.get(reverse("enrollment:screening_detail", args=[screening.pk])).content.decode()


def test_rescreened_failure_links_forward_and_hides_rescreen(coordinator_client, site, coordinator):
    failed = open_screening(site=site, user=coordinator)
    complete_checklist(failed, coordinator, exclusion_3=True)
    rescreen_url = reverse("enrollment:rescreen", args=[failed.pk])
    assert rescreen_url in _detail(coordinator_client, failed)  # a failure may be re-screened

    coordinator_client.post(rescreen_url)
    again = Screening.objects.get(rescreen_of=failed)

    page = _detail(coordinator_client, failed)
    assert 'data-testid="rescreened-as"' in page
    assert reverse("enrollment:screening_detail", args=[again.pk]) in page
    assert rescreen_url not in page
    back = _detail(coordinator_client, again)
    assert reverse("enrollment:screening_detail", args=[failed.pk]) in back
