"""The Cypher of the query library, shipped inside the package as ``graphmodel._queries``.

Read it through :func:`graphmodel._resources.cypher_text`, never by path.
"""
