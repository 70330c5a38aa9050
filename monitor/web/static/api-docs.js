// Starts Swagger UI on /api/docs (kept out of the page: no inline scripts under the CSP).
window.addEventListener("load", function () {
  var node = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: node.getAttribute("data-openapi"),
    dom_id: "#swagger-ui",
    deepLinking: true,
  });
});
