"""The archive as Datasette shows it: a plugin (``plugins/``) and templates.

``govreports serve`` loads them; so does a plain Datasette given the same folders::

    datasette archive.db --plugins-dir govreports/datasette/plugins \\
        --template-dir govreports/datasette/templates

Modules: ``forms`` lays tables 二/三/四 out as the official forms; ``pages`` serves the report page and
the original bytes; ``downloads`` streams CSV (with a BOM for Excel) of every table and query;
``metadata`` holds titles, labels, units, canned queries, charts and the feed.
The pages: ``/-/report/{id}``, ``/-/original/{sha256}``, ``/-/find?q=`` (ranked search).
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
PLUGINS_DIR = HERE / "plugins"
TEMPLATES_DIR = HERE / "templates"
