"""The protocol floor: facts about the wire that every other layer reads and none of it imports.

Errors and their wording, ids, dialects, model specs, text units, the behaviours where the docs are
silent, config rules a schema cannot state, the schema checks, inbound limits and the streamed
event sets. Nothing here imports another folder of the package, so any layer may use it.
"""
