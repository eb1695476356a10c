"""graphql-core's build_client_schema on a server's introspection result.

`python3 client_schema.py < introspection.json` prints the SDL graphql-core
builds from it (and fails as graphql-core would on an invalid result).
"""

import json
import sys

from graphql import build_client_schema, print_schema

schema = build_client_schema(json.load(sys.stdin))
print(print_schema(schema))
