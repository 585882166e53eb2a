from django.urls import path

from datamanagement.matrix import views as matrix

app_name = "datamanagement"

urlpatterns: list = [
    path("data/matrix/", matrix.matrix, name="subject_matrix"),
]
