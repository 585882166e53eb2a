from django.urls import path

from datamanagement.locks import views as lock_views

app_name = "datamanagement"

urlpatterns: list = []

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
