"""The REST API (`passage api`): FastAPI routes over the services, for other systems calling with a token.

It stands beside the inbox on the services: every route calls the functions the inbox calls, so the same
access rules, the same masking of special-category data and the same audit apply (docs/api.md).
"""
