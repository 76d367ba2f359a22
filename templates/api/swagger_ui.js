{% comment %}Starts Swagger UI on the API's schema. Served as a file (/api/v1/docs/?script=), as the
Content-Security-Policy allows no inline script. Unlike drf-spectacular's own script it holds no CSRF token:
"Try it out" reads with the portal session, and writes with a key given under "Authorize".{% endcomment %}"use strict";
window.ui = SwaggerUIBundle({
  url: "{{ schema_url|escapejs }}",
  dom_id: "#swagger-ui",
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  ...{{ settings|safe }},
});
