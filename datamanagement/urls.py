from django.urls import path

from datamanagement.matrix import views as matrix
from datamanagement.queries import views as queries

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
