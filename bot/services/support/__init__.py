"""Support: the people a member chose to hear when they may need help, the alerts that reach
them, crisis help for anyone, and messages passed between them through the bot.

Where each rule lives (module, then function or constant):

Supporters
- A member invites a supporter with a single-use `su_` link; at most five supporters and
  five unused links at once — `supporters.invite`, `supporters.accept`,
  `supporters.MAX_SUPPORTERS`, `supporters.MAX_OPEN_INVITATIONS`.
- Supporters are alerted in the member's order (sponsor first), which the member changes —
  `supporters.move_up`, `supporters.place_of`.
- Every supporter sees whether check-ins happen; mood and slips only if the member shares
  them with that supporter; never notes — `supporters.SHARES`, `supporters.status_of`.
- Either side ends a link at any time: the other is told and alerts waiting on that
  supporter move on — `supporters.end_link`, `alerts.stop_waiting_on`.

When an alert is raised (an incident)
- A lapse: a daily prompt went out and no check-in followed for the member's threshold
  (12-72 hours, default 24) — `lapses.THRESHOLD_CHOICES`, `lapses.DEFAULT_THRESHOLD`,
  watched by `lapses.watch_next_prompt`, judged by `lapses.verdict`, claimed by
  `lapses.claim_due`, opened by `alerts.scan_lapses`.
- An SOS: /sos or "I need support now"; taps within two minutes are one request —
  `alerts.support_now`, `crisis.record_request`, `crisis.REPEAT_WINDOW`.
- A slip the member chose to share — `alerts.slip_shared`.
- Three very low days in a row (only supporters who see mood; at most once in three days)
  — `alerts.very_low_mood`, `alerts.LOW_MOOD_DAYS`.
- Only for a member with supporters, and one live chain per kind — `alerts.open_incident`.
  Kinds and statuses: `states.IncidentKind`, `states.IncidentStatus`.

Who is alerted, and when it moves on
- One supporter at a time in order, then every coordinator on call — `alerts._next_recipients`.
- Which coordinators: those on call today by the rota (their switch on and today's London
  weekday among their rota days; every day until they choose), else every coordinator,
  never nobody — `escalation.coordinators_to_alert` (the one rule; `escalation.ROTA_ZONE`);
  on/off call — `alerts.switch_on_call`; rota days — `escalation.toggle_day`,
  `escalation.rota`. Ending the coordinator role removes them from the rota —
  `people.role_changes._end`.
- A coordinator answering an escalated alert, or shown it in the coordinator's view, is
  audited — `alerts.respond`, `bot.services.audit`.
- It moves on after the escalation window (hours for a lapse, minutes otherwise; from
  Settings through the caller, and an incident keeps the window it was opened with) —
  `escalation.Windows`, `alerts._kept_window`, `alerts.claim_due_escalations`.
- "I'll reach out" stops it and everyone alerted is told; "I can't right now" passes it on —
  `alerts.respond`. An undeliverable alert passes it on — `alerts.reroute`.
- A check-in closes a lapse incident and everyone alerted is told — `alerts.checked_in`.
- Coordinators are not told a slip or a mood shared only with supporters — `alerts.alert_text`.
- Every move says who has it now, or that nobody could be reached — `alerts._tell_member`,
  `alerts.sos_news`.

Crisis help
- The helplines shown are only the verified rows (999 and Samaritans first) —
  `helplines.verified`, `crisis.message`.
- Typed words that may mean crisis get the helplines at once — `distress.is_distress`.
- A second tap within seconds is answered with who knows — `crisis.DOUBLE_TAP`.

Messages through the bot (relay)
- Who may write: a supporter, or a coordinator alerted about the member in the last week or
  vetting their role request — `relay.may_write`, `relay.COORDINATOR_WINDOW`.
- "Message"/"Reply" waits half an hour for one typed message — `relay.begin_writing`,
  `relay.send_written`, `relay.WRITING_WINDOW`; after one, plain text goes to the other side
  for a day — `relay.send_in_conversation`, `relay.CONVERSATION_WINDOW`; at most
  `relay.MAX_LENGTH` characters — `relay.problem_with`.
- Either side stops it; only the one who stopped it reopens it — `relay.stop`, `relay.start`.
- Undeliverable words are dropped at once and the writer told — `relay.reroute`.

Buttons (`su`, `al`, `oc` (the switch and the rota days), `rl`, `sos`) — `buttons`; /mydata and /forget — `export`, `erase`
in `alerts`, `supporters` and `relay`, and `supporters.end_every_link`.
"""
