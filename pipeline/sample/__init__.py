"""The bundled sample corpus: content written for the project, its renderer and its loopback server.

``content/*.toml`` is rendered by ``build.py`` into ``site/`` (and ``site-edition2/``);
``server.serve()`` serves it on 127.0.0.1 for ``dipnews run --sample``.
"""
