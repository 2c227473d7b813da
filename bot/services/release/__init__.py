"""Release day: someone leaving prison is met at the gate by a vetted companion from the
fellowship, and is offered check-ins afterwards. No `telegram` here; the handlers are
`handlers/release/releases.py` (requests, the card), `handlers/release/release_day.py` (offers, the day,
check-ins after) and `handlers/release/companions.py` (applying, vetting); the tick is
`schedules/release_reminders.py`.

Where each rule lives (each constant is defined once, in the module named):

Companions
- A companion applies with areas (at most `companions.MAX_AREAS`), fellowship, gender and
  clean time, then a coordinator decides — `companions.next_question`, `companions.submit`.
- Approval records the day vetting was done, not in the future and not older than
  `companions.VETTING_VALID` — `companions.parse_vetting_date`, `companions.approve`.
- Offers go to approved, vetted, unpaused, reachable companions with an area within
  `companions.COVER_KM` of the prison or the destination (of the gender asked for), nearest
  first, at most `matching.MAX_OFFERS` — `companions.covering`, `matching.offer`.
- The first yes wins (compare-and-set on the status) — `matching.accept`; a coordinator can
  assign or reassign — `matching.assign`; when everyone asked says no, coordinators hear at
  once — `matching.decline`.
- A companion who leaves (or loses the role) hands their releases back — `requests.hand_back`;
  one who can't be reached makes coordinators hear — `duties.reroute_companion_message`.

Who sees what
- An offer shows area, date, fellowship and needs, never who or which prison — `text.offer`;
  the details are for the assigned companion and coordinators — `text.details`; the
  person's own view never shows the notes for the companion — `text.for_person`.
- Coordinators may do everything to a sent request; the person may move or cancel their own
  (`requests.OWN_ACTIONS`); anyone else learns nothing — `requests.to_manage`.

Requests
- A draft saves each answer as given (`requests.STEPS`), one draft per creator —
  `requests.start_draft`; unfinished drafts go after `retention.DRAFT_KEPT` —
  `retention.drop_stale_drafts`.
- A release date is from today to `requests.MAX_AHEAD` ahead — `requests.parse_release_date`;
  typed notes are at most `requests.TEXT_MAX` characters — `requests.set_private_text`.
- "Morning, time not known" counts as `records.MORNING` at the gate — `records.gate_at`;
  release times are London times (`records.ZONE`).
- Moving the date or time tells everyone involved and re-times the reminders — `requests.move`.

The card (made for someone else's request)
- A single-use link and a short code (`connect.CODE_LENGTH` characters), valid until
  `requests.CARD_VALID_AFTER_RELEASE` after the gate time — `requests.card_expires`;
  a new card voids the old one — `requests.new_card`.
- At most `connect.MAX_WRONG_CODES` wrong codes a day per person — `connect.claim_by_code`.
- Opening a card only claims it; a coordinator confirms it is them before they see
  anything — `connect.decide`.

Timed duties (`ReleaseDuty`, claimed by compare-and-set — `duties.claim_due`)
- Reminders the day before at `records.DAY_BEFORE_AT` and on the morning at
  `records.MORNING_REMINDER_AT` (or `records.MORNING_LEAD` before the gate) —
  `records.duty_times`; after downtime the morning one is sent up to
  `duties.MORNING_USEFUL_FOR` late, else dropped — `duties._still_useful`.
- Nobody has said yes `records.ESCALATE_BEFORE` before the gate: coordinators are asked to
  assign — `records.duty_times`, `duties._escalate`.
- A request nobody closed is closed `records.CLOSE_AFTER_DAYS` after the release day (at
  `records.CLOSE_AT`), outcome "not recorded" — `records.duty_times`, `duties._carry_out`.
- A closed request's details are erased `retention.ERASE_AFTER` after it closed, leaving an
  anonymous count per month and outcome — `requests.close` (arms it with
  `retention.erase_at`), `retention.erase`; coordinators see the counts of about
  `retention.COUNTS_SHOWN` — `retention.recent_counts`.

The day and after
- Only the assigned companion reports, from the release day on; "not released" and
  "couldn't find them" (`states.ALERTS`) reach coordinators at once as alerts — `day.report`.
- "Met" closes the request, shows the nearest meetings later that day (at most
  `day.MEETINGS_SHOWN`) and asks the person, once connected, about check-ins —
  `day.report`, `day.suggest_meetings`, `aftercare.ask`.
- Saying yes: check-ins twice a day (the evening one at `aftercare.EVENING`) for
  `aftercare.TWICE_DAILY_DAYS` from release (said in words by `aftercare.twice_daily_period`), then once a day (at
  `aftercare.DEFAULT_CHECKIN_TIME` if they never chose a time), and the companion becomes a
  supporter — `aftercare.answer`; the companion can hand over to a sponsor and steps back
  when the sponsor says yes — `aftercare.hand_over`.

Accountability
- Every step of the history a coordinator or companion takes (`records.record`), and a
  coordinator opening a request or a companion viewing theirs (`day.view`), is written to the
  audit log — `bot.services.audit.record_release`; the log goes with the request —
  `retention.delete_request`.

Erasure (/forget) — `requests._end_links`, `requests._erase`, `companions._erase`,
`connect.forget`.

Shared definitions: every status and kind is a `StrEnum` in `states` (stored values
unchanged); every button family (cm cv rq rx ro rs ra rk) is defined once in `buttons`;
history and messages (always through the outbox) in `records`; which typed answer a person
owes in `asking`; the printable card in `card`; prisons in `prisons`.
"""
