from django.urls import path

from safety import views

urlpatterns = [
    path("subjects/<int:pk>/vitals/new/", views.vitals_edit, name="vitals_create"),
    path("subjects/<int:pk>/vitals/<int:vitals_pk>/", views.vitals_edit, name="vitals_edit"),
]
