from django.urls import path

from datamanagement.locks import views as lock_views
from datamanagement.matrix import views as matrix
from datamanagement.queries import views as queries
from datamanagement.sdv import views as sdv_views

app_name = "datamanagement"

urlpatterns: list = [
    path("data/matrix/", matrix.matrix, name="subject_matrix"),
]

# --- queries (issue 14, points 1, 2, 4) ---
urlpatterns += [
    path("queries/", queries.query_list, name="query_list"),
    path("queries/<int:pk>/", queries.query_detail, name="query_detail"),
    path("queries/subject/<int:pk>/", queries.subject_records, name="subject_records"),
    path("queries/record/<str:label>/<int:pk>/", queries.record_queries, name="record_queries"),
]

# --- freeze and lock (issue 14, points 7-9) ---
urlpatterns += [
    path("locks/", lock_views.lock_console, name="lock_console"),
    path("locks/database/", lock_views.database_lock, name="database_lock"),
    path(
        "locks/certificates/<int:pk>/<str:fmt>/",
        lock_views.certificate_download,
        name="certificate_download",
    ),
    path(
        "locks/record/<str:action>/<str:label>/<int:pk>/",
        lock_views.lock_change,
        {"level": "record"},
        name="lock_change_record",
    ),
    path(
        "locks/study/<str:action>/",
        lock_views.lock_change,
        {"level": "study"},
        name="lock_change_study",
    ),
    path("locks/<str:level>/<str:action>/<int:pk>/", lock_views.lock_change, name="lock_change"),
]

# --- source data verification and casebook sign-off (issue 14, points 5, 6, 11) ---------
urlpatterns += [
    path("sdv/", sdv_views.sdv_overview, name="sdv_overview"),
    path("sdv/verify/<str:label>/<int:pk>/", sdv_views.verify_record, name="sdv_verify_record"),
    path("sdv/verify-visit/<int:pk>/", sdv_views.verify_visit, name="sdv_verify_visit"),
    path("casebook/<int:subject_id>/", sdv_views.casebook, name="casebook"),
]

# --- data out: exports (issue 15, points 1 and 7) ---
from datamanagement.exports import views as export_views  # noqa: E402

urlpatterns += [
    path("exports/", export_views.export_list, name="export_list"),
    path("exports/<int:pk>/download/", export_views.export_download, name="export_download"),
]

# --- certified-copy casebooks (issue 15, point 4) ---
from datamanagement.exports.casebook import views as casebook_export_views  # noqa: E402

urlpatterns += [
    path(
        "exports/casebook/<int:subject_id>/",
        casebook_export_views.casebook_request,
        name="casebook_export",
    ),
]
