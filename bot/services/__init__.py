"""Domain rules. No `telegram` import here: services take a session and plain values and
return what to say, or write outbox rows for messages to other people.

Feature packages: `people/` (people, roles, invitations, privacy), `checkins/`, `support/`,
`meetings/`, `release/` — each package's `__init__` lists its rules and where they live.
Shared by all of them:

- `outbox` — messages to other people, written in the cause's transaction, delivered
  at least once (`outbox.enqueue`, claimed by compare-and-set in `outbox.claim_due`,
  `OutboxStatus`); text is cleared once a row is final (`outbox.CLEARED`).
- `validation` — parsing what people type (`parse_pseudonym`, `parse_time_of_day`,
  `parse_clean_date`), with kind errors (`InvalidInput`); the longest text read (`MAX_TEXT`).
- `schedule_times` — daily local times in a person's zone as UTC instants, across DST.
- `places` — postcodes and towns to places, offline.
"""
