"""The project's Neo4j server (started by ``make test`` before pytest) runs and answers.

These tests fail, never skip, when the server is down: start it with
``python -m graphmodel.server start``.
"""

from __future__ import annotations

import urllib.request

import pytest
from neo4j import GraphDatabase

from graphmodel import server

pytestmark = pytest.mark.neo4j

HINT = "Neo4j is not running; start it with `python -m graphmodel.server start`."


def test_status_says_running() -> None:
    info = server.status()
    assert info["running"], f"{HINT} status: {info}"
    assert isinstance(info["pid"], int)
    assert info["version"].startswith("5.26.")
    assert info["bolt_uri"] == server.BOLT_URI


def test_credentials_shape() -> None:
    creds = server.credentials()
    assert set(creds) == {"uri", "user", "password", "database"}
    assert creds["password"], "no password: set NEO4J_PASSWORD or start the server once"


def test_authenticated_query() -> None:
    creds = server.credentials()
    with GraphDatabase.driver(creds["uri"], auth=(creds["user"], creds["password"])) as driver:
        driver.verify_connectivity()
        records, _, _ = driver.execute_query(
            "CALL dbms.components() YIELD edition, versions RETURN 1 AS one, edition, versions",
            database_=creds["database"],
        )
    assert records[0]["one"] == 1
    assert records[0]["edition"] == "community"
    assert records[0]["versions"][0] == server.NEO4J_VERSION


def test_browser_is_served() -> None:
    with urllib.request.urlopen(server.BROWSER_URL, timeout=10) as response:
        assert response.status == 200
        html = response.read().decode("utf-8", errors="replace")
    assert "<title>Neo4j Browser</title>" in html
