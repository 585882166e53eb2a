from django.urls import path

from efficacy import views

urlpatterns = [
    path("subjects/<int:pk>/blood-gas/new/", views.blood_gas_edit, name="blood_gas_create"),
    path("subjects/<int:pk>/blood-gas/<int:gas_pk>/", views.blood_gas_edit, name="blood_gas_edit"),
]
