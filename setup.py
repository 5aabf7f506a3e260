"""The package list; everything else is in pyproject.toml.

Every package of ``graphmodel/`` is found, and the top-level ``queries/`` and ``data/`` ship
inside it as ``graphmodel._queries`` and ``graphmodel._data`` (pyproject.toml maps the
folders and names their files). pyproject.toml cannot both find packages and add mapped
ones, hence this file.
"""

from setuptools import find_packages, setup

setup(packages=[*find_packages(include=["graphmodel", "graphmodel.*"]),
                "graphmodel._queries", "graphmodel._data"])
