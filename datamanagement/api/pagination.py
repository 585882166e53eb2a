"""Cursor pagination by primary key: stable while records are added, and each page one query
(no count)."""

from rest_framework.pagination import CursorPagination


class ApiCursorPagination(CursorPagination):
    ordering = "pk"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500
