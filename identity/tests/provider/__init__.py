"""A small OpenID provider (django-oauth-toolkit) that the SSO tests start in a process of
their own on 127.0.0.1: the relying party talks to it over real HTTP, as to Entra ID."""
