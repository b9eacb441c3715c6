"""Infrastructure the apps share and no app owns: the clock, roles, absolute URLs, and the API's
base classes, permissions and error mapping. It imports from no app."""
