"""Pages of 50 (REST_FRAMEWORK["PAGE_SIZE"]), described in Dutch in the schema."""

from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    page_query_description = "Paginanummer, vanaf 1."
