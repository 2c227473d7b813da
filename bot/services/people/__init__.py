"""People: who someone is here, what they may do, and what is held about them.

A person is a pseudonym, a purpose, a time zone and (for members) a check-in time and clean
date, found by a keyed hash of their Telegram id. Roles decide what they may do; links
(invitations) bring them in; /mydata and /forget show and erase everything. Handlers
(`handlers/people/onboarding.py`, `settings.py`, `privacy.py`, `coordinators.py`,
`role_applications.py`) parse, call one function here, and render.

Rules, and where each lives:

- Nothing is stored before "I agree"; the person is created once even on a double tap —
  `people.create_on_consent`; found again by the hash of their id — `people.find`.
- What a person's next text answers is kept on them (`Person.awaiting`) — `people.expect`.
- Set-up asks name, purpose, time zone, then by purpose a check-in time and a clean date —
  `onboarding.steps_for` / `onboarding.next_step` (`_STEPS_BY_PURPOSE`); check-in times offered
  as buttons — `onboarding.CHECKIN_TIMES`; each answer is saved as given — `onboarding.set_*`.
- "I run a meeting" asks to be a secretary, "I volunteer as a companion" a companion, once
  set-up ends — `onboarding.ROLE_FOR_PURPOSE`.
- A link opened before set-up ends is followed when it ends (held by id, never by token) —
  `onboarding.hold_invitation`, `onboarding.take_held_invitation`.
- Everyone is a member and a supporter; secretary, companion and coordinator are granted —
  `people.OPEN_ROLES`, `people.GRANTED_ROLES`; only secretary and companion can be asked for —
  `people.REQUESTABLE_ROLES`. Every grant is recorded — `people.ensure_role`.
- People named in COORDINATOR_TELEGRAM_IDS are coordinators while (and only while) named there —
  `people._grant_configured_coordinator`, `role_changes.sync_configured_coordinators`.
- A role can't be asked for when held or already asked — `roles.request_problem`; a request
  tells every coordinator through the outbox — `roles.request_role`; a secretary's applicant
  says which group, one line of at most `roles.MAX_ANSWER` characters — `roles.clean_answer`.
- Only a coordinator decides, and only the first decision counts (compare-and-set on
  status) — `roles.decide`; roles with their own application (companions) are approved only
  through it — `roles.register_request_view`.
- A coordinator removes someone else's role with a reason code (`role_changes.REMOVAL_REASONS`),
  never their own and never one from the settings — `role_changes.remove`; the holder may step
  down unless they are the last coordinator — `role_changes.step_down`; what losing a role
  undoes (duties and alerts, releases, meetings' secretary) — `role_changes._end`.
- Another coordinator joins through a single-use link of kind `invitations.COORDINATOR_KIND`,
  shown with who sent it, used up only on "Accept" — `roles.coordinator_invitation`,
  `roles.join_as_coordinator`.
- A link is single-use, lives `invitations.DEFAULT_TTL` (72 h), stored only as a hash, used up
  once even when two taps race — `invitations.create`, `invitations.redeem`; buttons answering
  it are sealed to its kind, id and person — `invitations.seal_subject`.
- /mydata exports everything held, decrypted for the person — `privacy.export`; /forget erases
  every row and tells linked people only that the link ended — `privacy.forget` (features
  register theirs with `privacy.register_exporter`, `register_link_ender`, `register_eraser`).
- Statuses and kinds (roles, purposes, set-up steps, request status, grant source, role
  changes, invitation problems, outbox kinds) — `states`.
- The coordinator's view (/coordinators): what needs a coordinator now (alerts passed to
  coordinators and not taken, releases without a companion, applications, people who can't be
  reached and had supporters), counts first then a page per section (`coordination.PAGE_SIZE`),
  each item with its existing buttons; the week's rota; a record's audit trail —
  `coordination.overview`, `coordination.section`, `coordination.rota_screen`,
  `coordination.trail_screen` (the rota's rule is in `support.escalation`, the log in
  `bot.services.audit`).
- Button families `ob`, `set`, `fg`, `co`, `rr`, `ap`, `cd`, packed and parsed only by — `buttons`.
"""
