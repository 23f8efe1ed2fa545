"""Lantu's REST API (django-ninja), mounted at /api/ with its OpenAPI docs at /api/docs.

Handlers only translate HTTP: reads go through the apps' ``queries`` (the one scope filter), every
personal value through ``lantu.registry.masking``; domain errors (``lantu.core.errors``) answer
with their HTTP status and a Chinese and English message.
"""
