"""The admin answers bad input as a form does, never with a 500: prefills of the add forms that are not values of
their field, JSON boxes emptied, export filters it does not know; and the plan cannot be deleted from it."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse

from agencies.models import Agency, Collective
from core.admin import AdminInputMixin

pytestmark = pytest.mark.django_db

PROJECT_APPS = {"core", "agencies", "indicators", "tasks", "imports", "comments", "reports"}


def _project_admins():
    return [(m, a) for m, a in admin.site._registry.items() if m._meta.app_label in PROJECT_APPS]


def test_every_admin_and_inline_of_the_project_answers_bad_input_as_a_form():
    for model, model_admin in _project_admins():
        assert isinstance(model_admin, AdminInputMixin), model
        for inline in model_admin.inlines:
            assert issubclass(inline, AdminInputMixin), inline


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    client.raise_request_exception = False
    return client


def test_add_forms_leave_out_prefills_that_are_not_values_of_their_field(admin_client, administrator, plan):
    request = RequestFactory().get("/")
    request.user = administrator
    for model, model_admin in _project_admins():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
        expected = 200 if model_admin.has_add_permission(request) else 403
        names = [f.name for f in model._meta.get_fields() if f.concrete or f.many_to_many]
        for value in ("abc", "9" * 30, "-1.5", "2026-02-30"):
            response = admin_client.get(url, {name: value for name in names})
            assert response.status_code == expected, f"{url} with {value!r}: {response.status_code}"


def test_export_pages_send_an_unknown_filter_back_to_the_list_with_a_message(admin_client, plan):
    exports = 0
    for model, _model_admin in _project_admins():
        try:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_export")
        except NoReverseMatch:
            continue
        exports += 1
        for query in ("format=abc", "format=99", "e=1&zz=1"):
            response = admin_client.get(f"{url}?{query}")
            assert response.status_code == 302, f"{url}?{query}: {response.status_code}"
            changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            assert response.url == changelist
        assert admin_client.get(url).status_code == 200
    assert exports == 7


def test_an_agency_saved_with_its_aliases_box_emptied_has_no_aliases(admin_client, plan):
    response = admin_client.post(
        reverse("admin:agencies_agency_add"),
        {"code": "so-moi", "name": "Sở Mới", "kind": "department", "aliases": "", "is_active": "on"},
    )
    assert response.status_code == 302
    assert Agency.objects.get(code="so-moi").aliases == []
    response = admin_client.post(reverse("admin:agencies_collective_add"), {"name": "Các sở mới", "kinds": ""})
    assert response.status_code == 302 and Collective.objects.get(name="Các sở mới").kinds == []


class _Form(HTMLParser):
    """The fields of the admin's add form as the browser would send them."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, str] = {}
        self.textareas: set[str] = set()
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "checkbox", "file"):
            self.data[name] = attrs.get("value") or ""
        elif tag == "input" and name and attrs.get("type") == "checkbox" and "checked" in attrs:
            self.data[name] = attrs.get("value") or "on"
        elif tag == "textarea" and name:
            self._textarea = name
            self.textareas.add(name)
            self.data[name] = ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and ("selected" in attrs or self._select not in self.data):
            self.data[self._select] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def test_every_add_form_posted_as_shown_with_its_boxes_emptied_or_filled_with_words_gives_no_500(admin_client, plan):
    for model, _model_admin in _project_admins():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
        page = admin_client.get(url)
        if page.status_code != 200:
            continue
        form = _Form()
        form.feed(page.content.decode())
        # empty inputs filled so that the form can be valid ("1": a name, a code, a number), JSON and text boxes
        # emptied, or filled with what is not JSON
        shown = {name: value or "1" for name, value in form.data.items()}
        for fill in ("", "abc", "\x00"):
            data = {**shown, **{name: fill for name in form.textareas}}
            response = admin_client.post(url, data)
            assert response.status_code < 500, f"POST {url} with boxes {fill!r}: {response.status_code}"


def test_the_plan_cannot_be_deleted_from_the_admin(admin_client, plan):
    url = reverse("admin:indicators_plan_delete", args=[plan.pk])
    assert admin_client.get(url).status_code == 403
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    plan.refresh_from_db()
