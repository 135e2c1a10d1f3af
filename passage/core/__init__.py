"""The ground floor: settings, the engine, the schema, errors, the Prefect bridge and generic helpers.

Nothing here knows a programme, a service or a page; everything above may use it.
"""
