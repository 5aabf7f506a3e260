"""The shipped dataset (``jingansi/``), shipped inside the package as ``graphmodel._data``.

Find it through :func:`graphmodel.settings.default_dataset_path`, never by path.
"""
