def test_vendored_assets_are_served_by_the_app(client):
    """No CDN: the stylesheet and htmx come from the app itself, in any DEBUG mode."""
    for path, kind in (("/static/css/app.css", "text/css"), ("/static/vendor/htmx-2.0.11.min.js", "javascript")):
        response = client.get(path)
        assert response.status_code == 200, path
        assert kind in response["Content-Type"]


def test_pages_reference_no_outside_hosts(client, org):
    from conftest import PASSWORD

    client.login(username=org.clerk_a.username, password=PASSWORD)
    html = client.get("/").content.decode()
    assert "http://" not in html.replace("http://testserver", "") and "https://" not in html


def test_api_docs_load_swagger_from_the_app_not_a_cdn(client, org):
    from conftest import PASSWORD

    client.login(username=org.clerk_a.username, password=PASSWORD)
    html = client.get("/api/v1/docs").content.decode()
    assert "https://" not in html and "http://" not in html.replace("http://testserver", "")
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["info"]["title"] == "dieuhanh API" and "/api/v1/units" in spec["paths"]


def test_pages_carry_a_strict_content_security_policy(client, org):
    from conftest import PASSWORD

    client.login(username=org.clerk_a.username, password=PASSWORD)
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff"
    html = response.content.decode()
    assert "<script>" not in html and "style=" not in html
