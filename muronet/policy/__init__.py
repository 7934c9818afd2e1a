"""The city's security policy as code: rules as data (``rules.yaml``), one check per rule and
platform (``checks/``), run over configuration trees parsed by hier_config (``engine.py``)."""
