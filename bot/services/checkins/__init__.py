"""Daily check-ins: the prompt, the card a member answers, pauses and reminders, clean
time and its milestones, and what it all adds up to (/progress).

Modules: `checkins` (the day's answers and progress), `flow` (what each command, press and
typed note does), `card` (what the card says and shows), `plans` (when prompts and
reminders are due, and the tick's claims), `milestones` (clean time), `buttons` (the
`v1:ci:` and `v1:cp:` families), `states` (answers, steps and kinds as StrEnums).

The rules, and where each lives:
- One check-in per person per local day, created by the first answer, so an abandoned
  check-in still counts as contact; a later one the same day updates it — `checkins.open_day`.
- Moods are 1-5 (`checkins.MOODS`); "clean today?" is yes / a slip / rather not say —
  `states.Clean`, checked in `checkins.answer`.
- Only today's card can be answered; a card from an earlier day is closed and today's
  offered; a day in the future is forged (a stale button) — `flow.press`.
- A slip asks two questions once per day (restart the clean date? tell supporters?), and
  the first answer to each stands — `card.next_step`, `checkins.choose_slip_reset`,
  `checkins.choose_tell_supporters`; restarting keeps the old date on the check-in.
- A slip the member chose to share alerts their supporters at once — `flow._apply` calls
  `support.alerts.slip_shared`; a very low mood (1) is passed to `alerts.very_low_mood`
  (`checkins.answer`); a new day's check-in closes a lapse alert (`checkins.open_day`).
- Private notes are encrypted with vault context `checkins.NOTE_FIELD` (bound to the check-in row) and shown only to
  the member (and in /mydata) — `checkins.save_note`, `flow.take_note`.
- A new /checkin retires the card the last one sent — `flow.remember_card` (the handler sends).
- Streak: consecutive days with a check-in up to today, or yesterday while today is open —
  `checkins.streak`. "90 in 90": meetings in the last `checkins.MEETING_WINDOW_DAYS`, an
  "I went" and a check-in's meeting tick on the same day counted once —
  `checkins.meetings_in_window`. The mood chart covers `checkins.MOOD_WINDOW_DAYS`.
- The daily prompt comes at the member's check-in time in their zone, at most once per
  local day (`CheckinPlan.last_prompt_date`); after downtime today's is sent late and an
  earlier day's skipped; nobody unreachable or not set up is written to — `plans.decide`.
- Two processes never send the same prompt or reminder: each is claimed by compare-and-set
  in the same transaction as its outbox row — `plans._claim`, `plans._claim_reminder`,
  `plans.claim_due_prompts`, `plans.claim_due_reminders` (run by `schedules.checkin_prompts`).
- A reminder comes N hours (`buttons.REMINDER_CHOICES`) after an unanswered prompt, never
  after local midnight, and only if there is still no check-in that day —
  `plans._reminder_time`, `plans.claim_due_reminders`; a reminder can turn them off.
- A pause stops prompts and reminders until a chosen day, at most `plans.MAX_PAUSE` ahead —
  `plans.pause`, `plans.parse_pause_until`; it ends by itself with a "welcome back" prompt
  (`plans.decide`), or at once with /resume — `plans.resume`.
- Milestones: 24 hours, 1 week, 30/60/90 days, 6 and 9 months, 1 year, 18 months, then
  yearly — `milestones.milestones`; each congratulated once per clean date, at the prompt
  time, belatedly up to `milestones.BELATED_LIMIT` — `milestones.candidate`,
  `milestones.congratulated`, `milestones.record`.
- Other features may ask for one more prompt today (release aftercare) — `plans.send_extra_prompt`.
- /mydata and /forget: `checkins.export`, `checkins.erase`.
- Outbox kinds sent: `states.SentKind`; what a member is asked to type: `states.Awaiting`.
"""
