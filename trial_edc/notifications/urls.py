from django.urls import path

from trial_edc.notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.my_notifications, name="my_notifications"),
    path("notifications/preferences/", views.preferences, name="notification_preferences"),
    path("notifications/outbox/", views.outbox, name="notification_outbox"),
]
