"""Meetings: finding a 12-step meeting near you or online, keeping up with it (Follow,
Remind me, "I went"), secretaries keeping their own listings right, and meeting feeds in
and out. Handlers: `handlers/meetings/meetings.py` (/meetings), `handlers/meetings/secretary.py`
(/addmeeting, /mymeetings). Schedules: `schedules/meeting_reminders.py`,
`schedules/listing_checks.py`, `schedules/feed_sync.py`. No `telegram` imports here.

Modules: `search` (finding, follow, remind, I went, telling followers, retiring listings,
privacy export/erase), `listings` (a secretary's listing), `feeds` (import/export),
`notices` (scheduled messages), `times` (days and occurrences), `text` (how a meeting reads),
`addresses` (splitting one-line addresses), `buttons` (the `mt` and `sc` button families),
`conversation` (what the bot waits for a person to type), `states` (statuses and kinds),
`rows` (compare-and-set result typing).

Finding
- Search near a place: nearest first within `search.MAX_RADIUS_KM` (80 km), a bounding box
  that grows from `search.INITIAL_RADIUS_KM` — `search.search_near`, `search.bounding_box`.
- "What's next" first: the nearest `search.SOONEST_POOL` within `search.SOONEST_RADIUS_KM`
  ordered by start, then the rest nearest first — `search._soonest_first`, `search.Order`.
- Online and hybrid meetings, soonest first, wherever they are — `search.search_online`.
- Nothing in reach of a place: say so and show online meetings instead — `handlers/meetings.render`.
- "Soon" means starting within `search.SOON` (3 h); a meeting that began up to
  `times.LATE_ARRIVAL` (10 min) ago still counts — `search._matching_occurrence`.
- Results come `search.PAGE_SIZE` (5) a page; filters (time `search.When`, fellowship
  `search.FELLOWSHIPS`, type) travel inside the buttons, validated — `search.Filters.decode`.
- The place searched from is never stored: a place key or a location rounded to ~10 m rides
  in the buttons — `handlers/meetings.shared_spot`, `buttons.page`.
- Only active listings are shown; paused and drafts never — `search.visible`, `search.for_member`.
- "May be out of date" after `search.OUT_OF_DATE` (90 days) unconfirmed; feeds that date
  nothing vouch for their meetings at each sync — `search.out_of_date`.

Keeping up
- Follow / unfollow, idempotent — `search.set_follow`.
- Remind me: `search.REMIND_BEFORE` (1 h) before every occurrence — `search.set_reminder`,
  `search.first_reminder_due`; sent by `notices.queue_due_reminders`, claimed by
  compare-and-set in `search.claim_due_reminders` (never late after downtime; a paused
  listing's reminders move on silently; a cancelled date is announced as cancelled).
- Stopping reminders or following works even for a paused listing — `search.for_member`.
- "I went" counts once per occurrence that began within `times.WENT_WINDOW` (2 days), never
  a cancelled date; toward 90 in 90 days — `search.record_attendance`, `search.meetings_attended_since`.
- Followers hear of changes, pauses, cancelled dates, announcements and removal through the
  outbox, paced at `search.FOLLOWER_NOTICES_PER_SECOND` — `search.tell_followers`, `search.retire`.

Secretaries' listings (only the owning secretary, while they hold the role — `listings.editable`)
- /addmeeting asks `listings.STEPS` in order, skipping what doesn't apply (`listings.steps_for`);
  each answer is saved to the draft as given (`listings.set_*`, `listings.TYPED_ANSWERS`,
  `listings.SKIPPABLE`); the open question lives on the person — `conversation.ask_listing`.
- A listing can't be published without name, days, time, and address+place or link —
  `listings.missing`, `listings.publish`.
- Names `listings.NAME_MIN`-`listings.NAME_MAX` characters, notes and announcements up to
  `listings.NOTES_MAX` / `listings.ANNOUNCEMENT_MAX`; an end time must follow the start
  (past midnight only for a short meeting) — `times.duration_ok`.
- An edit of a published listing tells followers what changed, moves reminders if the day or
  time changed, and counts as a confirmation — `listings.after_edit`.
- Pause / resume, delete (followers told; "I went" rows kept without the meeting),
  cancel one date within a year, announce — `listings.set_paused`, `listings.delete_listing`,
  `listings.check_cancellable`, `listings.set_cancelled`, `listings.announce`.
- "Is this listing still right?" every `listings.CONFIRM_EVERY` (30 days), claimed by
  compare-and-set — `listings.claim_due_checks`, asked by `notices.ask_due_checks`.

Feeds
- Meeting Guide and BMLT JSON import, idempotent per source, one transaction, size-capped
  at `feeds.MAX_FEED_BYTES` — `feeds.sync`, `feeds.parse`, `feeds.import_parsed`.
- Configured feeds re-import every MEETING_FEED_SYNC_HOURS, claimed by compare-and-set; a
  broken feed changes nothing and the others still run — `feeds.claim_due`, `feeds.sync_due`.
- Export in the Meeting Guide format — `feeds.export`, `feeds.to_feed`.

Privacy
- Export: follows, reminders, meetings attended, listings — `search._export`.
- Erase: follows, reminders and attendance go; listings stay without an owner; drafts go —
  `search._erase`.
"""
