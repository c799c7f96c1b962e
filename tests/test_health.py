"""The health check scripts rely on."""


def test_health_check_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_health_check_says_unavailable_when_the_database_is_gone(tmp_path):
    from tests.conftest import dispose, make_app

    app = make_app(f"sqlite:///{tmp_path}/missing/dir/db.sqlite", tmp_path)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable"}
    dispose(app)
