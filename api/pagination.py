"""Pages of 50 (REST_FRAMEWORK["PAGE_SIZE"]), described in Dutch in the schema.
A page that is not a whole number from 1 is a 400 with invalidParams, like
any other wrong query parameter; a page past the last one is a 404."""

from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination

PAGE = serializers.IntegerField(min_value=1)


class Pagination(PageNumberPagination):
    page_query_description = "Paginanummer, vanaf 1."
    invalid_page_message = "Pagina {page_number} bestaat niet."

    def get_page_number(self, request, paginator):
        page = request.query_params.get(self.page_query_param) or "1"
        try:
            return PAGE.run_validation(page)
        except serializers.ValidationError as error:
            raise serializers.ValidationError({self.page_query_param: error.detail}) from error

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1  # as get_page_number checks
        return parameters

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["count", "next", "previous", "results"],
            "properties": {
                "count": {"type": "integer", "description": "Het aantal resultaten op alle pagina's samen."},
                "next": {**link, "description": "URL van de volgende pagina; leeg op de laatste."},
                "previous": {**link, "description": "URL van de vorige pagina; leeg op de eerste."},
                "results": {**schema, "description": f"De resultaten op deze pagina, hoogstens {self.page_size}."},
            },
        }
