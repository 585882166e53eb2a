"""The read API (issue 15, point 5): subjects, visits, every CRF of the registry, adverse
events, queries and source data verification, read-only, with personal tokens.

- `rules.py`: who may see what (identifiers), how long a token lasts;
- `services.py`: a token made and revoked (access-logged);
- `authentication.py`: the token checked (knox: a SHA-512 digest at rest), its last use;
- `selectors.py`: the rows of an endpoint for a user — the pages' site scoping
  (`accounts.selectors.scope_to_sites`) and the history's timestamps for `modified_since`;
- `serializers.py`, `views.py`: one serializer and one read-only viewset per endpoint,
  generated from the CRF registry (a new CRF gets its endpoint with no change here);
- `tokens.py`: the page where a person makes, sees and revokes their tokens."""
