"""Imports of the field's published records (lists of operations, Kohesio exports) as "project" records.

``mapping`` is the declarative description of one source (a YAML file), ``readers`` turn
CSV, JSON, XLSX and XLS files into rows, ``normalise`` cleans their values (text, countries,
funds, dates, amounts, codes), ``projects`` makes records of rows and merges duplicates,
``store`` keeps what each file gave (atomically, per file) for `praxis index`, and ``run``
is `praxis import`. The built-in mappings are in ``sources/``.
"""
