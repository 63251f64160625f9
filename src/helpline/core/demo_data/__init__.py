"""The demo desk of `helpline demo`: who works there, who writes in, about what, in which language.

- `people`: teams, agents (one per role, plus desks for each language), organisations, ticket
  fields and tags; `customers`: who writes in.
- `stories` and `stories_<language>`: ten support topics told in English, Georgian, Amharic,
  Mongolian and Telugu.
- `plan`: the tickets, planned from a seed (deterministic, no database).
- `seed`: plays the plan through the actions layers; safe to run again.
"""
